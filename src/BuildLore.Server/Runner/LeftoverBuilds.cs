using BuildLore.Core.Runner;
using BuildLore.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildLore.Server.Runner;

/// <summary>
/// At start-up, after the store has marked the builds an earlier server process left running as
/// interrupted: kills the process groups those builds still had running (a runner build lives in a
/// session of its own, so it outlives a server killed with <c>kill -9</c>, and would go on touching the
/// workspace), before this server runs any build of its own.
/// </summary>
internal sealed class LeftoverBuilds(IBuildStore store, ILogger<LeftoverBuilds> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
