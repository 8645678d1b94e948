using BuildLore.Core.Analysis;

namespace BuildLore.Core.Logs;

/// <summary>
/// The seed's <c>log_summary</c> for a log fed in pieces of any size: the counts and lines of the
/// diagnostics <see cref="LogAnalyzer"/> finds. Kept as its own small type for callers that want only
/// the summary.
/// </summary>
public sealed class LogSummarizer
{
    /// <summary>How many error (and warning) lines the summary lists; the counts go on past it.</summary>
    public const int MaxListedLines = 200;

    private readonly LogAnalyzer _analyzer = new();
    private LogSummary? _summary;

    /// <summary>Feeds the next piece of the log; pieces may split lines anywhere.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        if (_summary is not null)
        {
            throw new InvalidOperationException("The summary was already taken; a summarizer reads one log.");
        }

        _analyzer.Append(text);
    }

    /// <summary>Ends the log and returns its summary.</summary>
    public LogSummary GetSummary() => _summary ??= _analyzer.Complete().ToLogSummary();

    /// <summary>Summarizes a whole text at once.</summary>
    public static LogSummary Summarize(string text)
    {
        var summarizer = new LogSummarizer();
        summarizer.Append(text);
        return summarizer.GetSummary();
    }

    /// <summary>Summarizes a log read piece by piece.</summary>
    public static async Task<LogSummary> SummarizeAsync(IAsyncEnumerable<string> pieces, CancellationToken cancellationToken = default) =>
        (await AnalysisSummary.AnalyzeAsync(pieces, cancellationToken: cancellationToken).ConfigureAwait(false)).ToLogSummary();
}
