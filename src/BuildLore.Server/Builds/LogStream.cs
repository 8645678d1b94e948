using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Builds;

/// <summary>
/// <c>GET /llm/learning/build/{id}/log/stream</c>: Server-Sent Events that follow a build: its log as it
/// grows (<c>log</c> events, the backlog first for a late follower), diagnostics as the analyzer finds
/// them (<c>diagnostic</c>), and a final <c>end</c> event with the build's status. Followers of a running
/// build are served from its shared <see cref="LogFeed"/>.
/// </summary>
internal static class LogStream
{
    /// <summary>How much a follower sends before it flushes.</summary>
    private const long BatchBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapLogStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/build/{id}/log/stream", StreamAsync)
            .WithTags("Builds")
            .WithName("StreamLog")
            .WithSummary("Follow a build live (Server-Sent Events): log, diagnostic and end events.")
            .WithDescription("event: log, data: {\"text\": \"...\"} — a piece of the log (whole lines as stored); event: diagnostic, data: a diagnostic; " +
                             "event: end, data: {\"status\": \"failed\", \"exit_code\": 1, \"category\": \"compile_error\"}. A client that connects late gets the backlog first.");
        return app;
    }

    private static async Task StreamAsync(string id, HttpContext context, IBuildStore store, LogFeeds feeds)
    {
        var cancellationToken = context.RequestAborted;
        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            await ApiErrors.NotFound($"No build with id '{id}'.", "id").ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            // Send the headers now: a follower knows it is attached before the first line comes.
            await response.Body.FlushAsync(cancellationToken);
            if (BuildStatus.IsFinished(build.Status))
            {
                // Nothing more will come: the stored log, then the end.
                var analyzer = new LogAnalyzer(build.Analysis?.Root);
                await foreach (var (_, text) in store.ReadLogPiecesAsync(id, 0, cancellationToken))
                {
                    await response.Body.WriteAsync(LogEvents.Piece(text, analyzer), cancellationToken);
                }

                await response.Body.WriteAsync(LogEvents.End(build, analyzer), cancellationToken);
                return;
            }

            using var subscription = feeds.Subscribe(id, build.Analysis?.Root);
            await FollowAsync(response, store, subscription.Feed, build.Analysis?.Root, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The follower went away.
        }
    }

    /// <summary>
    /// Sends the feed's events from the first on. Events the ring no longer holds (a late or slow
    /// follower) are made from the store with an analyzer of the follower's own, which has read the
    /// same pieces as the feed's and so finds the same diagnostics at the same places; then the
    /// follower joins the ring.
    /// </summary>
    private static async Task FollowAsync(HttpResponse response, IBuildStore store, LogFeed feed, string? analysisRoot, CancellationToken cancellationToken)
    {
        long next = 0;
        LogAnalyzer? own = null;
        while (true)
        {
            var events = feed.Take(next, BatchBytes, out var ended);
            if (events.Count > 0)
            {
                own = null;
                foreach (var bytes in events)
                {
                    await response.Body.WriteAsync(bytes, cancellationToken);
                }

                await response.Body.FlushAsync(cancellationToken);
                next += events.Count;
                if (ended)
                {
                    return;
                }

                continue;
            }

            if (feed.IsBehind(next))
            {
                own ??= await ReplayAsync(store, feed.BuildId, next, analysisRoot, cancellationToken);
                await foreach (var (piece, text) in store.ReadLogPiecesAsync(feed.BuildId, next, cancellationToken))
                {
                    if (!feed.IsBehind(piece))
                    {
                        break; // the ring has it
                    }

                    await response.Body.WriteAsync(LogEvents.Piece(text, own), cancellationToken);
                    next = piece + 1;
                }

                await response.Body.FlushAsync(cancellationToken);
                continue;
            }

            if (feed.IsStopped)
            {
                return;
            }

            await feed.WhenAvailableAsync(next).WaitAsync(cancellationToken);
        }
    }

    /// <summary>An analyzer that has read the pieces before <paramref name="next"/>, as a follower that had sent them would have.</summary>
    private static async Task<LogAnalyzer> ReplayAsync(IBuildStore store, string id, long next, string? analysisRoot, CancellationToken cancellationToken)
    {
        var analyzer = new LogAnalyzer(analysisRoot);
        if (next > 0)
        {
            await foreach (var (piece, text) in store.ReadLogPiecesAsync(id, 0, cancellationToken))
            {
                if (piece >= next)
                {
                    break;
                }

                analyzer.Append(text);
                analyzer.TakeNewDiagnostics();
            }
        }

        return analyzer;
    }
}
