using System.Globalization;
using System.Text;
using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>
/// The offline <c>performance_analysis</c>, from the project's health figures: whether builds got slower
/// (the later half of the window's median against the earlier half's), whether the slow tail grew (the
/// p95), how long that tail is, and how many builds ran out of time. The confidence of each finding grows
/// with the size of the change and is held down when few builds back it.
/// </summary>
internal static class PerformanceReview
{
    /// <summary>Fewer finished builds than this say nothing about a trend.</summary>
    public const int MinimumBuilds = 6;

    private sealed record Finding(string Kind, string Text, string Advice, double Confidence);

    public static AgentAnalysis? Review(string project, ProjectHealth health)
    {
        if (health.DurationTrend is not { } trend || health.FinishedBuilds < MinimumBuilds || health.MedianDurationSeconds is not { } median || health.P95DurationSeconds is not { } p95)
        {
            return null;
        }

        // Small samples on either side make a trend a guess.
        var sampleFactor = Math.Min(trend.EarlyBuilds, trend.LateBuilds) >= 10 ? 1.0 : 0.85;
        var findings = new List<Finding>();
        var medianChange = Change(trend.EarlyMedianSeconds, trend.LateMedianSeconds);
        if (medianChange >= 0.2 && trend.LateMedianSeconds - trend.EarlyMedianSeconds >= 5)
        {
            findings.Add(new Finding("build_slowdown",
                $"Builds got slower: the median went from {Seconds(trend.EarlyMedianSeconds)} to {Seconds(trend.LateMedianSeconds)} ({Percent(medianChange)}) between the earlier and the later half of the last {health.Days} days.",
                "Compare a recent slow build with an earlier fast one (GET /llm/learning/build/{id}/compare) and look at what the commits in between added to the build: steps, tests, dependencies.",
                Confidence(medianChange, sampleFactor)));
        }

        var p95Change = Change(trend.EarlyP95Seconds, trend.LateP95Seconds);
        if (p95Change >= 0.3 && trend.LateP95Seconds - trend.EarlyP95Seconds >= 10)
        {
            findings.Add(new Finding("tail_regression",
                $"The slowest builds got slower: p95 went from {Seconds(trend.EarlyP95Seconds)} to {Seconds(trend.LateP95Seconds)} ({Percent(p95Change)}).",
                "Read the logs of the slowest recent builds for downloads, retries and waits: tail regressions usually come from cache misses, flaky retries or a busy shared resource.",
                Confidence(p95Change, sampleFactor) - 0.05));
        }

        if (median > 0 && p95 / median >= 3 && p95 - median >= 30)
        {
            findings.Add(new Finding("tail_latency",
                $"A long tail: p95 ({Seconds(p95)}) is {p95 / median:0.0}× the median ({Seconds(median)}).",
                "Make slow steps visible (time each step) and cache dependencies and build outputs between runs, so the occasional cold build stops dominating.",
                Math.Round(0.7 * sampleFactor, 2)));
        }

        var timeouts = health.TopFailureCategories.FirstOrDefault(c => c.Category == "timeout")?.Builds ?? 0;
        if (timeouts > 0)
        {
            findings.Add(new Finding("timeouts",
                $"{timeouts} build(s) ran out of time.",
                "Find the step that hangs in the last lines of a timed-out build's log; raise the timeout only if the work is legitimately slow.",
                timeouts >= 2 ? 0.8 : 0.65));
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Build durations of {project} over the last {health.Days} days ({health.FinishedBuilds} finished builds): median {Seconds(median)}, p95 {Seconds(p95)}. ");
        text.Append(CultureInfo.InvariantCulture,
            $"Earlier half: median {Seconds(trend.EarlyMedianSeconds)}, p95 {Seconds(trend.EarlyP95Seconds)} ({trend.EarlyBuilds} builds); later half: median {Seconds(trend.LateMedianSeconds)}, p95 {Seconds(trend.LateP95Seconds)} ({trend.LateBuilds} builds).");
        if (medianChange <= -0.2)
        {
            text.Append(CultureInfo.InvariantCulture, $" Builds got faster ({Percent(medianChange)} on the median).");
        }

        if (findings.Count == 0)
        {
            text.Append(" Durations are stable: no slowdown, tail regression or timeouts.");
        }

        foreach (var finding in findings)
        {
            text.Append("\n- ").Append(finding.Text);
        }

        var ordered = findings.OrderByDescending(f => f.Confidence).ToList();
        return new AgentAnalysis(text.ToString(), [.. ordered.Select(f => (f.Advice, f.Confidence))], ordered.Count == 0 ? Math.Round(0.7 * sampleFactor, 2) : ordered[0].Confidence)
        {
            RootCause = ordered.FirstOrDefault()?.Text,
            Category = ordered.FirstOrDefault()?.Kind ?? "stable",
            Model = RuleBasedAnalyzer.ModelName,
        };
    }

    private static double Change(double before, double after) => before <= 0 ? 0 : (after - before) / before;

    // 20% slower is worth a look (0.58), 50% slower likely real (0.7), doubling near certain (0.9).
    private static double Confidence(double change, double sampleFactor) => Math.Round(Math.Min(0.9, 0.5 + 0.4 * Math.Min(1, change)) * sampleFactor, 2);

    private static string Seconds(double seconds) => seconds >= 120
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s");

    private static string Percent(double change) => string.Create(CultureInfo.InvariantCulture, $"{(change >= 0 ? "+" : "")}{change * 100:0}%");
}
