namespace BuildLore.Core.Logs;

/// <summary>
/// The seed's <c>log_summary</c>: how long the log is and which of its lines are errors and warnings.
/// The lists are capped (<see cref="MaxListed"/>); the counts are not. Made from the analyzer's
/// diagnostics by <c>AnalysisSummary.ToLogSummary</c>.
/// </summary>
public sealed record LogSummary(
    long TotalLines,
    long ErrorCount,
    long WarningCount,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    /// <summary>How many error (and warning) lines the summary lists; the counts go on past it.</summary>
    public const int MaxListed = 200;

    public static LogSummary Empty { get; } = new(0, 0, 0, [], []);
}
