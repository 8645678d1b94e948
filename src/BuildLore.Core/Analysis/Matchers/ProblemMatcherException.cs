namespace BuildLore.Core.Analysis.Matchers;

/// <summary>A problem matcher definition is malformed or breaks one of the Actions runner's rules.</summary>
public sealed class ProblemMatcherException : Exception
{
    public ProblemMatcherException()
    {
    }

    public ProblemMatcherException(string message)
        : base(message)
    {
    }

    public ProblemMatcherException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ProblemMatcherException(string message, int? matcherIndex, string? owner, int? patternIndex, Exception? innerException = null)
        : base(message, innerException)
    {
        MatcherIndex = matcherIndex;
        Owner = owner;
        PatternIndex = patternIndex;
    }

    /// <summary>0-based index of the offending matcher in the <c>problemMatcher</c> array, when known.</summary>
    public int? MatcherIndex { get; }

    /// <summary>Owner of the offending matcher, when it has one.</summary>
    public string? Owner { get; }

    /// <summary>0-based index of the offending pattern in the matcher's <c>pattern</c> array, when known.</summary>
    public int? PatternIndex { get; }
}
