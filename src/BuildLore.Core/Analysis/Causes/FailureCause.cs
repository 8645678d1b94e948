using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Causes;

/// <summary>
/// A known reason for a build failure, in the style of Jenkins' Build Failure Analyzer: a name, a
/// description for people (and LLMs), categories, and indications (line patterns) that reveal it.
/// Created by <see cref="FailureCauseLoader"/>; immutable.
/// </summary>
public sealed class FailureCause
{
    internal FailureCause(string name, string description, IReadOnlyList<string> categories, IReadOnlyList<FailureIndication> indications)
    {
        Name = name;
        Description = description;
        Categories = categories;
        Indications = indications;
    }

    /// <summary>The cause's unique name.</summary>
    public string Name { get; }

    /// <summary>The description template; <c>${I,G}</c> tokens are expanded in <see cref="FoundCause.Description"/>.</summary>
    public string Description { get; }

    /// <summary>Categories from <see cref="FailureCategory.All"/>; possibly empty.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>The indications; the cause is found when ANY of them matches a line.</summary>
    public IReadOnlyList<FailureIndication> Indications { get; }
}

/// <summary>One build-log indication of a <see cref="FailureCause"/>: a regex that must match a WHOLE line.</summary>
public sealed class FailureIndication
{
    private readonly Lazy<Regex> _regex;

    internal FailureIndication(int number, string pattern, Func<Regex> compile)
    {
        Number = number;
        Pattern = pattern;
        _regex = new Lazy<Regex>(compile);
    }

    /// <summary>1-based position in the cause's indications: the <c>I</c> of <c>${I,G}</c>.</summary>
    public int Number { get; }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    /// <summary>
    /// The compiled pattern, anchored to match the whole line; built the first time a line is matched
    /// against it (the non-backtracking engine's construction is what costs, in time and memory, and most
    /// indications never see a line that could match).
    /// </summary>
    internal Regex Regex => _regex.Value;
}
