using BuildLore.Core.Builds;

namespace BuildLore.Core.Insights;

/// <summary>How a project's builds have been doing over a window of days.</summary>
public sealed record ProjectHealth(
    int Days,
    int Builds,
    int Finished,
    double SuccessRate,
    double BuildsPerDay,
    double? MeanTimeToRecoveryHours,
    double? MedianDurationSeconds,
    double? P95DurationSeconds,
    double? MedianDurationTrendSeconds,
    IReadOnlyList<(string Category, int Builds)> TopCategories,
    double HealthScore)
{
    /// <summary>The durations of the earlier and the later half of the window's finished builds; null without durations in both.</summary>
    public DurationTrend? DurationTrend { get; init; }
}

/// <summary>
/// Build durations (seconds) of the earlier and the later half of a window's finished builds: whether
/// builds are getting slower, in the typical case (median) and in the slow tail (p95).
/// </summary>
public sealed record DurationTrend(int EarlyBuilds, int LateBuilds, double EarlyMedianSeconds, double LateMedianSeconds, double EarlyP95Seconds, double LateP95Seconds)
{
    public double P95ChangeSeconds => Math.Round(LateP95Seconds - EarlyP95Seconds, 2);
}

/// <summary>
/// Computes <see cref="ProjectHealth"/>. The health score (0..100) is
/// <c>100 × (0.6 × success rate + 0.2 × recovery + 0.2 × stability)</c>, where recovery is 1 when
/// failures are fixed within an hour, falling linearly to 0 at a week (or 1 with no failures; recovery is
/// measured per project and branch), and stability is
/// 1 minus the share of flaky tests among tests seen (1 without test reports).
/// </summary>
public static class ProjectHealthCalculator
{
    public static ProjectHealth Compute(IReadOnlyList<Build> builds, int days, int flakyTests, int testsSeen)
    {
        // In the order they were made: the earlier and later halves, and each failure's recovery, depend on it.
        var finished = builds.Where(b => BuildStatus.IsFinished(b.Status) && b.Status != BuildStatus.Cancelled).OrderBy(b => b.CreatedAt).ToList();
        var successes = finished.Count(b => b.Status == BuildStatus.Success);
        var successRate = finished.Count == 0 ? 0 : (double)successes / finished.Count;

        // Time to recovery: from the first failure after a green build to the next green build of the same
        // project and branch (a feature branch that is red does not wait for main to turn green).
        var recoveries = new List<TimeSpan>();
        foreach (var line in finished.GroupBy(b => (b.Project, b.Branch)))
        {
            DateTimeOffset? brokenSince = null;
            foreach (var build in line.OrderBy(b => b.FinishedAt))
            {
                if (build.Status == BuildStatus.Success)
                {
                    if (brokenSince is { } since && build.FinishedAt is { } fixedAt)
                    {
                        recoveries.Add(fixedAt - since);
                    }

                    brokenSince = null;
                }
                else
                {
                    brokenSince ??= build.FinishedAt;
                }
            }
        }

        double? mttr = recoveries.Count == 0 ? null : recoveries.Average(r => r.TotalHours);
        var durations = finished.Where(b => b.Duration is not null).Select(b => b.Duration!.Value.TotalSeconds).ToList();
        var half = finished.Count / 2;
        var early = finished.Take(half).Where(b => b.Duration is not null).Select(b => b.Duration!.Value.TotalSeconds).ToList();
        var late = finished.Skip(half).Where(b => b.Duration is not null).Select(b => b.Duration!.Value.TotalSeconds).ToList();
        var trend = early.Count > 0 && late.Count > 0 ? Percentile(late, 0.5) - Percentile(early, 0.5) : (double?)null;
        var durationTrend = trend is null ? null : new DurationTrend(early.Count, late.Count,
            Math.Round(Percentile(early, 0.5), 2), Math.Round(Percentile(late, 0.5), 2), Math.Round(Percentile(early, 0.95), 2), Math.Round(Percentile(late, 0.95), 2));

        var categories = finished.Where(b => b.Category is not null).GroupBy(b => b.Category!)
            .Select(g => (g.Key, g.Count())).OrderByDescending(c => c.Item2).Take(5).ToList();

        var recovery = mttr is null ? 1 : Math.Clamp(1 - (mttr.Value - 1) / (7 * 24 - 1), 0, 1);
        var stability = testsSeen == 0 ? 1 : 1 - (double)flakyTests / testsSeen;
        var score = finished.Count == 0 ? 0 : Math.Round(100 * (0.6 * successRate + 0.2 * recovery + 0.2 * stability), 1);

        return new ProjectHealth(days, builds.Count, finished.Count, Math.Round(successRate, 3), Math.Round((double)builds.Count / days, 2),
            mttr is null ? null : Math.Round(mttr.Value, 2),
            durations.Count == 0 ? null : Math.Round(Percentile(durations, 0.5), 2),
            durations.Count == 0 ? null : Math.Round(Percentile(durations, 0.95), 2),
            trend is null ? null : Math.Round(trend.Value, 2),
            categories, score)
        {
            DurationTrend = durationTrend,
        };
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
