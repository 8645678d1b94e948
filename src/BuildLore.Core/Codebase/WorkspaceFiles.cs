using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BuildLore.Core.Analysis.Redaction;

namespace BuildLore.Core.Codebase;

/// <summary>Why a path was refused, in words a client can act on.</summary>
public sealed class WorkspacePathException(string message) : Exception(message);

/// <summary>A file's text, or a part of it, as a client may see it.</summary>
public sealed record WorkspaceFile(string Path, string Language, long Size, long TotalLines, long StartLine, long EndLine, string? Content, bool Binary, bool Truncated, int Redactions)
{
    /// <summary>When the cap stopped the content before the range's end: the line to ask for next.</summary>
    public long? NextStartLine { get; init; }
}

/// <summary>
/// A line that matched a search, with the lines around it. <paramref name="Column"/> is where the match
/// starts in the whole line (1-based); <paramref name="Cut"/> says the line or a context line was longer
/// than <see cref="WorkspaceFiles.MaxHitLineChars"/> and only a window of it (around the match) is given.
/// </summary>
public sealed record SearchHit(string Path, long Line, long Column, string Text, IReadOnlyList<string> Before, IReadOnlyList<string> After, bool Cut);

/// <summary>
/// Reading and searching the workspace's files for clients, confined to the workspace: every path is
/// checked before anything is opened (no absolute paths, no <c>..</c>, no links leaving the root, no
/// secret, ignored or tool-output files), and secrets inside the text are redacted.
/// </summary>
public sealed class WorkspaceFiles(string workspaceRoot, CodebaseScanner? scanner = null)
{
    public const int MaxFileChars = 256 * 1024;

    // Characters read past the cap of a line too long to send, for the redactor to see a token cut there.
    private const int RedactionMargin = 16 * 1024;

    /// <summary>Search hits and their context lines are cut to this many characters (around the match).</summary>
    public const int MaxHitLineChars = 500;

    /// <summary>Starts the note put in place of the rest of a line too long for <see cref="MaxFileChars"/>.</summary>
    public const string LineCutMarker = "[BuildLore: cut here;";
    private const long MaxSearchedFileBytes = 2 * 1024 * 1024;
    private readonly CodebaseScanner _scanner = scanner ?? new CodebaseScanner();
    private readonly string _root = Path.GetFullPath(workspaceRoot);
    private string? _realRoot;

    /// <summary>For tests: runs between a path's check and its opening, where a swapped link would slip in.</summary>
    internal Action<string>? BeforeOpen { get; init; }

    private string RealRoot => _realRoot ??= CodebaseScanner.RealPath(_root) ?? _root;

    /// <summary>Checks a client's path and returns it relative with '/' separators.</summary>
    /// <exception cref="WorkspacePathException">The path tries to leave the workspace, or names a file clients may not see.</exception>
    public string Check(string? path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new WorkspacePathException("path is required: a file path relative to the workspace root, such as src/main.py.");
        }

        if (path.Length > 1024 || path.Any(c => c < ' ' || c == '\\'))
        {
            throw new WorkspacePathException("path must be a relative path with '/' separators and no control characters.");
        }

        var normalized = path.Normalize(NormalizationForm.FormKC);
        if (Path.IsPathRooted(path) || path.StartsWith('/') || path.StartsWith('~') || (path.Length > 1 && path[1] == ':'))
        {
            throw new WorkspacePathException("path must be relative to the workspace root, not absolute.");
        }

        var segments = normalized.Split('/');
        if (segments.Any(s => s is ".." or "." || s.Contains("..", StringComparison.Ordinal) && s.Trim('.').Length == 0))
        {
            throw new WorkspacePathException("path must not contain '.' or '..' segments: it stays inside the workspace.");
        }

        var relative = string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (!_scanner.IsVisible(_root, relative, cancellationToken))
        {
            throw new WorkspacePathException(File.Exists(Path.Combine(_root, relative))
                ? $"'{relative}' is not available: secret, git-ignored and tool-output files, and links that leave the workspace, are never returned."
                : $"'{relative}' is not a file in the workspace.");
        }

        return relative;
    }

    /// <summary>Reads a checked file, or lines <paramref name="start"/>..<paramref name="end"/> of it (1-based, inclusive).</summary>
    public WorkspaceFile Read(string path, long? start = null, long? end = null, CancellationToken cancellationToken = default)
    {
        var relative = Check(path, cancellationToken);
        var full = Path.Combine(_root, relative);
        var size = TargetLength(full);
        var language = Languages.Of(relative);
        if (size == 0)
        {
            // Nothing to read; FIFOs and devices also report no size, and opening them would block.
            return new WorkspaceFile(relative, language, 0, 0, 0, 0, "", Binary: false, Truncated: false, Redactions: 0);
        }

        using var stream = Open(relative, full, real => _scanner.IsVisible(_root, real, cancellationToken));
        if (IsBinary(stream))
        {
            return new WorkspaceFile(relative, language, size, 0, 0, 0, null, Binary: true, Truncated: false, Redactions: 0);
        }

        using var text = new StreamReader(stream, new UTF8Encoding(false, false));
        var reader = new BoundedLineReader(text);
        var first = Math.Max(1, start ?? 1);
        var last = end ?? long.MaxValue;
        var content = new StringBuilder();
        var redactor = new StreamingRedactor();
        long number = 0, endLine = 0;
        var truncated = false;
        var redactions = 0;
        // Once nothing more will be sent, lines are only counted (none of their text kept). A line is kept
        // up to the cap and a margin (so that a secret straddling the cut is still seen whole by the
        // redactor): no more of it could be sent, so a file that is one huge line costs no more memory.
        while (reader.ReadLine(number >= last || truncated ? 0 : MaxFileChars + RedactionMargin, out var lineLength) is { } line)
        {
            number++;
            if (number > last || truncated)
            {
                continue;
            }

            // Lines before the range are redacted too: a secret spanning lines (a key block) carries state.
            var clean = redactor.Redact(line, out var count);
            if (number < first)
            {
                continue;
            }

            var cut = lineLength > line.Length;
            if (cut || content.Length + clean.Length + 1 > MaxFileChars)
            {
                // Stop at the first line that does not fit, so start_line..end_line is exactly what was
                // sent. A first line longer than the whole cap is sent cut, with a marker saying so.
                truncated = true;
                if (content.Length == 0)
                {
                    var keep = Math.Min(clean.Length, MaxFileChars - 200); // room for the note
                    keep -= keep > 0 && char.IsHighSurrogate(clean[keep - 1]) ? 1 : 0;
                    content.Append(clean, 0, keep)
                        .Append(CultureInfo.InvariantCulture, $" {LineCutMarker} line {number} has {lineLength:N0} characters, the first {keep:N0} are shown]")
                        .Append('\n');
                    redactions += count;
                    endLine = number;
                }

                continue;
            }

            redactions += count;
            content.Append(clean).Append('\n');
            endLine = number;
        }

        return new WorkspaceFile(relative, language, size, number, endLine == 0 ? 0 : first, endLine, content.ToString(), Binary: false, truncated, redactions)
        {
            NextStartLine = truncated && endLine < Math.Min(last, number) ? endLine + 1 : null,
        };
    }

    /// <summary>Finds lines containing <paramref name="query"/> (plain text, or a regular expression) in the visible text files.</summary>
    public (IReadOnlyList<SearchHit> Hits, bool Truncated) Search(string query, bool regex, int maxHits, int context, CancellationToken cancellationToken = default) =>
        Search(query, regex, maxHits, context, null, cancellationToken);

    /// <summary>Finds lines as <see cref="Search(string, bool, int, int, CancellationToken)"/> does, in the visible files <paramref name="filter"/> keeps.</summary>
    public (IReadOnlyList<SearchHit> Hits, bool Truncated) Search(string query, bool regex, int maxHits, int context, CodebaseFilter? filter, CancellationToken cancellationToken = default)
    {
        var pattern = regex
            ? new Regex(query, RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : null;
        var hits = new List<SearchHit>();
        var files = _scanner.ListVisibleFiles(_root, cancellationToken);
        HashSet<string>? visible = null;
        foreach (var relative in filter?.Apply(files) ?? files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = Path.Combine(_root, relative);
            var size = TargetLength(full);
            if (size == 0 || size > MaxSearchedFileBytes || ReadText(relative, full, real => (visible ??= [.. files]).Contains(real)) is not { } lines)
            {
                continue;
            }

            var redactor = new StreamingRedactor();
            for (var i = 0; i < lines.Length; i++)
            {
                lines[i] = redactor.Redact(lines[i]);
            }

            for (var i = 0; i < lines.Length; i++)
            {
                var (index, length) = pattern?.Match(lines[i]) is { } match
                    ? (match.Success ? match.Index : -1, match.Length)
                    : (lines[i].IndexOf(query, StringComparison.OrdinalIgnoreCase), query.Length);
                if (index < 0)
                {
                    continue;
                }

                if (hits.Count == maxHits)
                {
                    return (hits, true);
                }

                var cut = false;
                string Bounded(string text, int at, int span)
                {
                    if (text.Length <= MaxHitLineChars)
                    {
                        return text;
                    }

                    cut = true;
                    var start = Math.Clamp(at - (MaxHitLineChars - Math.Min(span, MaxHitLineChars)) / 2, 0, text.Length - MaxHitLineChars);
                    var end = start + MaxHitLineChars;
                    start += start > 0 && char.IsLowSurrogate(text[start]) ? 1 : 0;
                    end -= end < text.Length && char.IsLowSurrogate(text[end]) ? 1 : 0;
                    return text[start..end];
                }

                var text = Bounded(lines[i], index, length);
                string[] before = [.. lines[Math.Max(0, i - context)..i].Select(l => Bounded(l, 0, 0))];
                string[] after = [.. lines[(i + 1)..Math.Min(lines.Length, i + 1 + context)].Select(l => Bounded(l, 0, 0))];
                hits.Add(new SearchHit(relative, i + 1, index + 1, text, before, after, cut));
            }
        }

        return (hits, false);
    }

    /// <summary>The size of the file a path names; a link's own FileInfo measures the link, not what it points to.</summary>
    private static long TargetLength(string path)
    {
        var info = new FileInfo(path);
        return (info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info).Length;
    }

    /// <summary>
    /// Opens a file whose path was checked, and makes sure the file opened is the one the check let
    /// through: at the path itself, or (for a link) at a real path <paramref name="admits"/> shows itself.
    /// </summary>
    /// <exception cref="WorkspacePathException">The path was changed between its check and its opening.</exception>
    private FileStream Open(string relative, string full, Func<string, bool> admits)
    {
        BeforeOpen?.Invoke(relative);
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (OpenedFile.TryGetRealRelative(stream.SafeFileHandle, RealRoot, out var real) && real != relative && (real is null || !admits(real)))
        {
            stream.Dispose();
            throw new WorkspacePathException($"'{relative}' changed while it was being opened and now leads {(real is null ? "outside the workspace" : "to a file clients may not see")}; it is not returned.");
        }

        return stream;
    }

    /// <summary>Whether the file has a NUL in its first 8,000 bytes (git's test); the stream is left at its start.</summary>
    private static bool IsBinary(FileStream stream)
    {
        var head = new byte[(int)Math.Min(8000, stream.Length)];
        var binary = head.AsSpan(0, stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)).Contains((byte)0);
        stream.Position = 0;
        return binary;
    }

    /// <summary>A text file's lines, redacted later; null for a binary file or one changed into what may not be read.</summary>
    private string[]? ReadText(string relative, string full, Func<string, bool> admits)
    {
        try
        {
            using var stream = Open(relative, full, admits);
            if (IsBinary(stream))
            {
                return null;
            }

            using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var lines = new List<string>();
            while (text.ReadLine() is { } line)
            {
                lines.Add(line);
            }

            return [.. lines];
        }
        catch (WorkspacePathException)
        {
            return null;
        }
    }
}

/// <summary>A file's language, from its name.</summary>
public static class Languages
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = "csharp", [".fs"] = "fsharp", [".vb"] = "vb", [".py"] = "python", [".go"] = "go", [".rs"] = "rust", [".java"] = "java",
        [".kt"] = "kotlin", [".scala"] = "scala", [".rb"] = "ruby", [".php"] = "php", [".c"] = "c", [".h"] = "c", [".cc"] = "cpp", [".cpp"] = "cpp",
        [".hpp"] = "cpp", [".cxx"] = "cpp", [".js"] = "javascript", [".mjs"] = "javascript", [".cjs"] = "javascript", [".jsx"] = "javascript",
        [".ts"] = "typescript", [".tsx"] = "typescript", [".vue"] = "vue", [".svelte"] = "svelte", [".html"] = "html", [".css"] = "css",
        [".scss"] = "scss", [".json"] = "json", [".xml"] = "xml", [".csproj"] = "xml", [".props"] = "xml", [".yml"] = "yaml", [".yaml"] = "yaml",
        [".toml"] = "toml", [".md"] = "markdown", [".sh"] = "shell", [".sql"] = "sql", [".swift"] = "swift", [".f90"] = "fortran", [".razor"] = "razor",
    };

    public static string Of(string path)
    {
        var name = Path.GetFileName(path);
        if (name is "Makefile" or "makefile" or "GNUmakefile")
        {
            return "makefile";
        }

        if (name.StartsWith("Dockerfile", StringComparison.Ordinal))
        {
            return "dockerfile";
        }

        return ByExtension.TryGetValue(Path.GetExtension(name), out var language) ? language : "text";
    }
}
