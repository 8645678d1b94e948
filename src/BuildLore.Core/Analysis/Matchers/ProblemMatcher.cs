using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Matchers;

/// <summary>
/// One validated problem matcher in the GitHub Actions format: an owner, an optional default severity
/// and one or more patterns. Created by <see cref="ProblemMatcherLoader"/>; immutable.
/// </summary>
public sealed class ProblemMatcher
{
    internal ProblemMatcher(string owner, string? defaultSeverity, IReadOnlyList<ProblemPattern> patterns)
    {
        Owner = owner;
        DefaultSeverity = defaultSeverity;
        Patterns = patterns;
    }

    /// <summary>The matcher's owner (its id).</summary>
    public string Owner { get; }

    /// <summary>The severity used when the patterns capture none: <c>error</c>, <c>warning</c>,
    /// <c>notice</c>, or null when the definition sets none.</summary>
    public string? DefaultSeverity { get; }

    /// <summary>The patterns, in order; more than one makes a multi-line matcher.</summary>
    public IReadOnlyList<ProblemPattern> Patterns { get; }
}

/// <summary>One line pattern of a <see cref="ProblemMatcher"/>: a regex and which groups hold which fields.</summary>
public sealed class ProblemPattern
{
    internal ProblemPattern(
        string regexp,
        Regex regex,
        int? file,
        int? fromPath,
        int? line,
        int? column,
        int? severity,
        int? code,
        int? message,
        bool loop)
    {
        Regexp = regexp;
        Regex = regex;
        File = file;
        FromPath = fromPath;
        Line = line;
        Column = column;
        Severity = severity;
        Code = code;
        Message = message;
        Loop = loop;
    }

    /// <summary>The pattern's regular expression as written.</summary>
    public string Regexp { get; }

    /// <summary>Group number holding the file, if this pattern captures it.</summary>
    public int? File { get; }

    /// <summary>Group number holding the path the file is relative to, if this pattern captures it.</summary>
    public int? FromPath { get; }

    /// <summary>Group number holding the line number.</summary>
    public int? Line { get; }

    /// <summary>Group number holding the column number.</summary>
    public int? Column { get; }

    /// <summary>Group number holding the severity.</summary>
    public int? Severity { get; }

    /// <summary>Group number holding the code (rule id, diagnostic id).</summary>
    public int? Code { get; }

    /// <summary>Group number holding the message.</summary>
    public int? Message { get; }

    /// <summary>Whether this (last) pattern repeats, emitting one problem per matching line.</summary>
    public bool Loop { get; }

    /// <summary>The compiled regex (ECMAScript semantics, culture invariant, with a match timeout).</summary>
    internal Regex Regex { get; }
}
