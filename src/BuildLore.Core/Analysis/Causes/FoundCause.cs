namespace BuildLore.Core.Analysis.Causes;

/// <summary>A <see cref="FailureCause"/> found in a log.</summary>
/// <param name="Name">The cause's name.</param>
/// <param name="Description">The cause's description with its <c>${I,G}</c> tokens expanded.</param>
/// <param name="Categories">The cause's categories.</param>
/// <param name="Indications">Evidence: the first matching line of each indication that matched, in log order.</param>
public sealed record FoundCause(
    string Name,
    string Description,
    IReadOnlyList<string> Categories,
    IReadOnlyList<FoundIndication> Indications)
{
    /// <summary>The earliest log line that revealed the cause.</summary>
    public long FirstLogLine => Indications[0].LogLine;
}

/// <summary>The first line an indication matched.</summary>
/// <param name="IndicationNumber">1-based number of the indication in its cause.</param>
/// <param name="Pattern">The indication's pattern.</param>
/// <param name="LogLine">The matching line's number in the log.</param>
/// <param name="MatchingLine">The matching line.</param>
/// <param name="Groups">The captured groups, index 0 being the whole line; a group that did not
/// participate is empty.</param>
public sealed record FoundIndication(
    int IndicationNumber,
    string Pattern,
    long LogLine,
    string MatchingLine,
    IReadOnlyList<string> Groups);
