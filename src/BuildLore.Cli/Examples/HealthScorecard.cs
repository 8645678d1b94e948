using BuildLore.Client;

namespace BuildLore.Cli.Examples;

/// <summary>
/// The quick-start's Example 2, "Project Health Scorecard": 80% of the score is the success rate of
/// the recent builds, 20% is having tests.
/// </summary>
internal static class HealthScorecard
{
    public sealed record Score(double HealthScore, double SuccessRate, int TotalBuilds, int SuccessfulBuilds, int FinishedBuilds, bool HasTests);

    /// <summary>Success rate counts finished builds only: a build still running has not failed.</summary>
    public static Score Compute(IReadOnlyList<BuildInfo> builds, bool hasTests)
    {
        var finished = builds.Count(b => BuildStatuses.IsFinished(b.Status));
        var successes = builds.Count(b => b.Status == BuildStatuses.Success);
        var successRate = finished > 0 ? (double)successes / finished : 0;
        var score = successRate * 0.8 + (hasTests ? 0.2 : 0);
        return new Score(Math.Round(score * 100, 1), Math.Round(successRate * 100, 1), builds.Count, successes, finished, hasTests);
    }

    public static async Task<Score> GenerateAsync(LLMClient client, int limit, CancellationToken cancellationToken = default)
    {
        var page = await client.GetBuildsAsync(limit, 0, LogDetail.None, cancellationToken).ConfigureAwait(false);
        var codebase = await client.GetCodebaseAsync(cancellationToken).ConfigureAwait(false);
        return Compute(page.Builds, codebase.StructureSummary.HasTests);
    }
}
