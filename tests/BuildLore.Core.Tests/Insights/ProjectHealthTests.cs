using BuildLore.Core.Builds;
using BuildLore.Core.Insights;

namespace BuildLore.Core.Tests.Insights;

/// <summary>The health figures against numbers worked out by hand.</summary>
public sealed class ProjectHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static Build Build(int n, string status, double startHours, double durationSeconds, string branch = "main", string? category = null) => new()
    {
        Id = $"b{n}",
        Status = status,
        Project = "shop",
        Source = "ci",
        Branch = branch,
        Category = category,
        CreatedAt = T0.AddHours(startHours),
        StartedAt = T0.AddHours(startHours),
        FinishedAt = T0.AddHours(startHours).AddSeconds(durationSeconds),
    };

    [Fact]
    public void Compute_GivesTheFiguresWorkedOutByHand()
    {
        // main: green, red at 1 h, red at 2 h, green at 4 h (recovered 3 h after the first red), green.
        // feature: red at 3 h, green at 3.5 h (recovered 0.5 h later; main's builds do not count for it).
        // Given newest first, as a careless caller might: the calculator orders them itself.
        var builds = new[]
        {
            Build(1, BuildStatus.Success, 0, 100),
            Build(2, BuildStatus.Failed, 1, 110, category: "compile_error"),
            Build(3, BuildStatus.Failed, 2, 120, category: "compile_error"),
            Build(4, BuildStatus.Failed, 3, 130, branch: "feature", category: "test_failure"),
            Build(5, BuildStatus.Success, 3.5, 200, branch: "feature"),
            Build(6, BuildStatus.Success, 4, 300),
            Build(7, BuildStatus.Cancelled, 5, 10),
            Build(8, BuildStatus.Success, 6, 400),
        }.Reverse().ToList();

        var health = ProjectHealthCalculator.Compute(builds, days: 7, flakyTests: 1, testsSeen: 10);

        Assert.Equal(8, health.Builds);
        Assert.Equal(7, health.Finished); // the cancelled build is not an outcome
        Assert.Equal(0.571, health.SuccessRate); // 4 of 7
        Assert.Equal(1.14, health.BuildsPerDay); // 8 / 7
        // Recoveries, each from the first failure's end to the fix's end: main 4 h 300 s − 1 h 110 s, feature 3.5 h 200 s − 3 h 130 s.
        var main = TimeSpan.FromHours(3) + TimeSpan.FromSeconds(190);
        var feature = TimeSpan.FromHours(0.5) + TimeSpan.FromSeconds(70);
        Assert.Equal(Math.Round((main + feature).TotalHours / 2, 2), health.MeanTimeToRecoveryHours);
        // Durations of the 7 outcomes: 100 110 120 130 200 300 400.
        Assert.Equal(130, health.MedianDurationSeconds);
        Assert.Equal(370, health.P95DurationSeconds); // rank 0.95 × 6 = 5.7: 300 + 0.7 × 100
        // Earlier half (3 builds): 100 110 120; later half (4): 130 200 300 400.
        Assert.Equal(new DurationTrend(3, 4, 110, 250, 119, 385), health.DurationTrend);
        Assert.Equal(140, health.MedianDurationTrendSeconds);
        Assert.Equal([("compile_error", 2), ("test_failure", 1)], health.TopCategories);
        // Score: 100 × (0.6 × 4/7 + 0.2 × recovery + 0.2 × 0.9), recovery = 1 − (mttr − 1) / 167.
        var mttr = (main + feature).TotalHours / 2;
        var expected = Math.Round(100 * (0.6 * 4 / 7 + 0.2 * (1 - (mttr - 1) / 167) + 0.2 * 0.9), 1);
        Assert.Equal(expected, health.HealthScore);
    }

    [Fact]
    public void Compute_WithoutFailuresOrTests_CountsRecoveryAndStabilityAsPerfect()
    {
        var health = ProjectHealthCalculator.Compute([Build(1, BuildStatus.Success, 0, 60), Build(2, BuildStatus.Success, 1, 60)], days: 1, flakyTests: 0, testsSeen: 0);

        Assert.Null(health.MeanTimeToRecoveryHours);
        Assert.Equal(100, health.HealthScore);
    }

    [Fact]
    public void Compute_WithNothingFinished_ScoresZero()
    {
        var running = Build(1, BuildStatus.Running, 0, 0) with { FinishedAt = null };

        var health = ProjectHealthCalculator.Compute([running], days: 30, flakyTests: 0, testsSeen: 0);

        Assert.Equal(0, health.HealthScore);
        Assert.Null(health.MedianDurationSeconds);
        Assert.Null(health.DurationTrend);
    }
}
