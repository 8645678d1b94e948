using BuildLore.Core.Analysis;
using BuildLore.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BuildLore.Server.Builds;

/// <summary>
/// Builds the store ended by itself, with no analysis: interrupted by a server that stopped, or pushed
/// builds whose CI went silent (idle timeout). Their stored logs are analyzed afterwards, so they get a
/// summary, a category, diagnostics and fingerprints like every other failed build.
/// </summary>
internal static partial class UnanalyzedEnds
{
    public const string Interrupted = "interrupted";

    private const int Batch = 50;

    /// <summary>What an interruption is, whatever the log says: the server stopped, not the build.</summary>
    public static LogAnalysis AsInterrupted(LogAnalysis analysis) => analysis with
    {
        Category = FailureCategory.Infrastructure,
        CategoryConfidence = 1,
        Evidence = [new CategoryEvidence(analysis.TotalLines, "the server stopped during the build", FailureCategory.Infrastructure)],
    };

    /// <summary>Analyzes every finished build without a summary; returns how many were stored.</summary>
    public static async Task<int> AnalyzeAsync(IBuildStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var stored = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var builds = (await store.ListUnsummarizedBuildsAsync(Batch, cancellationToken)).Where(b => seen.Add(b.Id)).ToList();
            if (builds.Count == 0)
            {
                return stored;
            }

            foreach (var build in builds)
            {
                try
                {
                    var analysis = await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(build.Id, cancellationToken), succeeded: false, cancellationToken: cancellationToken);
                    if (build.Reason == Interrupted)
                    {
                        analysis = AsInterrupted(analysis);
                    }

                    if (await store.StoreAnalysisAsync(build.Id, analysis, analysis.ToLogSummary(), cancellationToken))
                    {
                        stored++;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One build that cannot be analyzed must not keep the others from it; it is tried again at the next start.
                    CouldNotAnalyze(logger, build.Id, e);
                }
            }
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Could not analyze build {BuildId}, which ended without an analysis")]
    private static partial void CouldNotAnalyze(ILogger logger, string buildId, Exception exception);
}
