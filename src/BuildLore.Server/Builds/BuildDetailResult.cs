using System.Text.Json;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace BuildLore.Server.Builds;

/// <summary>
/// Writes <c>{"status":"ok","build":{...}}</c> with the log streamed chunk by chunk from the store,
/// so a build with a log of any size is served in bounded memory.
/// </summary>
internal sealed class BuildDetailResult(BuildDetailDto build, IBuildStore store, LogDetail detail) : IResult
{
    private const int FlushBytes = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";

        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, new JsonWriterOptions { Encoder = ServerJson.Web.Options.Encoder });
        writer.WriteStartObject();
        writer.WriteString("status", "ok");
        writer.WritePropertyName("build");
        writer.WriteStartObject();
        using (var fields = JsonSerializer.SerializeToDocument(build, ServerJson.Web.BuildDetailDto))
        {
            foreach (var field in fields.RootElement.EnumerateObject())
            {
                if (field.NameEquals("log_truncated") && detail == LogDetail.Tail)
                {
                    continue; // written below, once the tail is known
                }

                field.WriteTo(writer);
            }
        }

        switch (detail)
        {
            case LogDetail.Full:
                writer.WritePropertyName("log");
                await foreach (var chunk in store.ReadLogAsync(build.Id, cancellationToken))
                {
                    writer.WriteStringValueSegment(chunk, isFinalSegment: false);
                    if (writer.BytesPending >= FlushBytes)
                    {
                        await writer.FlushAsync(cancellationToken);
                    }
                }

                writer.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
                break;
            case LogDetail.Tail:
                var tail = await store.ReadLogTailAsync(build.Id, LogDetails.TailChars, cancellationToken);
                writer.WriteString("log", tail.Text);
                writer.WriteBoolean("log_truncated", tail.Truncated);
                break;
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }
}
