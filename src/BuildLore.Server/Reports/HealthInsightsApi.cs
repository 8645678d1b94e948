using BuildLore.Core.Builds;
using BuildLore.Core.Insights;
using BuildLore.Core.Reports;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Reports;

/// <summary><c>GET /llm/learning/health</c>: the quick-start's Example 2 made real.</summary>
internal static class HealthInsightsApi
{
    public static IEndpointRouteBuilder MapHealthInsights(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/health", GetAsync)
            .WithTags("Insights")
            .WithName("ProjectHealth")
            .WithSummary("Success rate, builds per day, mean time to recovery, median/p95 durations and their trend, top failure categories and fingerprints, flaky tests, and a health score.")
            .WithDescription("health_score = 100 × (0.6 × success rate + 0.2 × recovery + 0.2 × stability); recovery is 1 when failures are fixed within an hour, falling to 0 at a week; stability is 1 − flaky tests / tests seen.");
        return app;
    }

    private static async Task<Results<Ok<ProjectHealthResponse>, JsonHttpResult<ErrorResponse>>> GetAsync(
        string? project, string? days, IBuildStore store, CancellationToken cancellationToken)
    {
        if (!Builds.BuildsApi.TryParseInt(days, 30, 1, 3650, out var window))
        {
            return ApiErrors.BadRequest($"days must be a whole number from 1 to 3650 (got '{days}').", "days", "1..3650");
        }

        var since = DateTimeOffset.UtcNow.AddDays(-window);
        var builds = await store.ListBuildsSinceAsync(project, since, cancellationToken);
        var flaky = await store.ListFlakyTestsAsync(project, null, since, cancellationToken);
        var tests = await store.CountTestsAsync(project, since, cancellationToken);
        var patterns = await store.ListPatternsAsync(new PatternQuery(project, Since: since, Severity: "error", MinBuilds: 2, Limit: 5), cancellationToken);
        var health = ProjectHealthCalculator.Compute(builds, window, flaky.Count, tests);
        var calibration = await new KnowledgeBase(store).CalibrationAsync(project, since, cancellationToken);
        return TypedResults.Ok(new ProjectHealthResponse(
            project, health.Days, health.Builds, health.Finished, health.SuccessRate, health.BuildsPerDay, health.MeanTimeToRecoveryHours,
            health.MedianDurationSeconds, health.P95DurationSeconds, health.MedianDurationTrendSeconds,
            [.. health.TopCategories.Select(c => new CategoryCount(c.Category, c.Builds))],
            [.. patterns.Select(p => new FingerprintCount(p.Fingerprint, p.Template, p.Builds))],
            [.. flaky.Take(10).Select(f => f.Name)],
            health.HealthScore)
        {
            ConfidenceCalibration = [.. calibration.Select(b => new CalibrationDto(b.From, b.To, b.Reports, b.Fixed, b.FixRate))],
            P95DurationTrendSeconds = health.DurationTrend?.P95ChangeSeconds,
            DurationTrend = health.DurationTrend is { } t
                ? new DurationTrendDto(t.EarlyBuilds, t.LateBuilds, t.EarlyMedianSeconds, t.LateMedianSeconds, t.EarlyP95Seconds, t.LateP95Seconds)
                : null,
        });
    }
}

public sealed record CategoryCount(string Category, int Builds);

public sealed record CalibrationDto(double From, double To, int Reports, int Fixed, double? FixRate);

public sealed record DurationTrendDto(int EarlyBuilds, int LateBuilds, double EarlyMedianSeconds, double LateMedianSeconds, double EarlyP95Seconds, double LateP95Seconds);

public sealed record FingerprintCount(string Fingerprint, string Template, long Builds);

public sealed record ProjectHealthResponse(
    string? Project,
    int Days,
    int Builds,
    int FinishedBuilds,
    double SuccessRate,
    double BuildsPerDay,
    double? MeanTimeToRecoveryHours,
    double? MedianDurationSeconds,
    double? P95DurationSeconds,
    double? MedianDurationTrendSeconds,
    IReadOnlyList<CategoryCount> TopFailureCategories,
    IReadOnlyList<FingerprintCount> TopFingerprints,
    IReadOnlyList<string> FlakyTests,
    double HealthScore)
{
    /// <summary>For failure reports whose outcome is known: how often the next build passed, by confidence band.</summary>
    public IReadOnlyList<CalibrationDto> ConfidenceCalibration { get; init; } = [];

    /// <summary>p95 duration of the later half of the window's finished builds minus that of the earlier half.</summary>
    public double? P95DurationTrendSeconds { get; init; }

    /// <summary>Median and p95 durations of the earlier and the later half of the window's finished builds.</summary>
    public DurationTrendDto? DurationTrend { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
