using BuildLore.Client;

namespace BuildLore.Cli.Examples;

/// <summary>
/// The quick-start's Example 3 and "Full Learning Loop": find failed builds nobody has analyzed yet,
/// extract a pattern from their errors, and report it. What is analyzed is read back from the server
/// (a build with reports is done), so a restarted loop never reports a build twice.
/// </summary>
internal sealed class LearningLoop(LLMClient client, Action<string> progress)
{
    private readonly Dictionary<string, int> _learnedPatterns = new(StringComparer.Ordinal);

    /// <summary>How often each pattern was seen by this loop.</summary>
    public IReadOnlyDictionary<string, int> LearnedPatterns => _learnedPatterns;

    /// <summary>One pass over the most recent builds; returns how many reports it submitted.</summary>
    public async Task<int> RunOnceAsync(int limit, CancellationToken cancellationToken = default)
    {
        var page = await client.GetBuildsAsync(limit, 0, LogDetail.None, cancellationToken).ConfigureAwait(false);
        var submitted = 0;
        foreach (var build in page.Builds)
        {
            if (build.Status is not (BuildStatuses.Failed or BuildStatuses.Error or BuildStatuses.Timeout))
            {
                continue;
            }

            var detail = await client.GetBuildAsync(build.Id, LogDetail.None, cancellationToken).ConfigureAwait(false);
            if (detail.LlmReports.Count > 0)
            {
                continue; // analyzed before, by us or by someone else
            }

            progress($"Analyzing {build.Id}...");
            var classification = FailureClassifier.Classify(detail);
            _learnedPatterns[classification.Category] = _learnedPatterns.GetValueOrDefault(classification.Category) + 1;
            var analysis = $"Pattern: {classification.Category}. {detail.LogSummary.ErrorCount} error(s). First error: {detail.LogSummary.Errors.FirstOrDefault() ?? "(none labelled)"}";
            await client.SubmitReportAsync(build.Id, ReportTypes.FailureAnalysis, analysis, classification.Recommendations, classification.Confidence, cancellationToken).ConfigureAwait(false);
            submitted++;
        }

        return submitted;
    }

    /// <summary>Runs passes until cancelled, waiting <paramref name="interval"/> between them.</summary>
    public async Task RunAsync(int limit, TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            progress("Checking for new builds...");
            var submitted = await RunOnceAsync(limit, cancellationToken).ConfigureAwait(false);
            progress($"Submitted {submitted} report(s). Waiting {interval.TotalSeconds:0} s before the next check...");
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
