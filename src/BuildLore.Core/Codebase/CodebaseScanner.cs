using System.Diagnostics;
using System.Text;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Reads a workspace into a <see cref="CodebaseSnapshot"/>. In a git repository the file list comes
/// from git itself (<c>git ls-files --cached --others --exclude-standard</c>), so every
/// <c>.gitignore</c> rule applies exactly as git applies it; elsewhere the folder is walked.
/// Secret files, symbolic links that leave the workspace and dependency or output folders are never
/// included.
/// </summary>
public sealed class CodebaseScanner(CodebaseScanOptions? options = null)
{
    private readonly CodebaseScanOptions _options = options ?? new CodebaseScanOptions();

    public const int PreviewLength = 500;

    /// <summary>The workspace owner's extra ignore file (gitignore syntax) for what BuildLore must never show.</summary>
    public const string IgnoreFileName = ".buildloreignore";

    private static readonly HashSet<string> KeyConfigNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "package.json", "tsconfig.json", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile",
        "Directory.Build.props", "Directory.Packages.props", "global.json", "Cargo.toml", "go.mod",
        "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "CMakeLists.txt", "Makefile",
        "Dockerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yaml", ".gitlab-ci.yml",
        "Jenkinsfile", "buildlore.json", "appsettings.json", "vite.config.ts", "vite.config.js",
        "webpack.config.js", "jest.config.js", "Gemfile", "composer.json",
    };

    private static readonly HashSet<string> BackendExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".fs", ".vb", ".py", ".go", ".rs", ".java", ".kt", ".scala", ".rb", ".php", ".c", ".h",
        ".cc", ".cpp", ".hpp", ".cxx", ".ex", ".exs", ".erl", ".swift", ".m", ".sql", ".sh",
    };

    private static readonly HashSet<string> FrontendOnlyExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".tsx", ".jsx", ".vue", ".svelte", ".html", ".htm", ".css", ".scss", ".sass", ".less", ".razor", ".cshtml",
    };

    private static readonly HashSet<string> ScriptExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".ts", ".js", ".mjs", ".cjs", ".mts", ".cts",
    };

    private static readonly HashSet<string> FrontendFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "frontend", "client", "web", "webapp", "ui", "www", "public", "static", "components", "pages", "views", "wwwroot",
    };

    private static readonly HashSet<string> TestFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "test", "tests", "__tests__", "spec", "specs", "testing", "e2e",
    };

    /// <summary>
    /// The workspace's files a client may see, relative with '/' separators and sorted: git-ignored
    /// files, secret files, dependency and output folders and links that leave the workspace are not
    /// among them, and neither are links whose target is one of those.
    /// </summary>
    public IReadOnlyList<string> ListVisibleFiles(string workspaceRoot, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        var guard = new RootGuard(root);
        var admitted = ListFiles(root, cancellationToken)
            .Select(f => (Path: f, Real: guard.Admit(f)?.RealRelative))
            .Where(f => f.Real is not null)
            .ToList();
        var direct = admitted.Where(f => f.Real == f.Path).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return [.. admitted.Where(f => f.Real == f.Path || direct.Contains(f.Real!)).Select(f => f.Path)];
    }

    /// <summary>True when <paramref name="relative"/> is a file a client may see (same rules as <see cref="ListVisibleFiles"/>).</summary>
    public bool IsVisible(string workspaceRoot, string relative, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        if (new RootGuard(root).Admit(relative) is not { } admitted || !IsCandidate(root, relative, cancellationToken))
        {
            return false;
        }

        // The rules are about content, so a link (or a path through a linked folder) is shown only when
        // what it resolves to would be shown itself: "notes.py -> .env" is the secret file by another name.
        return admitted.RealRelative == relative || IsCandidate(root, admitted.RealRelative, cancellationToken);
    }

    /// <summary>Whether the listing's rules (names, .buildloreignore, git or the walk) admit the path, links aside.</summary>
    private bool IsCandidate(string root, string relative, CancellationToken cancellationToken)
    {
        if (!IsListable(relative) || GitIgnoreMatcher.ForRootFile(root, IgnoreFileName)?.IsFileIgnored(relative) == true)
        {
            return false;
        }

        // The same question as the listing, narrowed to one literal path, so both always agree.
        var listed = _options.UseGit
            ? RunGit(root, ["--literal-pathspecs", "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", relative], cancellationToken)
            : null;
        if (listed is not null)
        {
            return listed.Split('\0').Contains(relative, StringComparer.Ordinal);
        }

        // Not a repository, or git refused the path (it lies beyond a link): the walk's rules.
        return !PassesThroughLinkedFolder(root, relative) && !GitIgnoreMatcher.ForWorkspace(root).IsFileIgnored(relative);
    }

    /// <summary>Lists, reads and measures every visible file: the cacheable part of a scan.</summary>
    public CodebaseIndex Index(string workspaceRoot, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Workspace '{root}' does not exist.");
        }

        var clock = Stopwatch.StartNew();
        TokenCounter.Warm(); // loading the vocabulary takes a while: do it while git lists and the files are read
        var guard = new RootGuard(root);
        var candidates = EnumerateCandidates(root, cancellationToken).ToList();
        candidates.Sort(StringComparer.Ordinal);
        // The files whose tokens are counted are chosen from the list, so each is tokenized from the
        // head its reader has just read instead of being opened again once all are read.
        var sample = new TokenSample(SampleOf(candidates), _options.SampleHeadBytes);
        // Each file's result goes to its place in the sorted list, so the index needs no sorting after.
        var measured = new IndexedFile?[candidates.Count];
        var linked = new System.Collections.Concurrent.ConcurrentQueue<(long Slot, RootGuard.Admission Admission)>();
        // Reading is mostly waiting on the file system: one reader per core keeps both busy.
        Parallel.ForEach(candidates, Parallelism(cancellationToken), () => new byte[ReadBufferBytes], (path, _, slot, buffer) =>
        {
            // Most files are plain files in folders reached without links: opened and read directly.
            if (PlainFileReader.IsSupported && guard.IsInPlainFolder(path))
            {
                switch (PlainFileReader.TryOpen(Path.Combine(root, path), out var descriptor, out var length))
                {
                    case PlainFileReader.Outcome.NotAFile:
                        return buffer;
                    case PlainFileReader.Outcome.Opened:
                        try
                        {
                            measured[slot] = Measure(path, length, new DescriptorReader(descriptor), buffer, sample);
                        }
                        finally
                        {
                            PlainFileReader.Close(descriptor);
                        }

                        return buffer;
                }
            }

            if (guard.Admit(path) is not { } admitted)
            {
                return buffer;
            }

            if (admitted.RealRelative != path)
            {
                // Decided once the whole list is known: whether its target is listed itself.
                linked.Enqueue((slot, admitted));
            }
            else
            {
                measured[slot] = Measure(root, path, admitted.Info, buffer, sample);
            }

            return buffer;
        }, _ => { });

        // A link is shown only when what it resolves to is shown: its target passed every rule
        // (secret names, skipped folders, .gitignore, .buildloreignore) under its own name.
        if (!linked.IsEmpty)
        {
            var direct = measured.OfType<IndexedFile>().Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var linkBuffer = new byte[ReadBufferBytes];
            foreach (var (slot, admitted) in linked)
            {
                if (direct.Contains(admitted.RealRelative))
                {
                    measured[slot] = Measure(root, candidates[(int)slot], admitted.Info, linkBuffer, sample);
                }
            }
        }

        var files = measured.OfType<IndexedFile>().ToArray();
        var reading = clock.Elapsed;
        var estimate = EstimateTokens(root, files, sample, cancellationToken);
        return new CodebaseIndex(root, files, estimate, _options) { Timings = new ScanTimings(reading, clock.Elapsed - reading) };
    }

    public CodebaseSnapshot Scan(string workspaceRoot, CancellationToken cancellationToken = default) =>
        Index(workspaceRoot, cancellationToken).Snapshot(null, cancellationToken);

    /// <summary>Scans the workspace and keeps the files <paramref name="filter"/> selects.</summary>
    public CodebaseSnapshot Scan(string workspaceRoot, CodebaseFilter? filter, CancellationToken cancellationToken = default) =>
        Index(workspaceRoot, cancellationToken).Snapshot(filter, cancellationToken);

    private const int ReadBufferBytes = 64 * 1024;
    private const int BinaryProbeBytes = 8000; // as much as git looks at to call a file binary

    private static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };

    /// <summary>Size, line count and whether the file is binary, for a file the root guard admitted.</summary>
    private IndexedFile? Measure(string root, string relative, FileInfo info, byte[] buffer, TokenSample sample)
    {
        // Empty files need no reading, and neither do FIFOs and devices, which report no size and would block.
        var length = info.Length;
        if (length == 0)
        {
            return new IndexedFile(relative, 0, 0, Binary: false);
        }

        try
        {
            using var handle = File.OpenHandle(Path.Combine(root, relative), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return Measure(relative, length, new HandleReader(handle), buffer, sample);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new IndexedFile(relative, length, null, Binary: true);
        }
    }

    /// <summary>
    /// Line count and whether the file is binary, read through <paramref name="reader"/>; null when it
    /// turns out to be a folder. A text file of the token sample has its head tokenized on the way.
    /// </summary>
    private IndexedFile? Measure<TReader>(string relative, long length, TReader reader, byte[] buffer, TokenSample sample)
        where TReader : struct, IFileReader
    {
        if (length == 0)
        {
            return new IndexedFile(relative, 0, 0, Binary: false);
        }

        try
        {
            var read = reader.Read(buffer, 0);
            if (read < 0)
            {
                return null;
            }

            var head = buffer.AsSpan(0, read);
            if (head[..Math.Min(head.Length, BinaryProbeBytes)].Contains((byte)0))
            {
                return new IndexedFile(relative, length, null, Binary: true);
            }

            if (sample.Contains(relative))
            {
                sample.Count(relative, head);
            }

            long lines = head.Count((byte)'\n');
            var last = read > 0 ? head[^1] : (byte)'\n';
            long offset = read;
            while (read > 0 && offset < length && offset < _options.MaxBytesCountedPerFile)
            {
                read = reader.Read(buffer, offset);
                lines += buffer.AsSpan(0, Math.Max(read, 0)).Count((byte)'\n');
                last = read > 0 ? buffer[read - 1] : last;
                offset += Math.Max(read, 0);
            }

            return new IndexedFile(relative, length, last == '\n' || offset == 0 ? lines : lines + 1, Binary: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new IndexedFile(relative, length, null, Binary: true);
        }
    }

    /// <summary>Reads a file at an offset: through .NET's handle, or a descriptor <see cref="PlainFileReader"/> opened.</summary>
    private interface IFileReader
    {
        /// <summary>Bytes read into the buffer's start (0 at the end); -1 for a folder.</summary>
        int Read(byte[] buffer, long offset);
    }

    private readonly struct HandleReader(Microsoft.Win32.SafeHandles.SafeFileHandle handle) : IFileReader
    {
        public int Read(byte[] buffer, long offset) => RandomAccess.Read(handle, buffer, offset);
    }

    private readonly struct DescriptorReader(int descriptor) : IFileReader
    {
        public int Read(byte[] buffer, long offset) => PlainFileReader.Read(descriptor, buffer, offset);
    }

    /// <summary>
    /// o200k token counts for every text file. Large workspaces would spend most of the scan in the
    /// tokenizer, so a spread sample of files per extension is counted (the first
    /// <see cref="CodebaseScanOptions.SampleHeadBytes"/> of each, tokenized as it was read) and the rest
    /// estimated from their size at that extension's tokens per byte. Small ones are counted file by
    /// file (the first 64 KiB of each, scaled by size beyond that). The estimate says which was done.
    /// </summary>
    private TokenEstimate EstimateTokens(string root, IndexedFile[] files, TokenSample sample, CancellationToken cancellationToken)
    {
        var counted = sample.Finish(Parallelism(cancellationToken));
        var text = Enumerable.Range(0, files.Length).Where(i => files[i] is { Binary: false, Size: > 0 }).ToArray();
        var exact = text.Sum(i => files[i].Size) <= _options.MaxBytesForExactTokens;
        if (exact)
        {
            // The sample's counts stand for the files it read whole; the others are read again.
            var rest = text.Where(i => !(counted.TryGetValue(files[i].Path, out var c) && c.Bytes == files[i].Size)).ToArray();
            Parallel.For(0, rest.Length, Parallelism(cancellationToken), () => new byte[ReadBufferBytes], (r, _, buffer) =>
            {
                counted[files[rest[r]].Path] = CountHead(Path.Combine(root, files[rest[r]].Path), buffer);
                return buffer;
            }, _ => { });
        }

        var perExtension = new Dictionary<string, (long Tokens, long Bytes)>(StringComparer.OrdinalIgnoreCase);
        var filesCounted = 0;
        foreach (var i in text)
        {
            if (!counted.TryGetValue(files[i].Path, out var count))
            {
                continue;
            }

            var (tokens, bytes) = count;
            filesCounted++;
            files[i] = files[i] with { Tokens = bytes == 0 ? 0 : (long)Math.Round(tokens * ((double)files[i].Size / bytes)) };
            var extension = Path.GetExtension(files[i].Path);
            var sum = perExtension.GetValueOrDefault(extension);
            perExtension[extension] = (sum.Tokens + tokens, sum.Bytes + bytes);
        }

        var all = (Tokens: perExtension.Values.Sum(v => v.Tokens), Bytes: perExtension.Values.Sum(v => v.Bytes));
        var overall = all.Bytes > 0 ? (double)all.Tokens / all.Bytes : 0.25;
        foreach (var i in text)
        {
            if (files[i].Tokens is null)
            {
                var rate = perExtension.TryGetValue(Path.GetExtension(files[i].Path), out var e) && e.Bytes > 0 ? (double)e.Tokens / e.Bytes : overall;
                files[i] = files[i] with { Tokens = (long)Math.Round(files[i].Size * rate) };
            }
        }

        return new TokenEstimate(TokenCounter.Encoding, exact ? TokenEstimate.Counted : TokenEstimate.Sampled, filesCounted, all.Bytes);
    }

    /// <summary>
    /// The token sample: files of each extension, spread evenly over the sorted list, at least
    /// <see cref="CodebaseScanOptions.SampledFilesPerExtension"/> (or all), and
    /// <see cref="CodebaseScanOptions.SampledFilesPerSquareRoot"/> times the square root of their number
    /// for common extensions, whose estimate weighs most in the total. Chosen from
    /// the listing, before reading: those that turn out binary or empty are simply not counted.
    /// </summary>
    private HashSet<string> SampleOf(List<string> sortedPaths)
    {
        var sample = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in sortedPaths.GroupBy(p => Path.GetExtension(p), StringComparer.OrdinalIgnoreCase))
        {
            var members = group.ToArray();
            var take = Math.Min(members.Length, Math.Max(_options.SampledFilesPerExtension, (int)Math.Ceiling(_options.SampledFilesPerSquareRoot * Math.Sqrt(members.Length))));
            for (var k = 0; k < take; k++)
            {
                sample.Add(members[(int)((long)k * members.Length / take)]);
            }
        }

        return sample;
    }

    /// <summary>
    /// The files whose tokens a scan counts, and their counts. Readers hand over each one's head as they
    /// read it: counted at once when the vocabulary is loaded, kept until <see cref="Finish"/> while it still loads.
    /// </summary>
    private sealed class TokenSample(HashSet<string> members, int headBytes)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Path, string Text, int Bytes)> _waiting = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Tokens, long Bytes)> _counted = new(StringComparer.Ordinal);

        public bool Contains(string path) => members.Contains(path);

        public void Count(string path, ReadOnlySpan<byte> head)
        {
            head = head[..Math.Min(head.Length, headBytes)];
            var text = Encoding.UTF8.GetString(head);
            if (TokenCounter.IsLoaded)
            {
                _counted[path] = (TokenCounter.Count(text), head.Length);
            }
            else
            {
                _waiting.Enqueue((path, text, head.Length));
            }
        }

        /// <summary>Counts the heads that waited for the vocabulary; every count, by path.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, (long Tokens, long Bytes)> Finish(ParallelOptions parallelism)
        {
            Parallel.ForEach(_waiting, parallelism, w => _counted[w.Path] = (TokenCounter.Count(w.Text), w.Bytes));
            _waiting.Clear();
            return _counted;
        }
    }

    private static (long Tokens, long Bytes) CountHead(string path, byte[] buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var read = RandomAccess.Read(handle, buffer, 0);
            return (TokenCounter.Count(Encoding.UTF8.GetString(buffer, 0, read)), read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    internal static bool IsKeyConfig(string relative)
    {
        var name = Path.GetFileName(relative);
        if (KeyConfigNames.Contains(name)
            || name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".sln", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return relative.StartsWith(".github/workflows/", StringComparison.Ordinal)
               && (name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase));
    }

    internal enum FileKind { Other, Backend, Frontend, Test }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> BackendExtension = BackendExtensions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FrontendOnlyExtension = FrontendOnlyExtensions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ScriptExtension = ScriptExtensions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FrontendFolder = FrontendFolders.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> TestFolder = TestFolders.GetAlternateLookup<ReadOnlySpan<char>>();

    // Called for every file of a scan's view: the path's parts are looked at in place, not split out.
    internal static FileKind Classify(string relative)
    {
        var slash = relative.LastIndexOf('/');
        var folders = relative.AsSpan(0, Math.Max(slash, 0));
        var name = relative.AsSpan(slash + 1);
        var extension = Path.GetExtension(name);
        var isSource = BackendExtension.Contains(extension) || FrontendOnlyExtension.Contains(extension) || ScriptExtension.Contains(extension);
        if (!isSource)
        {
            return FileKind.Other;
        }

        if (IsTestFile(folders, name))
        {
            return FileKind.Test;
        }

        if (FrontendOnlyExtension.Contains(extension))
        {
            return FileKind.Frontend;
        }

        if (ScriptExtension.Contains(extension))
        {
            // JavaScript and TypeScript run on both sides; the folder they live in tells which.
            foreach (var folder in folders.Split('/'))
            {
                if (FrontendFolder.Contains(folders[folder]))
                {
                    return FileKind.Frontend;
                }
            }
        }

        return FileKind.Backend;
    }

    /// <summary>True for a folder name that holds tests: tests, spec, e2e, Foo.Tests...</summary>
    internal static bool IsTestFolder(string name) => IsTestFolder(name.AsSpan());

    private static bool IsTestFolder(ReadOnlySpan<char> name) =>
        TestFolder.Contains(name)
        || name.EndsWith(".Tests", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".Test", StringComparison.OrdinalIgnoreCase);

    private static bool IsTestFile(ReadOnlySpan<char> folders, ReadOnlySpan<char> name)
    {
        foreach (var folder in folders.Split('/'))
        {
            if (IsTestFolder(folders[folder]))
            {
                return true;
            }
        }

        var stem = Path.GetFileNameWithoutExtension(name);
        return stem.StartsWith("test_", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith("_test", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith("Tests", StringComparison.Ordinal)
               || stem.EndsWith("Test", StringComparison.Ordinal)
               || stem.EndsWith(".test", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith(".spec", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True when the file really lies under the root once every link on its path is resolved: a link
    /// "inside.py -> escape/passwd" looks inside, but reads /etc/passwd when "escape" links to /etc,
    /// and git may list a tracked "dir/file" whose folder was since replaced by a link.
    /// </summary>
    internal static bool IsInsideRoot(string realRoot, string path) =>
        RealPath(path) is { } real && IsUnder(realRoot, real);

    /// <summary>The path with every symbolic link in it resolved, like realpath(3); null for a link loop.</summary>
    internal static string? RealPath(string path)
    {
        var resolved = Path.GetPathRoot(path) ?? "/";
        var pending = new Stack<string>(path[resolved.Length..].Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).Reverse());
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Combine(resolved, segment);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                resolved = next;
                continue;
            }

            if (++links > 40)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target) ?? "/";
                target = target[resolved.Length..];
            }

            foreach (var part in target.Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(part);
            }
        }

        return resolved;
    }

    internal static bool IsUnder(string root, string path)
    {
        var normalizedRoot = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(normalizedRoot, StringComparison.Ordinal);
    }

    /// <summary>
    /// Admits files that exist and really lie under the root, and says where each really is. Folders
    /// are resolved once each, so a 50,000-file workspace costs one link resolution per folder, not per file.
    /// </summary>
    internal sealed class RootGuard(string root)
    {
        private readonly string _realRoot = RealPath(root) ?? root;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _folders = new(StringComparer.Ordinal);

        /// <summary>An admitted file: its information (its target's, for a link) and its real path relative to the root.</summary>
        internal sealed record Admission(FileInfo Info, string RealRelative);

        /// <summary>The file's admission, or null when it is not a file under the root once every link is resolved.</summary>
        public Admission? Admit(string relative)
        {
            var full = Path.Combine(root, relative);
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                return null;
            }

            var slash = relative.LastIndexOf('/');
            var folder = relative.AsSpan(0, Math.Max(slash, 0));
            var realFolder = slash < 0 ? "" : RealFolder(folder);
            if (realFolder is null)
            {
                return null;
            }

            if (!info.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                // Most files lie in folders reached without links: their real path is the one given.
                return new Admission(info, folder.SequenceEqual(realFolder) ? relative
                    : realFolder.Length == 0 ? relative[(slash + 1)..] : $"{realFolder}/{relative.AsSpan(slash + 1)}");
            }

            var real = RealPath(full);
            return RelativeToRoot(real) is { Length: > 0 } realRelative && new FileInfo(real!) is { Exists: true } target
                ? new Admission(target, realRelative)
                : null;
        }

        /// <summary>True when the file's folder is reached from the root without any link (its real path is the one given).</summary>
        public bool IsInPlainFolder(string relative)
        {
            var slash = relative.LastIndexOf('/');
            return slash < 0 || RealFolder(relative.AsSpan(0, slash)) is { } real && relative.AsSpan(0, slash).SequenceEqual(real);
        }

        /// <summary>
        /// A folder's real path relative to the root, or null when it leads outside; each folder is
        /// resolved once, from its parent's real path and a look at whether it is itself a link.
        /// </summary>
        private string? RealFolder(ReadOnlySpan<char> folder)
        {
            var known = _folders.GetAlternateLookup<ReadOnlySpan<char>>();
            if (known.TryGetValue(folder, out var real))
            {
                return real;
            }

            var slash = folder.LastIndexOf('/');
            var parent = slash < 0 ? "" : RealFolder(folder[..slash]);
            var name = folder[(slash + 1)..];
            if (parent is not null)
            {
                var full = parent.Length == 0 ? $"{_realRoot}/{name}" : $"{_realRoot}/{parent}/{name}";
                real = new DirectoryInfo(full).LinkTarget is null
                    ? parent.Length == 0 ? name.ToString() : $"{parent}/{name}"
                    : RelativeToRoot(RealPath(full));
            }

            _folders.TryAdd(folder.ToString(), real);
            return real;
        }

        /// <summary>A real path relative to the real root with '/' separators ("" for the root itself), or null when it lies outside.</summary>
        private string? RelativeToRoot(string? real) =>
            real is null ? null
            : real == _realRoot ? ""
            : IsUnder(_realRoot, real) ? Path.GetRelativePath(_realRoot, real).Replace(Path.DirectorySeparatorChar, '/')
            : null;
    }

    private static bool PassesThroughLinkedFolder(string root, string relative)
    {
        var slash = -1;
        while ((slash = relative.IndexOf('/', slash + 1)) >= 0)
        {
            if (new DirectoryInfo(Path.Combine(root, relative[..slash])).LinkTarget is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The candidate files, sorted: see <see cref="EnumerateCandidates"/>.</summary>
    private List<string> ListFiles(string root, CancellationToken cancellationToken)
    {
        var files = EnumerateCandidates(root, cancellationToken).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// The candidate files as they come: git's list in a repository (parsed as git prints it, while
    /// git still walks the untracked folders), else a walk that applies the .gitignore files as
    /// git would; without secret files, skipped folders and what .buildloreignore hides. Not yet
    /// checked against links leaving the root.
    /// </summary>
    private IEnumerable<string> EnumerateCandidates(string root, CancellationToken cancellationToken)
    {
        var hidden = GitIgnoreMatcher.ForRootFile(root, IgnoreFileName);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var any = false;
        foreach (var file in _options.UseGit ? StreamGitFiles(root, cancellationToken) : [])
        {
            any = true;
            // --cached lists a file once per merge stage.
            if (seen.Add(file) && IsListable(file) && hidden?.IsFileIgnored(file) != true)
            {
                yield return file;
            }
        }

        if (any)
        {
            yield break;
        }

        // Not a repository (or an empty one, or no git): walk the folder instead.
        foreach (var file in WalkFiles(root, cancellationToken))
        {
            if (IsListable(file) && hidden?.IsFileIgnored(file) != true)
            {
                yield return file;
            }
        }
    }

    internal static bool IsListable(string relative)
    {
        // Called for every file of the workspace: the folders are looked at in place, not split out.
        var slash = relative.LastIndexOf('/');
        var folders = relative.AsSpan(0, Math.Max(slash, 0));
        foreach (var folder in folders.Split('/'))
        {
            if (WorkspacePaths.IsSkippedDirectory(folders[folder]))
            {
                return false;
            }
        }

        return !WorkspacePaths.IsSecretFile(relative.AsSpan(slash + 1));
    }

    /// <summary>
    /// The files of <c>git ls-files --cached --others --exclude-standard</c> as git prints them; nothing
    /// when the folder is not a repository or git is not installed. --cached also lists files deleted
    /// from the work tree (the root guard drops those).
    /// </summary>
    private static IEnumerable<string> StreamGitFiles(string root, CancellationToken cancellationToken)
    {
        Process? git;
        try
        {
            git = Process.Start(GitStart(root, ["-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            yield break;
        }

        if (git is null)
        {
            yield break;
        }

        using (git)
        {
            var stderr = git.StandardError.ReadToEndAsync(cancellationToken);
            var name = new StringBuilder();
            var buffer = new char[16 * 1024];
            int read;
            while ((read = git.StandardOutput.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = 0;
                int zero;
                while ((zero = Array.IndexOf(buffer, '\0', start, read - start)) >= 0)
                {
                    name.Append(buffer, start, zero - start);
                    yield return name.ToString();
                    name.Clear();
                    start = zero + 1;
                }

                name.Append(buffer, start, read - start);
            }

            git.WaitForExit();
            _ = stderr.Result;
        }
    }

    private static ProcessStartInfo GitStart(string root, string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs git in the workspace; its standard output, or null when it failed (not a repository) or is not installed.</summary>
    private static string? RunGit(string root, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            using var git = Process.Start(GitStart(root, arguments));
            if (git is null)
            {
                return null;
            }

            var stderr = git.StandardError.ReadToEndAsync(cancellationToken);
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            _ = stderr.Result;
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// Walks a workspace that is not a git repository (or where git is missing), skipping what its
    /// .gitignore files and .git/info/exclude ignore, exactly as git would, and never entering linked folders.
    /// </summary>
    private static List<string> WalkFiles(string root, CancellationToken cancellationToken)
    {
        var matcher = GitIgnoreMatcher.ForWorkspace(root);
        var result = new List<string>();
        var lists = new List<IgnoreList>();
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        Walk("", root);
        return result;

        void Walk(string relative, string directory)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var list = matcher.ListOf(relative);
            if (list is not null)
            {
                lists.Add(list);
            }

            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options))
            {
                var path = relative.Length == 0 ? entry.Name : $"{relative}/{entry.Name}";
                if (entry is DirectoryInfo sub)
                {
                    // Never follow directory links: they may lead anywhere on the host.
                    if (sub.LinkTarget is null && !WorkspacePaths.IsSkippedDirectory(sub.Name) && !matcher.IsIgnored(path, isDirectory: true, lists))
                    {
                        Walk(path, sub.FullName);
                    }
                }
                else if (!matcher.IsIgnored(path, isDirectory: false, lists))
                {
                    result.Add(path);
                }
            }

            if (list is not null)
            {
                lists.RemoveAt(lists.Count - 1);
            }
        }
    }
}

/// <summary>Caps that keep a codebase response a sensible size whatever the workspace.</summary>
public sealed record CodebaseScanOptions
{
    public int MaxTreeEntries { get; init; } = 20_000;
    public int MaxSourceFiles { get; init; } = 300;
    public int MaxConfigFiles { get; init; } = 100;
    public int MaxConfigFileChars { get; init; } = 64 * 1024;
    /// <summary>Dependencies are parsed from at most this many manifests (the rest are named as skipped).</summary>
    public int MaxManifestFiles { get; init; } = 1_000;
    /// <summary>A manifest is parsed from at most this much of its beginning (a longer one is reported as cut).</summary>
    public long MaxManifestBytes { get; init; } = 4L * 1024 * 1024;
    /// <summary>All manifests together are read up to about this much; those after it are named as skipped.</summary>
    public long MaxManifestBytesTotal { get; init; } = 64L * 1024 * 1024;
    /// <summary>Lines are counted in at most this many bytes of each file.</summary>
    public long MaxBytesCountedPerFile { get; init; } = 16L * 1024 * 1024;
    /// <summary>Workspaces with at most this much text have every file's tokens counted; larger ones are sampled.</summary>
    public long MaxBytesForExactTokens { get; init; } = 8L * 1024 * 1024;
    /// <summary>In a sampled count, how many files of each extension are tokenized at least (more for common extensions).</summary>
    public int SampledFilesPerExtension { get; init; } = 40;
    /// <summary>In a sampled count, an extension with n files has this many times the square root of n of them tokenized (at least <see cref="SampledFilesPerExtension"/>).</summary>
    public double SampledFilesPerSquareRoot { get; init; } = 1.5;
    /// <summary>In a sampled count, how much of each sampled file is tokenized.</summary>
    public int SampleHeadBytes { get; init; } = 16 * 1024;
    /// <summary>Ask git for the file list when the workspace is a repository.</summary>
    public bool UseGit { get; init; } = true;
}
