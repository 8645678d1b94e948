using System.Threading.Channels;
using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>A project-level report the agent writes on a schedule.</summary>
/// <param name="Type"><see cref="ReportTypes.DependencyAudit"/> or <see cref="ReportTypes.PerformanceAnalysis"/>.</param>
/// <param name="Every">
/// How old the newest report of this type may be before a new one is due (asked from the server, so a
/// restarted agent keeps the schedule); <see cref="TimeSpan.Zero"/> for every pass.
/// </param>
public sealed record ScheduledReport(string Type, TimeSpan Every)
{
    /// <summary>The project-level report types the agent can write.</summary>
    public static IReadOnlyList<string> Types { get; } = [ReportTypes.DependencyAudit, ReportTypes.PerformanceAnalysis];
}

/// <summary>How the agent runs.</summary>
public sealed record AgentOptions
{
    /// <summary>Recommendations below this confidence are left out of every report, whatever wrote it (the quick-start's best practice).</summary>
    public double RecommendationThreshold { get; init; } = 0.7;

    /// <summary>How many builds are analyzed at the same time.</summary>
    public int Concurrency { get; init; } = 2;

    /// <summary>At most this many builds are analyzed per pass; <see cref="int.MaxValue"/> for every pending one.</summary>
    public int Window { get; init; } = 1000;

    /// <summary>Time between passes; with <see cref="Follow"/>, a finished build starts a pass sooner.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a claim on a build lasts: another agent may take the build over after that. It must outlast
    /// one analysis (an LLM's answer and its one retry); the claim is renewed before the report is sent, so
    /// an agent whose claim ran out and was taken over drops its report rather than sending a second one.
    /// </summary>
    public TimeSpan ClaimTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Follow the server's event stream of finished builds and analyze them at once; polling goes on as the fallback.</summary>
    public bool Follow { get; init; } = true;

    /// <summary>Project-level reports to write, and how often.</summary>
    public IReadOnlyList<ScheduledReport> ProjectReports { get; init; } = [];

    /// <summary>The project project-level reports are about; the server's own project when null.</summary>
    public string? Project { get; init; }

    /// <summary>How many days of builds a performance analysis looks at.</summary>
    public int PerformanceDays { get; init; } = 30;
}

/// <summary>
/// The quick-start's learning loop, for real: asks the server for failed builds nobody has analyzed yet,
/// claims each (so agents side by side never analyze one twice), analyzes it and submits a
/// <c>failure_analysis</c>. The server keeps what is done, so a restarted agent never reports twice. It
/// also writes the project-level reports it is asked for, on their schedule, and follows the server's
/// event stream to analyze a build as soon as it finishes.
/// </summary>
public sealed class LearningAgent(LLMClient client, IBuildAnalyzer analyzer, AgentOptions? options = null, Action<string>? log = null, IProjectAnalyzer? projectAnalyzer = null)
{
    private static readonly TimeSpan MaxStreamBackoff = TimeSpan.FromMinutes(1);

    private readonly AgentOptions _options = options ?? new AgentOptions();
    private readonly IProjectAnalyzer _projectAnalyzer = projectAnalyzer ?? analyzer as IProjectAnalyzer ?? new RuleBasedAnalyzer();

    /// <summary>This agent's name when it claims builds; unique per process.</summary>
    public string Name { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// One pass: every failed build nobody has analyzed or claimed (up to <see cref="AgentOptions.Window"/>), then the
    /// project-level reports that are due. Returns how many reports were submitted.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var attempted = new HashSet<string>(StringComparer.Ordinal);
        var submitted = 0;
        while (attempted.Count < _options.Window)
        {
            // Analyzed and claimed builds drop out of this list, so asking again pages through the rest.
            var page = await client.GetUnanalyzedBuildsAsync(Math.Min(200, _options.Window - attempted.Count), cancellationToken).ConfigureAwait(false);
            var fresh = page.Builds.Where(b => attempted.Add(b.Id)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            await Parallel.ForEachAsync(fresh, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken }, async (build, token) =>
            {
                try
                {
                    if (await AnalyzeAndReportAsync(build.Id, token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref submitted);
                    }
                }
                catch (LLMClientException e) when (e.StatusCode is { } status && (int)status < 500)
                {
                    // The server refused this one build (it was deleted, or a report was invalid): the others go on.
                    log?.Invoke($"Skipped build {build.Id}: {e.Message}");
                }
            }).ConfigureAwait(false);
        }

        return submitted + await RunProjectReportsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> AnalyzeAndReportAsync(string buildId, CancellationToken cancellationToken)
    {
        // The server refuses the claim when the build has a failure analysis or another agent holds it.
        if (!await client.ClaimAnalysisAsync(buildId, Name, _options.ClaimTtl, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var detail = await client.GetBuildAsync(buildId, LogDetail.None, cancellationToken).ConfigureAwait(false);
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

        // Renewed just before sending: refused when the claim ran out during the analysis and another agent took the build.
        if (!await client.ClaimAnalysisAsync(buildId, Name, _options.ClaimTtl, cancellationToken).ConfigureAwait(false))
        {
            log?.Invoke($"Dropped the analysis of build {buildId}: another agent took it over or reported on it meanwhile.");
            return false;
        }

        var id = await SubmitAsync(buildId, null, ReportTypes.FailureAnalysis, analysis, cancellationToken).ConfigureAwait(false);
        log?.Invoke($"Reported on build {buildId} (report {id}, confidence {analysis.Confidence:0.00})");
        return true;
    }

    /// <summary>Writes the project-level reports that are due; returns how many were submitted.</summary>
    public async Task<int> RunProjectReportsAsync(CancellationToken cancellationToken = default)
    {
        if (_options.ProjectReports.Count == 0)
        {
            return 0;
        }

        var project = _options.Project ?? (await client.GetHealthAsync(cancellationToken).ConfigureAwait(false)).Project;
        if (string.IsNullOrEmpty(project))
        {
            log?.Invoke("The server does not say which project it serves; name one (--project) to write project-level reports.");
            return 0;
        }

        var submitted = 0;
        foreach (var scheduled in _options.ProjectReports)
        {
            if (!await IsDueAsync(scheduled, project, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            AgentAnalysis? analysis;
            try
            {
                analysis = scheduled.Type switch
                {
                    ReportTypes.DependencyAudit => await _projectAnalyzer.AuditDependenciesAsync(
                        project, (await client.GetCodebaseAsync(cancellationToken).ConfigureAwait(false)).Dependencies, cancellationToken).ConfigureAwait(false),
                    ReportTypes.PerformanceAnalysis => await _projectAnalyzer.AnalyzePerformanceAsync(
                        project, await client.GetProjectHealthAsync(project, _options.PerformanceDays, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false),
                    _ => throw new InvalidOperationException($"The agent does not write {scheduled.Type} reports."),
                };
            }
            catch (AgentAnalysisException e)
            {
                log?.Invoke($"Could not write the {scheduled.Type} of {project}: {e.Message}");
                continue;
            }

            if (analysis is null)
            {
                log?.Invoke($"Nothing to write a {scheduled.Type} of {project} from yet.");
                continue;
            }

            var id = await SubmitAsync(null, project, scheduled.Type, analysis, cancellationToken).ConfigureAwait(false);
            log?.Invoke($"Wrote the {scheduled.Type} of {project} (report {id}, confidence {analysis.Confidence:0.00})");
            submitted++;
        }

        return submitted;
    }

    private async Task<bool> IsDueAsync(ScheduledReport scheduled, string project, CancellationToken cancellationToken)
    {
        if (scheduled.Every <= TimeSpan.Zero)
        {
            return true;
        }

        var newest = await client.GetReportsAsync(new ReportQuery { Type = scheduled.Type, Project = project, Limit = 1 }, cancellationToken).ConfigureAwait(false);
        return newest.Reports.Count == 0 || newest.Reports[0].CreatedAt + scheduled.Every <= DateTimeOffset.UtcNow;
    }

    /// <summary>Every report leaves through here, so the confidence threshold holds whichever analyzer wrote it.</summary>
    private async Task<long> SubmitAsync(string? buildId, string? project, string type, AgentAnalysis analysis, CancellationToken cancellationToken)
    {
        var report = new ReportSubmission
        {
            BuildId = buildId,
            Project = project,
            Type = type,
            Analysis = analysis.Analysis,
            Recommendations = [.. analysis.Recommendations.Where(r => r.Confidence >= _options.RecommendationThreshold).Select(r => r.Text)],
            Confidence = analysis.Confidence,
            RootCause = analysis.RootCause,
            AffectedFiles = analysis.AffectedFiles.Count == 0 ? null : analysis.AffectedFiles,
            Category = analysis.Category,
            Model = analysis.Model,
            TokensUsed = analysis.TokensUsed,
        };
        return (await client.SubmitReportAsync(report, cancellationToken).ConfigureAwait(false)).ReportId;
    }

    /// <summary>
    /// Runs passes until cancelled: one every <see cref="AgentOptions.Interval"/>, and one as soon as the server's
    /// event stream says a build failed. While the server cannot be reached, waits longer and longer (up to the interval).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // One pending wake-up is enough: a pass handles every build that finished before it.
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var stopFollowing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var following = _options.Follow ? FollowAsync(wake.Writer, stopFollowing.Token) : Task.CompletedTask;
        try
        {
            var backoff = TimeSpan.FromSeconds(1);
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    var submitted = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                    log?.Invoke($"Submitted {submitted} report(s); next check in {_options.Interval.TotalSeconds:0} s{(_options.Follow ? " or when a build fails" : "")}.");
                    backoff = TimeSpan.FromSeconds(1);
                    wait = _options.Interval;
                }
                catch (LLMClientException e) when (e.StatusCode is null || (int)e.StatusCode >= 500)
                {
                    // Unreachable, or answering with errors (restarting behind a proxy, its database down): try again later.
                    log?.Invoke($"Server {(e.StatusCode is null ? "unreachable" : "failing")} ({e.Message}); retrying in {backoff.TotalSeconds:0} s.");
                    wait = backoff;
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.Interval.Ticks));
                }

                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timer.CancelAfter(wait);
                try
                {
                    await wake.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The interval passed without a wake-up.
                }
            }
        }
        finally
        {
            await stopFollowing.CancelAsync().ConfigureAwait(false);
            await following.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Listens to the server's finished builds and wakes the loop for each failure; reconnects with back-off.</summary>
    private async Task FollowAsync(ChannelWriter<bool> wake, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in client.FollowBuildEventsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    if (e.Name == "ready")
                    {
                        log?.Invoke("Following the server's build events.");
                        backoff = TimeSpan.FromSeconds(1);
                        wake.TryWrite(true); // catch up on what finished while not following
                    }
                    else if (e.Build is { Status: BuildStatuses.Failed or BuildStatuses.Error or BuildStatuses.Timeout })
                    {
                        wake.TryWrite(true);
                    }
                }

                log?.Invoke($"The server closed its event stream; polling every {_options.Interval.TotalSeconds:0} s until it is back.");
            }
            catch (LLMClientException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                log?.Invoke($"The server has no event stream; polling every {_options.Interval.TotalSeconds:0} s.");
                return;
            }
            catch (Exception e) when (e is LLMClientException or IOException or HttpRequestException)
            {
                log?.Invoke($"The event stream is down ({e.Message}); polling every {_options.Interval.TotalSeconds:0} s until it is back.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(backoff, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxStreamBackoff.Ticks));
        }
    }
}
