using System.Text;
using BuildLore.Core.Analysis.Redaction;

namespace BuildLore.Core.Codebase;

/// <summary>A visible file as the scan measured it: size, lines (null when binary) and estimated o200k tokens.</summary>
public sealed record IndexedFile(string Path, long Size, long? Lines, bool Binary)
{
    public long? Tokens { get; init; }
}

/// <summary>How the token figures were obtained, so a client knows how far to trust them.</summary>
/// <param name="Encoding">The tokenizer's encoding.</param>
/// <param name="Method"><see cref="Counted"/> or <see cref="Sampled"/>.</param>
/// <param name="FilesCounted">How many files went through the tokenizer.</param>
/// <param name="BytesCounted">How many bytes of them it read.</param>
public sealed record TokenEstimate(string Encoding, string Method, int FilesCounted, long BytesCounted)
{
    /// <summary>Every text file tokenized (its first 64 KiB; larger files scaled by size).</summary>
    public const string Counted = "counted";

    /// <summary>A spread sample of files per extension tokenized; the others estimated from their size at their extension's rate.</summary>
    public const string Sampled = "sampled";
}

/// <summary>
/// Where a scan's time went: listing and reading the files (the token sample is counted as its files
/// are read, once the vocabulary is loaded), and the token counts left after reading (heads read while
/// the vocabulary was still loading; in a small workspace, the files outside the sample).
/// </summary>
public sealed record ScanTimings(TimeSpan Reading, TimeSpan Tokens)
{
    public TimeSpan Total => Reading + Tokens;
}

/// <summary>
/// Everything a scan learned about a workspace's visible files. Views of it (the whole workspace, or the
/// files some globs select) are cheap to build, so a server keeps one index and answers every view from it.
/// </summary>
public sealed class CodebaseIndex
{
    private const int PreviewReadBytes = 4 * 1024;
    private readonly string _root;
    private readonly string _realRoot;
    private readonly CodebaseScanOptions _options;

    internal CodebaseIndex(string root, IReadOnlyList<IndexedFile> files, TokenEstimate tokens, CodebaseScanOptions options)
    {
        _root = root;
        _realRoot = CodebaseScanner.RealPath(root) ?? root;
        _options = options;
        Files = files;
        Tokens = tokens;
        WorkspaceName = Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar));
    }

    public string WorkspaceName { get; }

    /// <summary>The visible files, sorted by path.</summary>
    public IReadOnlyList<IndexedFile> Files { get; }

    public TokenEstimate Tokens { get; }

    private HashSet<string>? _paths;

    /// <summary>Whether <paramref name="path"/> is one of the visible files; the set is made the first time a link asks.</summary>
    private bool IsListed(string path) =>
        LazyInitializer.EnsureInitialized(ref _paths, () => Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal)).Contains(path);

    public ScanTimings Timings { get; init; } = new(TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>
    /// The view of the files <paramref name="filter"/> keeps (all when null): tree, key configuration
    /// files, source previews and project facts. Previews and configuration text are read now, and
    /// redacted like build logs.
    /// </summary>
    public CodebaseSnapshot Snapshot(CodebaseFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var files = Files;
        if (filter is not null)
        {
            var kept = filter.Apply([.. Files.Select(f => f.Path)]).ToHashSet(StringComparer.Ordinal);
            files = [.. Files.Where(f => kept.Contains(f.Path))];
        }

        // First what is to be read (configuration text, previews, manifests), decided from the paths
        // alone; then those reads run on every core while this thread builds the tree.
        var configs = new List<string>();
        var sources = new Dictionary<CodebaseScanner.FileKind, List<IndexedFile>>
        {
            [CodebaseScanner.FileKind.Backend] = [],
            [CodebaseScanner.FileKind.Frontend] = [],
            [CodebaseScanner.FileKind.Test] = [],
        };
        var totals = new Dictionary<CodebaseScanner.FileKind, int>();
        var languages = new Dictionary<string, long>(StringComparer.Ordinal);
        var manifestPaths = new List<string>();
        var skippedManifests = new List<string>();
        long manifestBytes = 0;
        var configCount = 0;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Binary)
            {
                continue;
            }

            if (CodebaseScanner.IsKeyConfig(file.Path) && configCount++ < _options.MaxConfigFiles)
            {
                configs.Add(file.Path);
            }

            if (Manifests.IsManifest(file.Path))
            {
                // The caps on manifests go by their sizes, so which are read does not depend on timing.
                if (manifestPaths.Count >= _options.MaxManifestFiles || manifestBytes >= _options.MaxManifestBytesTotal)
                {
                    skippedManifests.Add(file.Path);
                }
                else
                {
                    manifestPaths.Add(file.Path);
                    manifestBytes += Math.Min(file.Size, _options.MaxManifestBytes);
                }
            }

            var kind = CodebaseScanner.Classify(file.Path);
            if (kind == CodebaseScanner.FileKind.Other)
            {
                continue;
            }

            var language = Languages.Of(file.Path);
            languages[language] = languages.GetValueOrDefault(language) + (file.Lines ?? 0);
            totals[kind] = totals.GetValueOrDefault(kind) + 1;
            if (sources[kind].Count < _options.MaxSourceFiles)
            {
                sources[kind].Add(file);
            }
        }

        var reads = new List<(string Path, long MaxBytes, int MaxChars)>();
        int Queue(string path, long maxBytes, int maxChars)
        {
            reads.Add((path, maxBytes, maxChars));
            return reads.Count - 1;
        }

        var configReads = configs.Select(path => (Path: path, Read: Queue(path, _options.MaxConfigFileChars * 4L, _options.MaxConfigFileChars))).ToList();
        var previewReads = sources.ToDictionary(
            s => s.Key,
            s => s.Value.Select(file => (File: file, Read: Queue(file.Path, PreviewReadBytes, CodebaseScanner.PreviewLength))).ToList());
        var manifestReads = manifestPaths.Select(path => (Path: path, Read: Queue(path, _options.MaxManifestBytes, int.MaxValue))).ToList();
        var texts = new (string Text, bool Cut)[reads.Count];
        var reading = Task.Run(() => Parallel.For(
            0,
            reads.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            r => texts[r] = ReadRedacted(reads[r].Path, reads[r].MaxBytes, reads[r].MaxChars)));

        var rootNode = new DirectoryBuilder(WorkspaceName);
        var listed = 0;
        long totalTokens = 0;
        foreach (var file in files)
        {
            totalTokens += file.Tokens ?? 0;
            if (listed < _options.MaxTreeEntries)
            {
                rootNode.Add(file.Path, 0, file);
                listed++;
            }
        }

        var tree = rootNode.Build();
        reading.GetAwaiter().GetResult();

        var keyConfigs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var configsCut = new List<string>();
        foreach (var (path, read) in configReads)
        {
            keyConfigs[path] = texts[read].Text;
            if (texts[read].Cut)
            {
                configsCut.Add(path);
            }
        }

        var lists = previewReads.ToDictionary(
            p => p.Key,
            p => p.Value.Select(r => new SourceFile(Path.GetFileName(r.File.Path), r.File.Path, r.File.Lines ?? 0, texts[r.Read].Text)).ToList());
        var manifests = manifestReads.Select(r => new ManifestText(r.Path, texts[r.Read].Text, texts[r.Read].Cut)).ToList();

        return new CodebaseSnapshot(
            WorkspaceName,
            tree,
            files.Count > listed,
            keyConfigs,
            lists[CodebaseScanner.FileKind.Backend],
            lists[CodebaseScanner.FileKind.Frontend],
            lists[CodebaseScanner.FileKind.Test],
            new StructureSummary(totals.ContainsKey(CodebaseScanner.FileKind.Backend), totals.ContainsKey(CodebaseScanner.FileKind.Frontend), totals.ContainsKey(CodebaseScanner.FileKind.Test)),
            files.Count)
        {
            TotalTokens = totalTokens,
            KeyConfigFileCount = configCount,
            KeyConfigFilesCut = configsCut,
            BackendFileCount = totals.GetValueOrDefault(CodebaseScanner.FileKind.Backend),
            FrontendFileCount = totals.GetValueOrDefault(CodebaseScanner.FileKind.Frontend),
            TestFileCount = totals.GetValueOrDefault(CodebaseScanner.FileKind.Test),
            TokenEstimate = Tokens,
            // Dependencies come from each manifest's whole text (up to MaxManifestBytes), not from the
            // configuration text shown, which is cut shorter; manifests past the count or size cap are
            // named as skipped, never dropped silently.
            Facts = ProjectFactsReader.Read(manifests, skippedManifests, files.Select(f => f.Path), languages),
        };
    }

    /// <summary>
    /// The first <paramref name="maxChars"/> characters of a file (of its first <paramref name="maxBytes"/>)
    /// with secrets masked line by line (before cutting, so a secret that straddles the cut is still
    /// masked), and whether that left anything out; empty when the file is gone or now leads outside the workspace.
    /// </summary>
    private (string Text, bool Cut) ReadRedacted(string relative, long maxBytes, int maxChars)
    {
        var full = Path.Combine(_root, relative);
        try
        {
            // Empty files have nothing to show, and FIFOs (which report no size) would block the open.
            if (!CodebaseScanner.IsInsideRoot(_realRoot, full) || new FileInfo(full).Length == 0)
            {
                return ("", false);
            }

            using var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // The check above looked at the path; what was opened must be that file, or (for a link) a listed one.
            if (OpenedFile.TryGetRealRelative(handle, _realRoot, out var real) && real != relative && (real is null || !IsListed(real)))
            {
                return ("", false);
            }

            var length = RandomAccess.GetLength(handle);
            var buffer = new byte[Math.Min(maxBytes, length)];
            var read = RandomAccess.Read(handle, buffer, 0);
            var text = Encoding.UTF8.GetString(buffer, 0, read);
            var redactor = new StreamingRedactor();
            var result = new StringBuilder((int)Math.Min(text.Length, maxChars + 256L));
            var position = 0;
            while (position < text.Length && result.Length < maxChars)
            {
                var newline = text.IndexOf('\n', position);
                var next = newline < 0 ? text.Length : newline + 1;
                var lineEnd = newline < 0 ? text.Length : newline > position && text[newline - 1] == '\r' ? newline - 1 : newline;
                result.Append(redactor.Redact(text[position..lineEnd])).Append(text, lineEnd, next - lineEnd);
                position = next;
            }

            var cut = length > read || position < text.Length || result.Length > maxChars;
            return (result.Length <= maxChars ? result.ToString() : result.ToString(0, maxChars), cut);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ("", false);
        }
    }

    private sealed class DirectoryBuilder(string name)
    {
        private readonly Dictionary<string, DirectoryBuilder> _directories = new(StringComparer.Ordinal);
        private readonly List<FileTreeNode> _files = [];

        /// <summary>Adds the file at <paramref name="path"/>, whose part from <paramref name="start"/> on lies in this folder.</summary>
        public void Add(string path, int start, IndexedFile file)
        {
            var slash = path.IndexOf('/', start);
            if (slash < 0)
            {
                _files.Add(new FileTreeNode(path[start..], FileTreeNode.FileType, file.Size, file.Lines, null) { Tokens = file.Tokens });
                return;
            }

            var folder = path.AsSpan(start, slash - start);
            if (!_directories.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(folder, out var child))
            {
                var folderName = folder.ToString();
                child = new DirectoryBuilder(folderName);
                _directories.Add(folderName, child);
            }

            child.Add(path, slash + 1, file);
        }

        public FileTreeNode Build()
        {
            var children = new List<FileTreeNode>(_directories.Count + _files.Count);
            children.AddRange(_directories.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Value.Build()));
            children.AddRange(_files.OrderBy(f => f.Name, StringComparer.Ordinal));
            return new FileTreeNode(name, FileTreeNode.DirectoryType, null, null, children) { Tokens = children.Sum(c => c.Tokens ?? 0) };
        }
    }
}
