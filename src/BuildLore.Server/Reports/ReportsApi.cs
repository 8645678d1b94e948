using System.Text.Json;
using System.Text.RegularExpressions;
using BuildLore.Core.Analysis;
using BuildLore.Core.Reports;
using BuildLore.Core.Storage;
using BuildLore.Server.Builds;
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
            .WithSummary("Store an analysis report about a build, or about a project.")
            .WithDescription(
                "Body: {\"build_id\", \"type\" (or \"report_type\"), \"analysis\", \"recommendations\": [..], \"confidence\": 0..1}. " +
                "type is one of failure_analysis, code_improvement, test_coverage, dependency_audit, performance_analysis. build_id is required for " +
                "failure_analysis; the other types may leave it out and name a project instead (default: the server's project). Optional: project, " +
                "root_cause, affected_files [{\"path\", \"line\" or \"lines\": [..]}], category, model, tokens_used {\"input\", \"output\"}.")
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

        var report = parsed.Report! with
        {
            IdempotencyKey = key.Length > 0 ? key : null,
            // The authenticated identity (a bearer token's name); null while the server runs without authentication.
            SubmittedBy = request.HttpContext.User.Identity?.Name,
        };
        if (report.BuildId is null)
        {
            report = report with { Project = report.Project ?? options.Value.DefaultProject() };
        }
        else if (report.Project is { } named && await store.GetBuildAsync(report.BuildId, cancellationToken) is { } build && build.Project != named)
        {
            return ApiErrors.BadRequest($"project '{named}' is not the project of build '{report.BuildId}' ('{build.Project}'); leave project out or send the build's.", "project", build.Project);
        }

        try
        {
            var id = await store.AddReportAsync(report, cancellationToken);
            ReportsLog.Stored(loggers.CreateLogger("BuildLore.Reports"), id, report.Type, report.BuildId ?? $"project {report.Project}");
            return TypedResults.Ok(new ReportStoredResponse(id));
        }
        catch (KeyNotFoundException)
        {
            return ApiErrors.NotFound($"No build with id '{report.BuildId}'. Reports attach to an existing build; list them with GET /llm/learning/builds.", "build_id");
        }
        catch (IdempotencyKeyReusedException e)
        {
            return ApiErrors.Create(StatusCodes.Status422UnprocessableEntity, e.Message, "Idempotency-Key");
        }
    }
}

/// <summary>The documented shape of a report body (parsing is done by <see cref="ReportRequestParser"/> for precise errors).</summary>
public sealed record ReportRequest(string? BuildId, string Type, string Analysis, IReadOnlyList<string>? Recommendations, double Confidence)
{
    public string? Project { get; init; }
    public string? RootCause { get; init; }
    public IReadOnlyList<AffectedFileDto>? AffectedFiles { get; init; }
    public string? Category { get; init; }
    public string? Model { get; init; }
    public TokensUsedDto? TokensUsed { get; init; }
}

public sealed record ReportStoredResponse(long ReportId)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
    public string Message => "report stored";
}

/// <summary>
/// Validates a report body field by field, so each mistake gets a message naming the field and what
/// it accepts, which model binding would not give. Fields it does not know are ignored.
/// </summary>
internal static partial class ReportRequestParser
{
    private const int MaxAffectedFiles = 500;
    private const int MaxLinesPerFile = 1000;
    private const int MaxNameLength = 200;

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

            if (!TryGetString(root, "build_id", out var buildId) || string.IsNullOrWhiteSpace(buildId))
            {
                if (type == ReportType.FailureAnalysis)
                {
                    return Fail(
                        "build_id is required for a failure_analysis: the id of the build it analyzes. The project-level types " +
                        "(code_improvement, test_coverage, dependency_audit, performance_analysis) may leave it out.",
                        "build_id",
                        "a build id string");
                }

                buildId = null;
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

            if (OptionalText(root, "project", MaxNameLength, out var project) is { } projectError)
            {
                return projectError;
            }

            if (OptionalText(root, "root_cause", int.MaxValue, out var rootCause) is { } rootCauseError)
            {
                return rootCauseError;
            }

            if (OptionalText(root, "model", MaxNameLength, out var model) is { } modelError)
            {
                return modelError;
            }

            if (OptionalText(root, "category", 64, out var category) is { } categoryError)
            {
                return categoryError;
            }

            if (category is not null && ParseCategory(type, category) is { } invalidCategory)
            {
                return invalidCategory;
            }

            var (files, filesError) = ParseAffectedFiles(root);
            if (filesError is not null)
            {
                return filesError;
            }

            var (input, output, tokensError) = ParseTokens(root);
            if (tokensError is not null)
            {
                return tokensError;
            }

            TryGetString(root, "session_id", out var bodySession);
            return new Result(new NewReport(buildId, type, analysis, recommendations, confidence, querySessionId ?? bodySession)
            {
                Project = project,
                Details = new ReportDetails
                {
                    RootCause = rootCause,
                    AffectedFiles = files,
                    Category = category,
                    Model = model,
                    InputTokens = input,
                    OutputTokens = output,
                },
            }, null);
        }
    }

    /// <summary>An optional string field: absent or null is fine; anything but a non-blank string within the length is an error.</summary>
    private static Result? OptionalText(JsonElement root, string name, int maxLength, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var allowed = maxLength == int.MaxValue ? "a non-empty string" : $"a non-empty string of at most {maxLength} characters";
        if (element.ValueKind != JsonValueKind.String)
        {
            return Fail($"{name} must be a string, not {Describe(element.ValueKind)}.", name, allowed);
        }

        var text = element.GetString()!;
        if (string.IsNullOrWhiteSpace(text) || text.Length > maxLength)
        {
            return Fail($"{name} must be {allowed}.", name, allowed);
        }

        value = text;
        return null;
    }

    private static Result? ParseCategory(string type, string category)
    {
        if (type == ReportType.FailureAnalysis)
        {
            return FailureCategory.All.Contains(category, StringComparer.Ordinal)
                ? null
                : Fail($"'{category}' is not a failure category.", "category", string.Join(", ", FailureCategory.All));
        }

        return CategoryName().IsMatch(category)
            ? null
            : Fail($"category '{category}' is not a snake_case label.", "category", "lower-case letters, digits and _ (e.g. outdated_dependency)");
    }

    private static (IReadOnlyList<AffectedFile> Files, Result? Error) ParseAffectedFiles(JsonElement root)
    {
        const string Allowed = "an array of {\"path\": \"src/a.cs\", \"line\": 12} or {\"path\": ..., \"lines\": [12, 30]} (or path strings)";
        if (!root.TryGetProperty("affected_files", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return ([], null);
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return ([], Fail($"affected_files must be an array, not {Describe(element.ValueKind)}.", "affected_files", Allowed));
        }

        if (element.GetArrayLength() > MaxAffectedFiles)
        {
            return ([], Fail($"affected_files holds more than {MaxAffectedFiles} entries.", "affected_files", $"at most {MaxAffectedFiles} entries"));
        }

        var files = new List<AffectedFile>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(item.GetString()))
            {
                files.Add(new AffectedFile(item.GetString()!, []));
                continue;
            }

            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(path.GetString()))
            {
                return ([], Fail("Each affected file needs a non-empty path.", "affected_files", Allowed));
            }

            var lines = new List<int>();
            if (item.TryGetProperty("line", out var line) && line.ValueKind != JsonValueKind.Null)
            {
                if (!TryGetLine(line, out var number))
                {
                    return ([], Fail($"The line of '{path.GetString()}' must be a whole number of 1 or more.", "affected_files", Allowed));
                }

                lines.Add(number);
            }

            if (item.TryGetProperty("lines", out var many) && many.ValueKind != JsonValueKind.Null)
            {
                if (many.ValueKind != JsonValueKind.Array || many.GetArrayLength() > MaxLinesPerFile)
                {
                    return ([], Fail($"The lines of '{path.GetString()}' must be an array of at most {MaxLinesPerFile} line numbers.", "affected_files", Allowed));
                }

                foreach (var entry in many.EnumerateArray())
                {
                    if (!TryGetLine(entry, out var number))
                    {
                        return ([], Fail($"The lines of '{path.GetString()}' must be whole numbers of 1 or more.", "affected_files", Allowed));
                    }

                    lines.Add(number);
                }
            }

            files.Add(new AffectedFile(path.GetString()!, [.. lines.Distinct().Order()]));
        }

        return (files, null);
    }

    private static bool TryGetLine(JsonElement element, out int line)
    {
        line = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out line) && line >= 1;
    }

    private static (long? Input, long? Output, Result? Error) ParseTokens(JsonElement root)
    {
        const string Allowed = "{\"input\": whole number >= 0, \"output\": whole number >= 0}";
        if (!root.TryGetProperty("tokens_used", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, null, Fail($"tokens_used must be an object, not {Describe(element.ValueKind)}.", "tokens_used", Allowed));
        }

        long? Read(string name, out bool valid)
        {
            valid = true;
            if (!element.TryGetProperty(name, out var count) || count.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            valid = count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var value) && value >= 0;
            return valid ? count.GetInt64() : null;
        }

        var input = Read("input", out var inputValid);
        var output = Read("output", out var outputValid);
        return inputValid && outputValid
            ? (input, output, null)
            : (null, null, Fail("tokens_used.input and tokens_used.output must be whole numbers of 0 or more.", "tokens_used", Allowed));
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

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex CategoryName();
}

internal static partial class ReportsLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Stored report {ReportId} ({Type}) about {Subject}")]
    public static partial void Stored(ILogger logger, long reportId, string type, string subject);
}
