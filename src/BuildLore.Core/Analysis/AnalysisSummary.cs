using BuildLore.Core.Logs;

namespace BuildLore.Core.Analysis;

public static class AnalysisSummary
{
    /// <summary>The seed's <c>log_summary</c>, its error and warning lists made from the diagnostics.</summary>
    public static LogSummary ToLogSummary(this LogAnalysis analysis) => new(
        analysis.TotalLines,
        analysis.ErrorCount,
        analysis.WarningCount,
        [.. analysis.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(LogSummary.MaxListed).Select(d => d.Display())],
        [.. analysis.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).Take(LogSummary.MaxListed).Select(d => d.Display())]);

    /// <summary>Analyzes a log read piece by piece.</summary>
    public static async Task<LogAnalysis> AnalyzeAsync(IAsyncEnumerable<string> pieces, bool? succeeded = null, string? root = null, CancellationToken cancellationToken = default)
    {
        var analyzer = new LogAnalyzer(root);
        await foreach (var piece in pieces.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            analyzer.Append(piece);
        }

        return analyzer.Complete(succeeded);
    }
}
