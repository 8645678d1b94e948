using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Builds;

/// <summary>
/// Push ingestion for any CI: create a build, append numbered log chunks (a retried chunk is stored
/// once), finish it with a status; or upload a whole log in one request. Every acknowledged chunk is
/// committed to the store before the response.
/// </summary>
internal static class IngestApi
{
    private const int MaxChunkBytes = 16 * 1024 * 1024;
    private static readonly string[] OriginFields = ["project", "branch", "commit", "commit_sha", "commit_message", "author", "ci_provider", "job_name", "job_url", "trigger", "session_id"];

    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/llm/learning").WithTags("Ingest");

        group.MapPost("/builds", CreateBuild)
            .WithName("CreateBuild")
            .WithSummary("Start a build pushed by a CI job; append its log with /build/{id}/log and end it with /build/{id}/finish.")
            .WithDescription("Body (all optional): project (default: the workspace's name), branch, commit, commit_message, author, ci_provider, job_name, job_url, " +
                             "trigger (push, pull_request, schedule, manual, api, or the CI's own word: lowercase letters, digits, _ - .).");

        group.MapPost("/build/{id}/log", AppendLog)
            .WithName("AppendLog")
            .WithSummary("Append the next chunk of a pushed build's log (request body, plain or gzip).")
            .WithDescription("?seq=1, 2, 3...: a chunk sent again with a number already stored is acknowledged and not stored twice; a chunk after a gap is refused with 409 and the next number expected. Chunks up to 16 MiB.");

        group.MapPost("/build/{id}/finish", FinishBuild)
            .WithName("FinishBuild")
            .WithSummary("End a pushed build with its status; its log is analyzed then.")
            .WithDescription("Body: {\"status\": \"success|failed|error|cancelled|timeout\", \"exit_code\": 1, \"reason\": \"...\"}.");

        group.MapPost("/builds/upload", UploadBuild)
            .WithName("UploadBuild")
            .WithSummary("Create, log and finish a build in one request: the body is the whole log (plain or gzip), streamed.")
            .WithDescription("Query: project, branch, commit, commit_message, author, ci_provider, job_name, job_url, trigger, status (default: failed when the log has errors, else success), exit_code.");

        return app;
    }

    private static async Task<Results<Created<IngestBuildResponse>, JsonHttpResult<ErrorResponse>>> CreateBuild(
        HttpRequest request, IBuildStore store, PushedBuilds pushed, IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, 64 * 1024, cancellationToken);
        if (body is null)
        {
            return ApiErrors.Create(StatusCodes.Status413PayloadTooLarge, "The body is larger than 64 KiB.", "body");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body.Value.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body.Value);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return ApiErrors.BadRequest("The body must be a JSON object.", "body", "a JSON object");
                }

                foreach (var field in document.RootElement.EnumerateObject())
                {
                    if (!OriginFields.Contains(field.Name, StringComparer.Ordinal))
                    {
                        return ApiErrors.BadRequest($"Unknown field '{field.Name}'.", field.Name, string.Join(", ", OriginFields));
                    }

                    if (field.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return ApiErrors.BadRequest($"{field.Name} must be a string.", field.Name, "a string");
                    }

                    if (field.Value.GetString() is { } value)
                    {
                        fields[field.Name] = value;
                    }
                }
            }
            catch (JsonException e)
            {
                return ApiErrors.BadRequest($"The body is not valid JSON: {e.Message}", "body", "a JSON object");
            }
        }

        if (InvalidTrigger(fields.GetValueOrDefault("trigger") is { Length: > 0 } trigger ? trigger : null) is { } invalid)
        {
            return invalid;
        }

        var build = await StartAsync(store, options.Value, fields.GetValueOrDefault, cancellationToken);
        pushed.Start(build.Id);
        return TypedResults.Created($"/llm/learning/build/{build.Id}", new IngestBuildResponse(build.Id, build.ToDto(null, false)));
    }

    private static async Task<Build> StartAsync(IBuildStore store, BuildLoreOptions options, Func<string, string?> field, CancellationToken cancellationToken)
    {
        var origin = new BuildOrigin(field("commit") ?? field("commit_sha"), field("commit_message"), field("author"), field("ci_provider"), field("job_name"), field("job_url"),
            field("trigger") is { Length: > 0 } trigger ? trigger : null);
        var project = field("project") is { Length: > 0 } named ? named : options.DefaultProject();
        var build = await store.CreateBuildAsync(new NewBuild(project, origin.CiProvider ?? "ci", Branch: field("branch")) { Origin = origin }, cancellationToken);
        await store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow, cancellationToken);
        return await store.GetBuildAsync(build.Id, cancellationToken) ?? build;
    }

    private static JsonHttpResult<ErrorResponse>? InvalidTrigger(string? trigger) =>
        trigger is null || BuildTrigger.IsValid(trigger) ? null
        : ApiErrors.BadRequest($"trigger must be one short lowercase word (got '{trigger}').", "trigger",
            $"push, pull_request, schedule, manual, api, or another word of lowercase letters, digits, _ - . (at most {BuildTrigger.MaxLength})");

    private static async Task<Results<Ok<AppendLogResponse>, JsonHttpResult<ErrorResponse>>> AppendLog(
        string id, string? seq, HttpRequest request, IBuildStore store, PushedBuilds pushed, LogFeeds feeds, CancellationToken cancellationToken)
    {
        if (!long.TryParse(seq, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
        {
            return ApiErrors.BadRequest($"seq must be the chunk's number, 1 for the first (got '{seq}').", "seq", "1, 2, 3...");
        }

        string text;
        try
        {
            var bytes = await ReadBodyAsync(request, MaxChunkBytes, cancellationToken);
            if (bytes is null)
            {
                return ApiErrors.Create(StatusCodes.Status413PayloadTooLarge, $"A chunk may hold at most {MaxChunkBytes / (1024 * 1024)} MiB; split it.", "body");
            }

            // Decoded alone, a character split between two chunks would become two U+FFFD: refuse rather than corrupt.
            if (Utf8Text.EndsInsideCharacter(bytes))
            {
                return ApiErrors.BadRequest(
                    $"Chunk {sequence} ends inside a UTF-8 character (its last bytes begin a multi-byte character it does not complete); nothing was stored. " +
                    "Split the log at newlines and send this chunk again.",
                    "body", "UTF-8 text that ends at a character boundary, best at the end of a line");
            }

            text = Encoding.UTF8.GetString(bytes);
        }
        catch (InvalidDataException)
        {
            return ApiErrors.BadRequest("The body says Content-Encoding: gzip but is not valid gzip.", "body", "plain text, or gzip with Content-Encoding: gzip");
        }

        // PostgreSQL text cannot hold NUL; binary junk in a log must not lose the rest of it.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            text = text.Replace('\0', '\uFFFD');
        }

        try
        {
            var (result, last, chars) = await pushed.AppendAsync(store, id, sequence, text, cancellationToken);
            if (result == ChunkResult.Appended)
            {
                feeds.Notify(id);
            }

            return result switch
            {
                ChunkResult.Appended => TypedResults.Ok(new AppendLogResponse(id, sequence, last, "appended", chars)),
                ChunkResult.Duplicate => TypedResults.Ok(new AppendLogResponse(id, sequence, last, "duplicate", 0)),
                ChunkResult.Gap => ApiErrors.Create(StatusCodes.Status409Conflict, $"Chunk {sequence} comes after a gap: the next chunk expected is {last + 1}.", "seq", $"{last + 1}"),
                _ => ApiErrors.Create(StatusCodes.Status409Conflict, $"Build '{id}' has finished; it takes no more log.", "id"),
            };
        }
        catch (KeyNotFoundException)
        {
            return ApiErrors.NotFound($"No build with id '{id}'. Create one with POST /llm/learning/builds.", "id");
        }
    }

    private static async Task<Results<Ok<IngestBuildResponse>, JsonHttpResult<ErrorResponse>>> FinishBuild(
        string id, HttpRequest request, IBuildStore store, PushedBuilds pushed, LogFeeds feeds, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, 64 * 1024, cancellationToken);
        if (body is null || body.Value.Length == 0)
        {
            return ApiErrors.BadRequest("The body must say how the build ended: {\"status\": \"failed\", \"exit_code\": 1}.", "status", FinalStatuses);
        }

        string? status, reason = null;
        int? exitCode = null;
        try
        {
            using var document = JsonDocument.Parse(body.Value);
            var root = document.RootElement;
            status = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("exit_code", out var e) && e.ValueKind != JsonValueKind.Null)
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var code))
                {
                    return ApiErrors.BadRequest("exit_code must be a whole number.", "exit_code", "an integer");
                }

                exitCode = code;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
            {
                reason = r.GetString();
            }
        }
        catch (JsonException e)
        {
            return ApiErrors.BadRequest($"The body is not valid JSON: {e.Message}", "body", "a JSON object");
        }

        if (status is null || !BuildStatus.IsFinished(status))
        {
            return ApiErrors.BadRequest($"status must be a final status (got '{status}').", "status", FinalStatuses);
        }

        using (var finishing = await pushed.BeginFinishAsync(id))
        {
            var build = await store.GetBuildAsync(id, cancellationToken);
            if (build is null)
            {
                return ApiErrors.NotFound($"No build with id '{id}'.", "id");
            }

            // The chunks were analyzed as they came when this server saw all of them; otherwise (a restart,
            // another server) the stored log is read again. Their redactions are counted in the store already.
            var analysis = finishing.TakeAnalysis(build.LogChars, status == BuildStatus.Success)
                ?? await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(id, cancellationToken), status == BuildStatus.Success, cancellationToken: cancellationToken);
            if (!await store.FinishBuildAsync(id, new BuildCompletion(status, exitCode, reason, analysis.ToLogSummary(), DateTimeOffset.UtcNow) { Analysis = analysis }, cancellationToken))
            {
                return ApiErrors.Create(StatusCodes.Status409Conflict, $"Build '{id}' has already finished ({build.Status}).", "id");
            }
        }

        feeds.Notify(id);
        var finished = await store.GetBuildAsync(id, cancellationToken);
        return TypedResults.Ok(new IngestBuildResponse(id, finished!.ToDto(null, false)));
    }

    private static async Task<Results<Created<IngestBuildResponse>, JsonHttpResult<ErrorResponse>>> UploadBuild(
        HttpRequest request, IBuildStore store, PushedBuilds pushed, IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        // A whole log can be any size: it is streamed, never buffered, so Kestrel's 30 MB default does not apply.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var query = request.Query;
        var status = query["status"].ToString();
        if (status.Length > 0 && !BuildStatus.IsFinished(status))
        {
            return ApiErrors.BadRequest($"status must be a final status (got '{status}').", "status", FinalStatuses);
        }

        int? exitCode = null;
        if (query["exit_code"].ToString() is { Length: > 0 } exitText)
        {
            if (!int.TryParse(exitText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiErrors.BadRequest($"exit_code must be a whole number (got '{exitText}').", "exit_code", "an integer");
            }

            exitCode = parsed;
        }

        if (InvalidTrigger(query["trigger"].ToString() is { Length: > 0 } t ? t : null) is { } invalid)
        {
            return invalid;
        }

        var build = await StartAsync(store, options.Value, name => query[name].ToString() is { Length: > 0 } v ? v : null, cancellationToken);
        // Bulk: commit in 1 M-character chunks rather than the live runner's 64 K.
        var writer = new BuildLogWriter(store, build.Id, options.Value.ResolveWorkspace(), pushed.Redactor, flushThreshold: 1024 * 1024, overlapStores: true);
        try
        {
            // The body is read and stored piece by piece: a log of any size takes bounded memory.
            await using var body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            using var reader = new StreamReader(body, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            await store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Error, null, "upload was not valid gzip", Core.Logs.LogSummary.Empty, DateTimeOffset.UtcNow), CancellationToken.None);
            return ApiErrors.BadRequest("The body says Content-Encoding: gzip but is not valid gzip.", "body", "plain text, or gzip with Content-Encoding: gzip");
        }
        finally
        {
            await writer.DisposeAsync();
        }

        var preliminary = await writer.GetAnalysisAsync(status.Length == 0 ? null : status == BuildStatus.Success, cancellationToken);
        var final = status.Length > 0 ? status : exitCode is { } code ? (code == 0 ? BuildStatus.Success : BuildStatus.Failed)
            : preliminary.ErrorCount > 0 ? BuildStatus.Failed : BuildStatus.Success;
        var analysis = preliminary.Category is null && final != BuildStatus.Success
            ? await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(build.Id, cancellationToken), false, cancellationToken: cancellationToken)
            : preliminary;
        await store.FinishBuildAsync(build.Id, new BuildCompletion(final, exitCode, null, analysis.ToLogSummary(), DateTimeOffset.UtcNow)
        {
            Analysis = analysis,
            Redactions = writer.Redactions,
        }, cancellationToken);
        var finished = await store.GetBuildAsync(build.Id, cancellationToken);
        return TypedResults.Created($"/llm/learning/build/{build.Id}", new IngestBuildResponse(build.Id, finished!.ToDto(null, false)));
    }

    private const string FinalStatuses = "success, failed, error, cancelled, timeout";

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            return (await RequestBody.ReadAsync(request, maxBytes, cancellationToken))?.ToArray();
        }

        await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
        {
            output.Write(buffer, 0, read);
            if (output.Length > maxBytes)
            {
                return null;
            }
        }

        return output.ToArray();
    }
}

public sealed record IngestBuildResponse(string BuildId, BuildDto Build)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record AppendLogResponse(string BuildId, long Seq, long LastSeq, string Result, long Chars)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
