using BuildLore.Core.Storage;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Builds;

/// <summary>Ends pushed builds whose CI went silent without finishing them, so they do not stay "running" for ever.</summary>
internal sealed partial class IdleBuildSweeper(IBuildStore store, PushedBuilds pushed, IOptions<BuildLoreOptions> options, ILogger<IdleBuildSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.IngestIdleTimeoutSeconds);
        // Look several times per idle period, at most every minute.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(idle.TotalSeconds / 4, 1, 60)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var now = DateTimeOffset.UtcNow;
                    var ended = await store.FailIdlePushedBuildsAsync(now - idle, now, stoppingToken);
                    // Their chunk state, and that of builds another server finished, is of no more use.
                    pushed.ForgetIdle(idle);
                    if (ended > 0)
                    {
                        Ended(logger, ended, idle.TotalSeconds);
                        await UnanalyzedEnds.AnalyzeAsync(store, logger, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Ended {Count} pushed build(s) that received no log for {Seconds} s (idle timeout)")]
    private static partial void Ended(ILogger logger, int count, double seconds);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Could not sweep idle pushed builds")]
    private static partial void Failed(ILogger logger, Exception exception);
}
