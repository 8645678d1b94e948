using Microsoft.Extensions.FileSystemGlobbing;

namespace BuildLore.Core.Codebase;

/// <summary>A glob a client sent that BuildLore cannot use: which parameter, and why.</summary>
public sealed class CodebaseFilterException(string field, string message) : Exception(message)
{
    /// <summary><c>include</c> or <c>exclude</c>.</summary>
    public string Field { get; } = field;
}

/// <summary>
/// Include and exclude globs that narrow a codebase view, read gitignore-style and matched with
/// Microsoft.Extensions.FileSystemGlobbing: <c>*</c> within a name, <c>**</c> across folders
/// (<c>src/**/*.cs</c>); a glob without a slash matches a name at any depth (<c>*.test.ts</c>,
/// <c>tests</c>); a leading <c>/</c> anchors it at the workspace root; a glob that names a folder
/// covers everything below it. A file is kept when it matches an include (or there are none) and no
/// exclude.
/// </summary>
public sealed class CodebaseFilter
{
    public const int MaxGlobs = 50;
    public const int MaxGlobLength = 500;

    /// <summary>What a glob may look like, for error messages.</summary>
    public const string Allowed = "gitignore-style globs with * and ** (such as src/**/*.cs or *.test.ts), comma-separated or repeated";

    private readonly Matcher _matcher = new(StringComparison.Ordinal);

    private CodebaseFilter(IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        Include = include;
        Exclude = exclude;
        foreach (var glob in include.DefaultIfEmpty("**"))
        {
            AddPatterns(glob, _matcher.AddInclude);
        }

        foreach (var glob in exclude)
        {
            AddPatterns(glob, _matcher.AddExclude);
        }
    }

    public IReadOnlyList<string> Include { get; }

    public IReadOnlyList<string> Exclude { get; }

    /// <summary>
    /// Checks and combines the globs (each value may hold several, comma-separated); null when there are none.
    /// </summary>
    /// <exception cref="CodebaseFilterException">A glob is empty, too long, leaves the workspace or uses syntax that is not supported.</exception>
    public static CodebaseFilter? Create(IEnumerable<string?>? include, IEnumerable<string?>? exclude)
    {
        var includes = Split("include", include);
        var excludes = Split("exclude", exclude);
        return includes.Count == 0 && excludes.Count == 0 ? null : new CodebaseFilter(includes, excludes);
    }

    /// <summary>The paths (relative, '/' separators) the filter keeps, in their order.</summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<string> paths)
    {
        // The matcher works on a virtual folder; the root's name never reaches a client.
        const string root = "/workspace";
        var kept = _matcher.Match(root, paths.Select(p => $"{root}/{p}"))
            .Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return [.. paths.Where(kept.Contains)];
    }

    private static List<string> Split(string field, IEnumerable<string?>? values)
    {
        var globs = new List<string>();
        foreach (var value in values ?? [])
        {
            foreach (var glob in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                Validate(field, glob);
                globs.Add(glob);
                if (globs.Count > MaxGlobs)
                {
                    throw new CodebaseFilterException(field, $"{field} takes at most {MaxGlobs} globs.");
                }
            }
        }

        return globs;
    }

    private static void Validate(string field, string glob)
    {
        string? problem = glob switch
        {
            "" => "is empty",
            { Length: > MaxGlobLength } => $"is longer than {MaxGlobLength} characters",
            _ when glob.Any(char.IsControl) => "holds a control character",
            _ when glob.Contains('\\') => "holds a backslash: use '/' between folders",
            _ when glob.StartsWith('!') => "starts with '!': negations are not supported, put the glob in exclude instead",
            _ when glob.StartsWith('~') || (glob.Length > 1 && glob[1] == ':') => "is not relative to the workspace root",
            _ when glob.IndexOfAny(['?', '[', ']', '{', '}']) >= 0 => "uses ?, [...] or {...}, which are not supported: use * and **, and one glob per alternative",
            _ => null,
        };
        if (problem is null)
        {
            foreach (var segment in glob.Trim('/').Split('/'))
            {
                if (segment is "." or ".." || segment.Length == 0)
                {
                    problem = "has an empty, '.' or '..' segment: globs stay inside the workspace";
                    break;
                }

                if (segment.Contains("**", StringComparison.Ordinal) && segment != "**")
                {
                    problem = $"has '{segment}': '**' must be a whole path segment, as in src/**/*.cs";
                    break;
                }
            }
        }

        if (problem is not null)
        {
            throw new CodebaseFilterException(field, $"{field} glob '{Shorten(glob)}' {problem}. Allowed: {Allowed}.");
        }
    }

    private static string Shorten(string glob) => glob.Length <= 80 ? glob : glob[..80] + "...";

    /// <summary>The FileSystemGlobbing patterns of one gitignore-style glob.</summary>
    private static void AddPatterns(string glob, Func<string, Matcher> add)
    {
        var anchored = glob.StartsWith('/');
        var pattern = glob.Trim('/');
        if (!anchored && !pattern.Contains('/'))
        {
            pattern = pattern == "**" ? pattern : "**/" + pattern;
        }

        add(pattern);
        if (!pattern.EndsWith("/**", StringComparison.Ordinal) && pattern != "**")
        {
            add(pattern + "/**"); // a glob naming a folder covers what is inside it
        }
    }
}
