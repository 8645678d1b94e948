using BuildLore.Core.Builds;
using BuildLore.Core.Storage;

namespace BuildLore.Core.Reports;

/// <summary>What happened after a report was written: did the next build of its project and branch pass?</summary>
public static class ReportOutcome
{
    /// <summary>The next build passed.</summary>
    public const string Fixed = "fixed";

    /// <summary>The next build failed differently: this failure went away, another came.</summary>
    public const string FailedDifferently = "failed_differently";

    /// <summary>The next build failed the same way.</summary>
    public const string StillFailing = "still_failing";

    /// <summary>No build of that project and branch has finished since.</summary>
    public const string Unknown = "unknown";

    /// <summary>Order in which known issues are shown: advice that was followed by a fix first.</summary>
    public static int Rank(string outcome) => outcome switch
    {
        Fixed => 0,
        FailedDifferently => 1,
        Unknown => 2,
        _ => 3,
    };
}

/// <summary>An earlier analysis of a failure with the same fingerprint, and how things went after it.</summary>
public sealed record KnownIssue(Report Report, string Fingerprint, string Outcome, string? NextBuildId);

/// <summary>
/// The learning memory: failure reports are found again through the fingerprints of the builds they
/// analyzed, and each one's outcome is read from the build that followed it.
/// </summary>
public sealed class KnowledgeBase(IBuildStore store)
{
    /// <summary>Earlier failure analyses of builds that failed with any of <paramref name="fingerprints"/>, best outcomes first.</summary>
    public async Task<IReadOnlyList<KnownIssue>> FindAsync(
        IReadOnlyCollection<string> fingerprints, string? excludeBuildId = null, int limit = 10, CancellationToken cancellationToken = default)
    {
        var candidates = await store.ListReportsByFingerprintAsync(fingerprints, excludeBuildId, limit * 5, cancellationToken).ConfigureAwait(false);
        var issues = new List<KnownIssue>();
        foreach (var candidate in candidates.Where(c => c.Report.Type == ReportType.FailureAnalysis))
        {
            var next = await store.FindNextFinishedBuildAsync(candidate.Project, candidate.Branch, candidate.Report.CreatedAt, cancellationToken).ConfigureAwait(false);
            var outcome = next switch
            {
                null => ReportOutcome.Unknown,
                { Status: BuildStatus.Success } => ReportOutcome.Fixed,
                _ => (await store.ListErrorFingerprintsAsync(next.Id, cancellationToken).ConfigureAwait(false)).Contains(candidate.Fingerprint ?? "", StringComparer.Ordinal)
                    ? ReportOutcome.StillFailing
                    : ReportOutcome.FailedDifferently,
            };
            issues.Add(new KnownIssue(candidate.Report, candidate.Fingerprint ?? "", outcome, next?.Id));
        }

        return [.. issues
            .OrderBy(i => ReportOutcome.Rank(i.Outcome))
            .ThenByDescending(i => i.Report.Confidence)
            .ThenByDescending(i => i.Report.CreatedAt)
            .Take(limit)];
    }
}
