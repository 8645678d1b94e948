namespace BuildLore.Core.Logs;

/// <summary>
/// The seed's <c>log_summary</c>: how long the log is and which of its lines are errors and warnings.
/// The lists are capped (<see cref="LogSummarizer.MaxListedLines"/>); the counts are not.
/// </summary>
public sealed record LogSummary(
    long TotalLines,
    long ErrorCount,
    long WarningCount,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    public static LogSummary Empty { get; } = new(0, 0, 0, [], []);
}
