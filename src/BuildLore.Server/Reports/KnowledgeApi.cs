using System.Globalization;
using BuildLore.Core.Reports;
using BuildLore.Core.Storage;
using BuildLore.Server.Builds;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Reports;

/// <summary>Reading reports back: lists, one report, and the knowledge kept per failure fingerprint.</summary>
internal static class KnowledgeApi
{
    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/llm/learning").WithTags("Reports");

        group.MapGet("/reports", ListReports)
            .WithName("ListReports")
            .WithSummary("Reports, newest first, filtered by type, build_id, project, min_confidence, since; paged with skip/limit (1..200, default 20).");

        group.MapGet("/report/{id}", GetReport)
            .WithName("GetReport")
            .WithSummary("One report.");

        group.MapGet("/knowledge", GetKnowledge)
            .WithName("GetKnowledge")
            .WithSummary("Earlier failure analyses of builds that failed with these fingerprints (?fingerprint=, repeatable), and their outcome.")
            .WithDescription("outcome: fixed (the next build of that project and branch passed), failed_differently, still_failing, or unknown (no build since). Fixed first.");

        group.MapPost("/build/{id}/claim", ClaimAnalysis)
            .WithName("ClaimAnalysis")
            .WithSummary("Lets one agent analyze a build: 200 when the claim is granted, 409 when the build already has a failure analysis or another agent holds an unexpired claim.")
            .WithDescription("Body: {\"agent\": \"name\", \"ttl_seconds\": 300}. Agents running side by side claim before analyzing, so each build is reported on once.");

        group.MapGet("/unanalyzed", ListUnanalyzed)
            .WithName("ListUnanalyzedBuilds")
            .WithSummary("Failed builds (failed, error, timeout) with no failure_analysis and no agent's unexpired claim, newest first (limit 1..1000, default 200).")
            .WithDescription("What an agent still has to analyze, in one query: a restarted agent asks here instead of remembering.");

        return app;
    }

    private static async Task<Results<Ok<BuildListResponse>, JsonHttpResult<ErrorResponse>>> ListUnanalyzed(
        IBuildStore store, string? limit, CancellationToken cancellationToken)
    {
        if (!BuildsApi.TryParseInt(limit, 200, 1, 1000, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to 1000 (got '{limit}').", "limit", "1..1000");
        }

        var builds = await store.ListUnanalyzedBuildsAsync(DateTimeOffset.UtcNow, take, cancellationToken);
        return TypedResults.Ok(new BuildListResponse([.. builds.Select(b => b.ToDto(null, false))], builds.Count, 0, take));
    }

    private static async Task<Results<Ok<ClaimResponse>, JsonHttpResult<ErrorResponse>>> ClaimAnalysis(
        string id, HttpRequest request, IBuildStore store, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, 4096, cancellationToken);
        string? agent = null;
        var ttl = 300;
        try
        {
            if (body is { Length: > 0 } bytes)
            {
                using var document = System.Text.Json.JsonDocument.Parse(bytes);
                if (document.RootElement.TryGetProperty("agent", out var a) && a.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    agent = a.GetString();
                }

                if (document.RootElement.TryGetProperty("ttl_seconds", out var t) && (t.ValueKind != System.Text.Json.JsonValueKind.Number || !t.TryGetInt32(out ttl) || ttl is < 1 or > 86_400))
                {
                    return ApiErrors.BadRequest("ttl_seconds must be a whole number from 1 to 86400.", "ttl_seconds", "1..86400");
                }
            }
        }
        catch (System.Text.Json.JsonException e)
        {
            return ApiErrors.BadRequest($"The body is not valid JSON: {e.Message}", "body", "a JSON object");
        }

        if (string.IsNullOrWhiteSpace(agent))
        {
            return ApiErrors.BadRequest("agent is required: a name unique to the agent process.", "agent", "a non-empty string");
        }

        if (await store.GetBuildAsync(id, cancellationToken) is null)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        if ((await store.ListReportsAsync(id, cancellationToken)).Any(r => r.Type == ReportType.FailureAnalysis))
        {
            return ApiErrors.Create(StatusCodes.Status409Conflict, $"Build '{id}' already has a failure analysis.", "id");
        }

        var now = DateTimeOffset.UtcNow;
        var until = now.AddSeconds(ttl);
        return await store.TryLeaseAnalysisAsync(id, agent, now, until, cancellationToken)
            ? TypedResults.Ok(new ClaimResponse(id, agent, until))
            : ApiErrors.Create(StatusCodes.Status409Conflict, $"Another agent is analyzing build '{id}'.", "id");
    }

    private static async Task<Results<Ok<ReportListResponse>, JsonHttpResult<ErrorResponse>>> ListReports(
        IBuildStore store, string? type, string? build_id, string? project, string? min_confidence, string? since, string? skip, string? limit, CancellationToken cancellationToken)
    {
        if (type is not null && !ReportType.IsKnown(type))
        {
            return ApiErrors.BadRequest($"Unknown report type '{type}'.", "type", string.Join(", ", ReportType.All));
        }

        double? minimum = null;
        if (min_confidence is not null)
        {
            if (!double.TryParse(min_confidence, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
            {
                return ApiErrors.BadRequest($"min_confidence must be a number from 0 to 1 (got '{min_confidence}').", "min_confidence", "0..1");
            }

            minimum = value;
        }

        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ApiErrors.BadRequest($"since must be an ISO 8601 date or time (got '{since}').", "since", "e.g. 2026-11-01");
            }

            from = parsed;
        }

        if (!BuildsApi.TryParseInt(skip, 0, 0, int.MaxValue, out var offset))
        {
            return ApiErrors.BadRequest($"skip must be a whole number of 0 or more (got '{skip}').", "skip", "0 or more");
        }

        if (!BuildsApi.TryParseInt(limit, 20, 1, 200, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to 200 (got '{limit}').", "limit", "1..200");
        }

        var (reports, total) = await store.ListReportsAsync(new ReportQuery(type, build_id, project, minimum, from, offset, take), cancellationToken);
        return TypedResults.Ok(new ReportListResponse([.. reports.Select(r => r.ToDto())], total, offset, take));
    }

    private static async Task<Results<Ok<ReportResponse>, JsonHttpResult<ErrorResponse>>> GetReport(string id, IBuildStore store, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var reportId))
        {
            return ApiErrors.BadRequest($"A report id is a number (got '{id}').", "id", "a report_id");
        }

        var report = await store.GetReportAsync(reportId, cancellationToken);
        return report is null ? ApiErrors.NotFound($"No report with id {reportId}.", "id") : TypedResults.Ok(new ReportResponse(report.ToDto()));
    }

    private static async Task<Results<Ok<KnowledgeResponse>, JsonHttpResult<ErrorResponse>>> GetKnowledge(
        HttpRequest request, IBuildStore store, CancellationToken cancellationToken)
    {
        var fingerprints = request.Query["fingerprint"].Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f!).Distinct().ToList();
        if (fingerprints.Count == 0)
        {
            return ApiErrors.BadRequest("fingerprint is required: a diagnostic's fingerprint (see a build's fingerprints, or /llm/learning/patterns).", "fingerprint", "one or more fingerprints");
        }

        var issues = await new KnowledgeBase(store).FindAsync(fingerprints, null, 50, cancellationToken);
        return TypedResults.Ok(new KnowledgeResponse(fingerprints, [.. issues.Select(KnownIssueMapping.ToDto)]));
    }
}

public sealed record KnownIssueDto(
    long ReportId,
    string BuildId,
    string Type,
    string Analysis,
    IReadOnlyList<string> Recommendations,
    double Confidence,
    DateTimeOffset CreatedAt,
    string Fingerprint,
    string Outcome,
    string? NextBuildId)
{
    public string? RootCause { get; init; }
}

internal static class KnownIssueMapping
{
    public static KnownIssueDto ToDto(KnownIssue issue) => new(
        issue.Report.Id, issue.Report.BuildId ?? "", issue.Report.Type, issue.Report.Analysis, issue.Report.Recommendations,
        issue.Report.Confidence, issue.Report.CreatedAt, issue.Fingerprint, issue.Outcome, issue.NextBuildId)
    {
        RootCause = issue.Report.Details.RootCause,
    };
}

public sealed record ReportListResponse(IReadOnlyList<ReportDto> Reports, long Total, int Skip, int Limit)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record ClaimResponse(string BuildId, string Agent, DateTimeOffset ExpiresAt)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record ReportResponse(ReportDto Report)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record KnowledgeResponse(IReadOnlyList<string> Fingerprints, IReadOnlyList<KnownIssueDto> KnownIssues)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
