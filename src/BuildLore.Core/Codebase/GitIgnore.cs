using System.Text;

namespace BuildLore.Core.Codebase;

/// <summary>
/// The patterns of one ignore file (a <c>.gitignore</c>, <c>.git/info/exclude</c> or
/// <c>.buildloreignore</c>), parsed and matched as git's dir.c does: comments, trailing spaces unless
/// escaped, <c>!</c> negation, a trailing <c>/</c> for folders only, patterns without a slash matching
/// a name at any depth and others anchored to the file's folder.
/// </summary>
internal sealed class IgnoreList
{
    private readonly byte[] _base; // the ignore file's folder relative to the root, without a trailing '/'; empty at the root
    private readonly Pattern[] _patterns;

    private sealed record Pattern(byte[] Glob, bool Negative, bool MustBeDirectory, bool NameOnly);

    private IgnoreList(byte[] @base, Pattern[] patterns)
    {
        _base = @base;
        _patterns = patterns;
    }

    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Parses an ignore file's bytes; <paramref name="directory"/> is its folder relative to the root ("" for the root).</summary>
    public static IgnoreList Parse(string directory, ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\xEF\xBB\xBF"u8))
        {
            content = content[3..];
        }

        var patterns = new List<Pattern>();
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (line[^1] == '\r')
            {
                line = line[..^1];
            }

            line = TrimTrailingSpaces(line);
            if (ParsePattern(line) is { } pattern)
            {
                patterns.Add(pattern);
            }
        }

        return new IgnoreList(Encoding.UTF8.GetBytes(directory.TrimEnd('/')), [.. patterns]);
    }

    /// <summary>Reads <paramref name="file"/> if it is a regular file (git does not follow links to ignore files), else null.</summary>
    public static IgnoreList? Read(string file, string directory)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.LinkTarget is not null)
            {
                return null;
            }

            var list = Parse(directory, File.ReadAllBytes(file));
            return list.IsEmpty ? null : list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The verdict of the last pattern matching <paramref name="path"/> (relative to the root):
    /// true when it ignores, false when a negation takes it back, null when none matches.
    /// </summary>
    public bool? Match(ReadOnlySpan<byte> path, bool isDirectory)
    {
        var slash = path.LastIndexOf((byte)'/');
        var name = path[(slash + 1)..];
        for (var i = _patterns.Length - 1; i >= 0; i--)
        {
            var pattern = _patterns[i];
            if (pattern.MustBeDirectory && !isDirectory)
            {
                continue;
            }

            var matches = pattern.NameOnly
                ? WildMatch.IsMatch(pattern.Glob, name, pathname: false)
                : MatchPathname(path, pattern.Glob);
            if (matches)
            {
                return !pattern.Negative;
            }
        }

        return null;
    }

    private bool MatchPathname(ReadOnlySpan<byte> path, ReadOnlySpan<byte> glob)
    {
        if (glob.Length > 0 && glob[0] == '/')
        {
            glob = glob[1..];
        }

        if (_base.Length > 0)
        {
            if (path.Length < _base.Length + 1 || path[_base.Length] != '/' || !path.StartsWith(_base))
            {
                return false;
            }

            path = path[(_base.Length + 1)..];
        }

        return WildMatch.IsMatch(glob, path, pathname: true);
    }

    private static Pattern? ParsePattern(ReadOnlySpan<byte> line)
    {
        var negative = false;
        if (line.Length > 0 && line[0] == '!')
        {
            negative = true;
            line = line[1..];
        }

        var mustBeDirectory = false;
        if (line.Length > 0 && line[^1] == '/')
        {
            mustBeDirectory = true;
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            return null; // matches no name
        }

        return new Pattern(line.ToArray(), negative, mustBeDirectory, NameOnly: !line.Contains((byte)'/'));
    }

    /// <summary>Trailing spaces are dropped unless the last one is escaped with a backslash.</summary>
    private static ReadOnlySpan<byte> TrimTrailingSpaces(ReadOnlySpan<byte> line)
    {
        var lastSpace = -1;
        for (var i = 0; i < line.Length; i++)
        {
            switch (line[i])
            {
                case (byte)' ':
                    if (lastSpace < 0)
                    {
                        lastSpace = i;
                    }

                    break;
                case (byte)'\\':
                    if (++i == line.Length)
                    {
                        return line;
                    }

                    lastSpace = -1;
                    break;
                default:
                    lastSpace = -1;
                    break;
            }
        }

        return lastSpace < 0 ? line : line[..lastSpace];
    }
}

/// <summary>
/// Decides what git would ignore in a workspace without asking git: the <c>.gitignore</c> of every
/// folder (deeper files win over shallower ones, the last matching line of a file wins), then
/// <c>.git/info/exclude</c>; a file is ignored when it or any folder above it is, since git never looks
/// inside an ignored folder (so a negation cannot bring back a file under one). Checked against
/// <c>git check-ignore</c> on generated trees by a property test.
/// </summary>
internal sealed class GitIgnoreMatcher
{
    public const string GitIgnoreFileName = ".gitignore";

    private readonly string _root;
    private readonly bool _perDirectory;
    private readonly IgnoreList[] _global;
    private readonly Dictionary<string, IgnoreList?> _directoryLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _directoryIgnored = new(StringComparer.Ordinal);

    private GitIgnoreMatcher(string root, bool perDirectory, IgnoreList[] global)
    {
        _root = root;
        _perDirectory = perDirectory;
        _global = global;
    }

    /// <summary>Every <c>.gitignore</c> under the root and the repository's <c>.git/info/exclude</c> when there is one.</summary>
    public static GitIgnoreMatcher ForWorkspace(string root) =>
        new(root, perDirectory: true, IgnoreList.Read(Path.Combine(root, ".git", "info", "exclude"), "") is { } exclude ? [exclude] : []);

    /// <summary>One ignore file at the root read alone (<c>.buildloreignore</c>); null when it does not exist or holds no pattern.</summary>
    public static GitIgnoreMatcher? ForRootFile(string root, string fileName) =>
        IgnoreList.Read(Path.Combine(root, fileName), "") is { } list ? new(root, perDirectory: false, [list]) : null;

    /// <summary>The patterns of <paramref name="directory"/>'s own .gitignore ("" for the root); null when it has none or this matcher reads one root file only.</summary>
    public IgnoreList? ListOf(string directory)
    {
        if (!_perDirectory)
        {
            return null;
        }

        if (!_directoryLists.TryGetValue(directory, out var list))
        {
            list = IgnoreList.Read(Path.Combine(_root, directory, GitIgnoreFileName), directory);
            _directoryLists[directory] = list;
        }

        return list;
    }

    /// <summary>
    /// Whether an entry is ignored, given the lists of the folders above it (root first). Callers walk
    /// from the root down and skip ignored folders, as git does.
    /// </summary>
    public bool IsIgnored(string relative, bool isDirectory, IReadOnlyList<IgnoreList> directoryLists)
    {
        var path = Encoding.UTF8.GetBytes(relative);
        for (var i = directoryLists.Count - 1; i >= 0; i--)
        {
            if (directoryLists[i].Match(path, isDirectory) is { } verdict)
            {
                return verdict;
            }
        }

        foreach (var list in _global)
        {
            if (list.Match(path, isDirectory) is { } verdict)
            {
                return verdict;
            }
        }

        return false;
    }

    /// <summary>Whether the file at <paramref name="relative"/> is ignored, itself or through a folder above it.</summary>
    public bool IsFileIgnored(string relative)
    {
        var lists = new List<IgnoreList>();
        if (ListOf("") is { } rootList)
        {
            lists.Add(rootList);
        }

        var slash = -1;
        while ((slash = relative.IndexOf('/', slash + 1)) >= 0)
        {
            var directory = relative[..slash];
            if (!_directoryIgnored.TryGetValue(directory, out var ignored))
            {
                ignored = IsIgnored(directory, isDirectory: true, lists);
                _directoryIgnored[directory] = ignored;
            }

            if (ignored)
            {
                return true;
            }

            if (ListOf(directory) is { } list)
            {
                lists.Add(list);
            }
        }

        return IsIgnored(relative, isDirectory: false, lists);
    }
}
