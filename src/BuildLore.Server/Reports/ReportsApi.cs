using System.Text.Json;
using BuildLore.Core.Reports;
using BuildLore.Core.Storage;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Reports;

/// <summary><c>POST /llm/learning/report</c>: an LLM's analysis of a build, stored and shown with that build.</summary>
internal static class ReportsApi
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        app.MapPost("/llm/learning/report", SubmitReport)
            .WithTags("Reports")
            .WithName("SubmitReport")
            .WithSummary("Store an analysis report about a build.")
            .WithDescription(
                "Body: {\"build_id\", \"type\" (or \"report_type\"), \"analysis\", \"recommendations\": [..], \"confidence\": 0..1}. " +
                "type is one of failure_analysis, code_improvement, test_coverage, dependency_audit, performance_analysis.")
            .Produces<ReportStoredResponse>()
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<Ok<ReportStoredResponse>, JsonHttpResult<ErrorResponse>>> SubmitReport(
        HttpRequest request,
        IBuildStore store,
        IOptions<BuildLoreOptions> options,
        ILoggerFactory loggers,
        string? session_id,
        CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.MaxReportBytes;
        var body = await RequestBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return ApiErrors.Create(StatusCodes.Status413PayloadTooLarge,
                $"The report body is larger than the {maxBytes} bytes allowed.", "body", $"at most {maxBytes} bytes");
        }

        var parsed = ReportRequestParser.Parse(body.Value, session_id);
        if (parsed.Error is { } error)
        {
            return error;
        }

        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200)
        {
            return ApiErrors.BadRequest("The Idempotency-Key header is longer than 200 characters.", "Idempotency-Key", "at most 200 characters");
        }

        var report = key.Length > 0 ? parsed.Report! with { IdempotencyKey = key } : parsed.Report!;
        try
        {
            var id = await store.AddReportAsync(report, cancellationToken);
            ReportsLog.Stored(loggers.CreateLogger("BuildLore.Reports"), id, report.BuildId, report.Type);
            return TypedResults.Ok(new ReportStoredResponse(id));
        }
        catch (KeyNotFoundException)
        {
            return ApiErrors.NotFound($"No build with id '{report.BuildId}'. Reports attach to an existing build; list them with GET /llm/learning/builds.", "build_id");
        }
    }
}

/// <summary>The documented shape of a report body (parsing is done by <see cref="ReportRequestParser"/> for precise errors).</summary>
public sealed record ReportRequest(string BuildId, string Type, string Analysis, IReadOnlyList<string>? Recommendations, double Confidence);

public sealed record ReportStoredResponse(long ReportId)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
    public string Message => "report stored";
}

/// <summary>
/// Validates a report body field by field, so each mistake gets a message naming the field and what
/// it accepts, which model binding would not give.
/// </summary>
internal static class ReportRequestParser
{
    public sealed record Result(NewReport? Report, JsonHttpResult<ErrorResponse>? Error);

    private static Result Fail(string message, string field, string allowed) =>
        new(null, ApiErrors.BadRequest(message, field, allowed));

    public static Result Parse(ReadOnlyMemory<byte> body, string? querySessionId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            return Fail($"The body is not valid JSON: {e.Message}", "body", "a JSON object");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail($"The body must be a JSON object, not {Describe(root.ValueKind)}.", "body", "a JSON object");
            }

            if (!TryGetString(root, "build_id", out var buildId) || string.IsNullOrWhiteSpace(buildId))
            {
                return Fail("build_id is required: the id of the build this report is about.", "build_id", "a build id string");
            }

            var hasType = TryGetString(root, "type", out var type);
            var hasAlias = TryGetString(root, "report_type", out var alias);
            if (hasType && hasAlias && type != alias)
            {
                return Fail($"type ('{type}') and its alias report_type ('{alias}') disagree; send one of them.", "type", string.Join(", ", ReportType.All));
            }

            type = hasType ? type : alias;
            if (string.IsNullOrEmpty(type) || !ReportType.IsKnown(type))
            {
                return Fail(
                    type is null ? "type is required." : $"Unknown report type '{type}'.",
                    "type",
                    string.Join(", ", ReportType.All));
            }

            if (!TryGetString(root, "analysis", out var analysis) || string.IsNullOrWhiteSpace(analysis))
            {
                return Fail("analysis is required: the findings, as text.", "analysis", "a non-empty string");
            }

            var recommendations = new List<string>();
            if (root.TryGetProperty("recommendations", out var recs) && recs.ValueKind != JsonValueKind.Null)
            {
                if (recs.ValueKind != JsonValueKind.Array)
                {
                    return Fail($"recommendations must be an array of strings, not {Describe(recs.ValueKind)}.", "recommendations", "an array of strings");
                }

                foreach (var item in recs.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return Fail($"recommendations must hold only strings; found {Describe(item.ValueKind)}.", "recommendations", "an array of strings");
                    }

                    recommendations.Add(item.GetString()!);
                }
            }

            if (!root.TryGetProperty("confidence", out var confidenceElement))
            {
                return Fail("confidence is required.", "confidence", "a number from 0 to 1");
            }

            if (confidenceElement.ValueKind != JsonValueKind.Number || !confidenceElement.TryGetDouble(out var confidence))
            {
                return Fail($"confidence must be a number, not {Describe(confidenceElement.ValueKind)}.", "confidence", "a number from 0 to 1");
            }

            if (double.IsNaN(confidence) || confidence < 0 || confidence > 1)
            {
                return Fail($"confidence must be between 0 and 1 (got {confidenceElement.GetRawText()}).", "confidence", "a number from 0 to 1");
            }

            TryGetString(root, "session_id", out var bodySession);
            return new Result(new NewReport(buildId, type, analysis, recommendations, confidence, querySessionId ?? bodySession), null);
        }
    }

    private static bool TryGetString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        // A number id (e.g. 42) is as good as "42".
        value = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        return value is not null;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

internal static partial class ReportsLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Stored report {ReportId} ({Type}) for build {BuildId}")]
    public static partial void Stored(ILogger logger, long reportId, string buildId, string type);
}
