using System.Text.Json;
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
/// them (<c>diagnostic</c>), and a final <c>end</c> event with the build's status.
/// </summary>
internal static class LogStream
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

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

    private static async Task StreamAsync(string id, HttpContext context, IBuildStore store)
    {
        var cancellationToken = context.RequestAborted;
        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            await ApiErrors.NotFound($"No build with id '{id}'.", "id").ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var analyzer = new LogAnalyzer(build.Analysis?.Root);
        long next = 0;
        try
        {
            while (true)
            {
                // Read the status before the pieces: a build that finished meanwhile has all its pieces stored.
                var current = await store.GetBuildAsync(id, cancellationToken) ?? build;
                await foreach (var (piece, text) in store.ReadLogPiecesAsync(id, next, cancellationToken))
                {
                    next = piece + 1;
                    await WriteEventAsync(context.Response, "log", writer => writer.WriteString("text", text), cancellationToken);
                    analyzer.Append(text);
                    foreach (var diagnostic in analyzer.TakeNewDiagnostics())
                    {
                        await WriteDiagnosticAsync(context.Response, diagnostic, cancellationToken);
                    }
                }

                if (BuildStatus.IsFinished(current.Status))
                {
                    analyzer.Complete(current.Status == BuildStatus.Success);
                    foreach (var diagnostic in analyzer.TakeNewDiagnostics())
                    {
                        await WriteDiagnosticAsync(context.Response, diagnostic, cancellationToken);
                    }

                    await WriteEventAsync(context.Response, "end", writer =>
                    {
                        writer.WriteString("status", current.Status);
                        if (current.ExitCode is { } code)
                        {
                            writer.WriteNumber("exit_code", code);
                        }
                        else
                        {
                            writer.WriteNull("exit_code");
                        }

                        writer.WriteString("category", current.Category);
                        writer.WriteString("reason", current.Reason);
                    }, cancellationToken);
                    return;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The follower went away.
        }
    }

    private static Task WriteDiagnosticAsync(HttpResponse response, Diagnostic d, CancellationToken cancellationToken) =>
        WriteEventAsync(response, "diagnostic", writer =>
        {
            writer.WriteString("severity", d.Severity);
            writer.WriteString("file", d.File);
            if (d.Line is { } line) writer.WriteNumber("line", line); else writer.WriteNull("line");
            if (d.Column is { } column) writer.WriteNumber("column", column); else writer.WriteNull("column");
            writer.WriteString("code", d.Code);
            writer.WriteString("message", d.Message);
            writer.WriteString("tool", d.Tool);
            writer.WriteNumber("log_line", d.LogLine);
            writer.WriteString("fingerprint", d.Fingerprint);
        }, cancellationToken);

    private static async Task WriteEventAsync(HttpResponse response, string name, Action<Utf8JsonWriter> body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = ServerJson.Web.Options.Encoder }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        // JSON has no raw newlines, so each event's data fits on one "data:" line.
        await response.WriteAsync($"event: {name}\ndata: ", cancellationToken);
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        await response.WriteAsync("\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
