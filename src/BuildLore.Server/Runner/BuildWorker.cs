using BuildLore.Core.Builds;
using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Redaction;
using BuildLore.Core.Runner;
using BuildLore.Core.Storage;
using BuildLore.Server.Builds;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Runner;

/// <summary>
/// Takes builds off the <see cref="BuildQueue"/> and runs them, up to
/// <see cref="RunnerOptions.MaxConcurrentBuilds"/> at a time, streaming each one's output into the
/// store as it is produced.
/// </summary>
internal sealed partial class BuildWorker(
    BuildQueue queue,
    IBuildStore store,
    LogFeeds feeds,
    IOptions<BuildLoreOptions> options,
    ILogger<BuildWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = Enumerable.Range(0, options.Value.Runner.MaxConcurrentBuilds)
            .Select(_ => Task.Run(() => RunSlotAsync(stoppingToken), CancellationToken.None));
        return Task.WhenAll(slots);
    }

    private async Task RunSlotAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var queued in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await RunBuildAsync(queued, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One broken build (or a store hiccup) must not stop the runner for all others.
                    RunnerLog.CouldNotRun(logger, queued.BuildId, e);
                    await TryMarkErrorAsync(queued.BuildId, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Called right after a build was marked running, before anything of it runs: a seam for tests of races with cancel.</summary>
    internal Func<string, Task>? OnMarkedRunning { get; set; }

    internal async Task RunBuildAsync(QueuedBuild queued, CancellationToken stoppingToken)
    {
        var id = queued.BuildId;
        // Tracked before it is marked running, and until it is finished: a cancel that finds the build running
        // always finds its handle here (see RunnerApi's cancel), so the store never says "cancelled" while it runs.
        using var cancel = queue.Track(id);
        try
        {
            if (!await store.MarkRunningAsync(id, DateTimeOffset.UtcNow, CancellationToken.None))
            {
                return; // cancelled while it waited
            }

            if (OnMarkedRunning is { } onMarkedRunning)
            {
                await onMarkedRunning(id);
            }

            await RunTrackedAsync(queued, cancel.Token, stoppingToken);
        }
        finally
        {
            queue.Untrack(id);
        }
    }

    private async Task RunTrackedAsync(QueuedBuild queued, CancellationToken cancelToken, CancellationToken stoppingToken)
    {
        var id = queued.BuildId;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancelToken, stoppingToken);
        var workspace = options.Value.ResolveWorkspace();
        var timeout = queued.Profile.Timeout ?? TimeSpan.FromSeconds(options.Value.Runner.DefaultTimeoutSeconds);
        RunnerLog.Started(logger, id, queued.Profile.Name, queued.Profile.Command);

        string status;
        int? exitCode = null;
        string? reason = null;
        await using var writer = new BuildLogWriter(store, id, workspace, CreateRedactor(queued.Profile), LoadRules(workspace, id));
        if (cancelToken.IsCancellationRequested)
        {
            // Cancelled between being taken off the queue and starting: nothing of it runs.
            (status, reason) = (BuildStatus.Cancelled, "cancelled on request");
        }
        else
        {
            try
            {
                var outcome = await BuildProcess.RunAsync(queued.Profile, workspace, timeout, writer.WriteAsync, pid => RecordProcessAsync(id, pid), stop.Token);
                exitCode = outcome.ExitCode;
                (status, reason) = outcome switch
                {
                    { TimedOut: true } => (BuildStatus.Timeout, $"timed out after {timeout.TotalSeconds:0} s"),
                    { Cancelled: true } when stoppingToken.IsCancellationRequested => (BuildStatus.Error, UnanalyzedEnds.Interrupted),
                    { Cancelled: true } => (BuildStatus.Cancelled, "cancelled on request"),
                    { ExitCode: 0 } => (BuildStatus.Success, null),
                    _ => (BuildStatus.Failed, $"exit code {outcome.ExitCode}"),
                };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                status = BuildStatus.Error;
                reason = $"could not run the build: {e.Message}";
                await writer.WriteAsync($"buildlore: {reason}\n", CancellationToken.None);
                RunnerLog.CouldNotRun(logger, id, e);
            }
        }

        await writer.CompleteAsync(CancellationToken.None);
        var analysis = await writer.GetAnalysisAsync(status == BuildStatus.Success, CancellationToken.None);
        // The runner knows some causes better than the log does.
        analysis = status switch
        {
            BuildStatus.Timeout => analysis with { Category = FailureCategory.Timeout, CategoryConfidence = 1, Evidence = [new CategoryEvidence(analysis.TotalLines, reason!, FailureCategory.Timeout)] },
            BuildStatus.Cancelled => analysis with { Category = null, CategoryConfidence = 0, Evidence = [] },
            BuildStatus.Error when reason == UnanalyzedEnds.Interrupted => UnanalyzedEnds.AsInterrupted(analysis),
            _ => analysis,
        };
        await store.FinishBuildAsync(id, new BuildCompletion(status, exitCode, reason, analysis.ToLogSummary(), DateTimeOffset.UtcNow)
        {
            Analysis = analysis,
            Redactions = writer.Redactions,
        }, CancellationToken.None);
        feeds.Notify(id);
        RunnerLog.Finished(logger, id, status, exitCode);
    }

    /// <summary>
    /// Records the build's process group, so that a server started after this one was killed (<c>kill -9</c>)
    /// can kill what is left of it (see <see cref="LeftoverBuilds"/>).
    /// </summary>
    private Task RecordProcessAsync(string id, int processGroup) =>
        ProcessGroups.Guard(processGroup) is { } guard ? store.RecordBuildProcessAsync(id, processGroup, guard, CancellationToken.None) : Task.CompletedTask;

    /// <summary>
    /// The configured literals, the values of the configured environment variables, and the values of
    /// the profile's own environment entries whose names say they are secret.
    /// </summary>
    private SecretRedactor CreateRedactor(BuildProfile profile)
    {
        var literals = ConfiguredSecrets.Literals(options.Value.Redaction);
        literals.AddRange(profile.Environment.Where(e => SecretName().IsMatch(e.Key)).Select(e => e.Value));
        return ConfiguredSecrets.CreateRedactor(literals);
    }

    [System.Text.RegularExpressions.GeneratedRegex("(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex SecretName();

    private AnalysisRules LoadRules(string workspace, string buildId)
    {
        try
        {
            return WorkspaceConfig.Load(workspace).LoadAnalysisRules(workspace);
        }
        catch (WorkspaceConfigException e)
        {
            // A broken rule file must not stop the build; the built-in rules still apply.
            RunnerLog.RulesIgnored(logger, buildId, e.Message);
            return AnalysisRules.None;
        }
    }

    private async Task TryMarkErrorAsync(string buildId, Exception error)
    {
        try
        {
            var analysis = await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(buildId, CancellationToken.None), succeeded: false, cancellationToken: CancellationToken.None);
            await store.FinishBuildAsync(buildId, new BuildCompletion(BuildStatus.Error, null, $"runner failure: {error.Message}", analysis.ToLogSummary(), DateTimeOffset.UtcNow) { Analysis = analysis }, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RunnerLog.CouldNotRun(logger, buildId, e);
        }
    }
}

internal static partial class RunnerLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Build {BuildId} started: profile {Profile}: {Command}")]
    public static partial void Started(ILogger logger, string buildId, string profile, string command);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Build {BuildId} finished: {Status} (exit code {ExitCode})")]
    public static partial void Finished(ILogger logger, string buildId, string status, int? exitCode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Build {BuildId} could not run")]
    public static partial void CouldNotRun(ILogger logger, string buildId, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Build {BuildId}: the workspace's analysis rules were not used: {Reason}")]
    public static partial void RulesIgnored(ILogger logger, string buildId, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Marked {Count} builds left unfinished by an earlier server process as error (interrupted)")]
    public static partial void Interrupted(ILogger logger, int count);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Killed what was left running of build {BuildId} (process group {ProcessGroup}), interrupted when an earlier server process stopped")]
    public static partial void KilledLeftover(ILogger logger, string buildId, long processGroup);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Could not deal with the processes left over by interrupted builds")]
    public static partial void LeftoversFailed(ILogger logger, Exception exception);
}
