using System.Text.Json;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace BuildLore.Server.Builds;

/// <summary>
/// <c>GET /llm/learning/events</c>: Server-Sent Events announcing builds as they finish, so agents wake at
/// once instead of polling. <c>ready</c> when the stream is open, <c>build_finished</c> per finished build,
/// and a <c>: ping</c> comment every 15 seconds to keep proxies from closing an idle stream.
/// </summary>
/// <remarks>
/// Finished builds are read from the store, not from this process's memory, so a follower hears of builds
/// finished through any server sharing the database. A build's <c>finished_at</c> is taken a moment before
/// its row commits, so each poll looks a few seconds back and skips what it has already sent.
/// </remarks>
internal static class BuildEventsApi
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Lookback = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapBuildEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/events", StreamAsync)
            .WithTags("Builds")
            .WithName("BuildEvents")
            .WithSummary("Follow builds as they finish (Server-Sent Events): ready, then build_finished events, with ping comments.")
            .WithDescription("event: ready, data: {} — the stream is open; event: build_finished, data: {\"id\", \"project\", \"branch\", \"status\", " +
                             "\"category\", \"finished_at\"}. Only builds finishing after the follower connected are announced: list the rest with " +
                             "GET /llm/learning/builds or /llm/learning/unanalyzed.");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, IBuildStore store, IHostApplicationLifetime lifetime)
    {
        // A stopping server ends its streams rather than waiting for followers to hang up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";

        var connectedAt = DateTimeOffset.UtcNow;
        var sent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var lastWrite = DateTimeOffset.UtcNow;
        try
        {
            await WriteAsync(context.Response, "event: ready\ndata: {}\n\n", cancellationToken);
            while (true)
            {
                var now = DateTimeOffset.UtcNow;
                var since = now - Lookback < connectedAt ? connectedAt : now - Lookback;
                foreach (var build in await store.ListFinishedSinceAsync(since, 500, cancellationToken))
                {
                    if (sent.TryAdd(build.Id, build.FinishedAt ?? now))
                    {
                        var data = JsonSerializer.Serialize(
                            new BuildFinishedEvent(build.Id, build.Project, build.Branch, build.Status, build.Category, build.FinishedAt),
                            ServerJson.Web.BuildFinishedEvent);
                        await WriteAsync(context.Response, $"event: build_finished\ndata: {data}\n\n", cancellationToken);
                        lastWrite = now;
                    }
                }

                foreach (var (id, finishedAt) in sent)
                {
                    if (finishedAt < since)
                    {
                        sent.Remove(id); // out of the look-back window: never listed again
                    }
                }

                if (now - lastWrite >= PingInterval)
                {
                    await WriteAsync(context.Response, ": ping\n\n", cancellationToken);
                    lastWrite = now;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The follower went away, or the server is stopping.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

/// <summary>The data of a <c>build_finished</c> event.</summary>
public sealed record BuildFinishedEvent(string Id, string Project, string? Branch, string Status, string? Category, DateTimeOffset? FinishedAt);
