using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>How the agent runs.</summary>
public sealed record AgentOptions
{
    /// <summary>Recommendations below this confidence are left out of reports (the quick-start's best practice).</summary>
    public double RecommendationThreshold { get; init; } = 0.7;

    /// <summary>How many builds are analyzed at the same time.</summary>
    public int Concurrency { get; init; } = 2;

    /// <summary>How many recent builds each pass looks at.</summary>
    public int Window { get; init; } = 200;

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The quick-start's learning loop, for real: finds finished, failed builds that have no report yet,
/// analyzes each and submits a <c>failure_analysis</c> report. What has been analyzed is read from the
/// server each pass (a build with a report is done), so a restarted agent never reports twice.
/// </summary>
public sealed class LearningAgent(LLMClient client, IBuildAnalyzer analyzer, AgentOptions? options = null, Action<string>? log = null)
{
    private readonly AgentOptions _options = options ?? new AgentOptions();

    /// <summary>This agent's name when it claims builds; unique per process.</summary>
    public string Name { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>One pass over the recent builds; returns how many reports were submitted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var pending = new List<BuildInfo>();
        for (var skip = 0; skip < _options.Window; skip += 200)
        {
            var page = await client.GetBuildsAsync(Math.Min(200, _options.Window - skip), skip, LogDetail.None, cancellationToken).ConfigureAwait(false);
            pending.AddRange(page.Builds.Where(b => b.Status is BuildStatuses.Failed or BuildStatuses.Error or BuildStatuses.Timeout));
            if (page.Builds.Count < 200)
            {
                break;
            }
        }

        var submitted = 0;
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken }, async (build, token) =>
        {
            if (await AnalyzeAndReportAsync(build.Id, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref submitted);
            }
        }).ConfigureAwait(false);
        return submitted;
    }

    private async Task<bool> AnalyzeAndReportAsync(string buildId, CancellationToken cancellationToken)
    {
        var detail = await client.GetBuildAsync(buildId, LogDetail.None, cancellationToken).ConfigureAwait(false);
        if (detail.LlmReports.Any(r => r.Type == ReportTypes.FailureAnalysis))
        {
            return false; // analyzed before, by this agent or anyone else
        }

        // Agents running side by side: the server lets one of them have each build.
        if (!await client.ClaimAnalysisAsync(buildId, Name, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        AgentAnalysis? analysis;
        try
        {
            analysis = await analyzer.AnalyzeAsync(detail, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentAnalysisException e)
        {
            // Never stored as a report; the claim runs out and a later pass tries again.
            log?.Invoke($"Could not analyze build {buildId}: {e.Message}");
            return false;
        }

        if (analysis is null)
        {
            return false;
        }

        var recommendations = analysis.Recommendations.Where(r => r.Confidence >= _options.RecommendationThreshold).Select(r => r.Text).ToList();
        var id = await client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, analysis.Analysis, recommendations, analysis.Confidence, cancellationToken).ConfigureAwait(false);
        log?.Invoke($"Reported on build {buildId} (report {id}, confidence {analysis.Confidence:0.00})");
        return true;
    }

    /// <summary>Runs passes until cancelled; while the server cannot be reached, waits longer and longer (up to the interval).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var submitted = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                log?.Invoke($"Submitted {submitted} report(s); next check in {_options.Interval.TotalSeconds:0} s.");
                backoff = TimeSpan.FromSeconds(1);
                await Task.Delay(_options.Interval, cancellationToken).ConfigureAwait(false);
            }
            catch (LLMClientException e) when (e.StatusCode is null)
            {
                log?.Invoke($"Server unreachable ({e.Message}); retrying in {backoff.TotalSeconds:0} s.");
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.Interval.Ticks));
            }
        }
    }
}
