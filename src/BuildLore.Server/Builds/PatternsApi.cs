using System.Globalization;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Builds;

/// <summary><c>GET /llm/learning/patterns</c>: errors that recur across builds, grouped by fingerprint.</summary>
internal static class PatternsApi
{
    public static IEndpointRouteBuilder MapPatterns(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/patterns", ListPatterns)
            .WithTags("Builds")
            .WithName("ListPatterns")
            .WithSummary("Recurring diagnostics across builds, most widespread first.")
            .WithDescription(
                "Filters: project, branch, since/until (ISO 8601) or days, severity (error|warning, default error), min_builds (default 2), limit (1..500, default 50).");
        return app;
    }

    private static async Task<Results<Ok<PatternsResponse>, JsonHttpResult<ErrorResponse>>> ListPatterns(
        IBuildStore store,
        string? project,
        string? branch,
        string? since,
        string? until,
        string? days,
        string? severity,
        string? min_builds,
        string? limit,
        CancellationToken cancellationToken)
    {
        if (!TryParseTime(since, out var sinceTime))
        {
            return ApiErrors.BadRequest($"since must be an ISO 8601 date or time (got '{since}').", "since", "e.g. 2026-11-01 or 2026-11-01T12:00:00Z");
        }

        if (!TryParseTime(until, out var untilTime))
        {
            return ApiErrors.BadRequest($"until must be an ISO 8601 date or time (got '{until}').", "until", "e.g. 2026-11-30");
        }

        if (!BuildsApi.TryParseInt(days, 0, 1, 3650, out var dayCount))
        {
            return ApiErrors.BadRequest($"days must be a whole number from 1 to 3650 (got '{days}').", "days", "1..3650");
        }

        if (severity is not (null or "error" or "warning" or "all"))
        {
            return ApiErrors.BadRequest($"severity must be error, warning or all (got '{severity}').", "severity", "error, warning, all");
        }

        if (!BuildsApi.TryParseInt(min_builds, 2, 1, int.MaxValue, out var minBuilds))
        {
            return ApiErrors.BadRequest($"min_builds must be a whole number of 1 or more (got '{min_builds}').", "min_builds", "1 or more");
        }

        if (!BuildsApi.TryParseInt(limit, 50, 1, 500, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to 500 (got '{limit}').", "limit", "1..500");
        }

        if (dayCount > 0)
        {
            sinceTime ??= DateTimeOffset.UtcNow.AddDays(-dayCount);
        }

        var patterns = await store.ListPatternsAsync(
            new PatternQuery(project, branch, sinceTime, untilTime, severity is "all" ? null : severity ?? "error", minBuilds, take),
            cancellationToken);
        return TypedResults.Ok(new PatternsResponse([.. patterns.Select(p => new PatternDto(
            p.Fingerprint, p.Template, p.Severity, p.Tool, p.Code, p.Occurrences, p.Builds, p.FirstSeen, p.LastSeen, p.Example, p.ExampleBuildId))]));
    }

    private static bool TryParseTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}

public sealed record PatternDto(
    string Fingerprint,
    string Template,
    string Severity,
    string? Tool,
    string? Code,
    long Occurrences,
    long Builds,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string Example,
    string ExampleBuildId);

public sealed record PatternsResponse(IReadOnlyList<PatternDto> Patterns)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
