using BuildLore.Core.Runner;
using BuildLore.Core.Storage;
using BuildLore.Server.Builds;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildLore.Server.Runner;

/// <summary>
/// At start-up, after the store has marked the builds an earlier server process left running as
/// interrupted: kills the process groups those builds still had running (a runner build lives in a
/// session of its own, so it outlives a server killed with <c>kill -9</c>, and would go on touching the
/// workspace), before this server runs any build of its own; then, in the background, analyzes the logs
/// of the builds that were ended without an analysis (<see cref="UnanalyzedEnds"/>).
/// </summary>
internal sealed class LeftoverBuilds(IBuildStore store, ILogger<LeftoverBuilds> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _analyzing = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await KillLeftoversAsync(cancellationToken);
        _analyzing = Task.Run(() => AnalyzeAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        try
        {
            await _analyzing.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down faster than the analysis stops: what is left is done at the next start.
        }
    }

    private async Task AnalyzeAsync(CancellationToken stop)
    {
        try
        {
            await UnanalyzedEnds.AnalyzeAsync(store, logger, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            RunnerLog.LeftoversFailed(logger, e);
        }
    }

    private async Task KillLeftoversAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var leftover in await store.ListLeftoverProcessesAsync(cancellationToken))
            {
                var outcome = ProcessGroups.KillLeftover((int)leftover.ProcessGroup, leftover.Guard);
                if (outcome == LeftoverOutcome.Killed)
                {
                    RunnerLog.KilledLeftover(logger, leftover.BuildId, leftover.ProcessGroup);
                }

                // A group whose server still runs (another server on the same store) is that server's to end.
                if (outcome != LeftoverOutcome.OwnerAlive)
                {
                    await store.ForgetBuildProcessAsync(leftover.BuildId, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Leftovers must not keep the server from starting.
            RunnerLog.LeftoversFailed(logger, e);
        }
    }

    public void Dispose() => _stop.Dispose();
}
