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

/// <summary>Reports with confidence in [<see cref="From"/>, <see cref="To"/>) whose outcome is known, and how many were followed by a fix.</summary>
public sealed record CalibrationBand(double From, double To, int Reports, int Fixed, double? FixRate);

/// <summary>An earlier analysis of a failure with the same fingerprint, and how things went after it.</summary>
public sealed record KnownIssue(Report Report, string Fingerprint, string Outcome, string? NextBuildId);

/// <summary>
/// The learning memory: failure reports are found again through the fingerprints of the builds they
/// analyzed, and each one's outcome is read from the build that followed it. Each question is one
/// query to the store, whatever the number of reports.
/// </summary>
public sealed class KnowledgeBase(IBuildStore store)
{
    /// <summary>The outcome of a report given the next finished build of its project and branch.</summary>
    /// <param name="nextStatus">That build's status; null when there is none yet.</param>
    /// <param name="failedTheSameWay">Whether that build failed with the fingerprint(s) the report was about.</param>
    public static string Outcome(string? nextStatus, bool failedTheSameWay) => nextStatus switch
    {
        null => ReportOutcome.Unknown,
        BuildStatus.Success => ReportOutcome.Fixed,
        _ => failedTheSameWay ? ReportOutcome.StillFailing : ReportOutcome.FailedDifferently,
    };

    /// <summary>
    /// For failure reports whose outcome is known, how often the next build passed, by confidence band:
    /// a well-calibrated analyzer's confident reports are followed by a fix more often.
    /// </summary>
    public async Task<IReadOnlyList<CalibrationBand>> CalibrationAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var followUps = await store.ListReportFollowUpsAsync(project, since, 200, cancellationToken).ConfigureAwait(false);
        var judged = followUps
            .Select(f => (f.Confidence, Outcome: Outcome(f.NextStatus, f.NextSharesFingerprint)))
            .Where(j => j.Outcome != ReportOutcome.Unknown)
            .ToList();

        return [.. new[] { (0.7, 1.0), (0.4, 0.7), (0.0, 0.4) }.Select(band =>
        {
            var inBand = judged.Where(j => j.Confidence >= band.Item1 && (j.Confidence < band.Item2 || band.Item2 == 1.0)).ToList();
            var fixedCount = inBand.Count(j => j.Outcome == ReportOutcome.Fixed);
            return new CalibrationBand(band.Item1, band.Item2, inBand.Count, fixedCount, inBand.Count == 0 ? null : Math.Round((double)fixedCount / inBand.Count, 2));
        })];
    }

    /// <summary>Earlier failure analyses of builds that failed with any of <paramref name="fingerprints"/>, best outcomes first.</summary>
    public async Task<IReadOnlyList<KnownIssue>> FindAsync(
        IReadOnlyCollection<string> fingerprints, string? excludeBuildId = null, int limit = 10, CancellationToken cancellationToken = default)
    {
        var candidates = await store.ListKnownIssueCandidatesAsync(fingerprints, excludeBuildId, limit, cancellationToken).ConfigureAwait(false);
        return [.. candidates
            .Select(c => new KnownIssue(c.Report, c.Fingerprint, Outcome(c.NextStatus, c.NextHasFingerprint), c.NextBuildId))
            .OrderBy(i => ReportOutcome.Rank(i.Outcome))
            .ThenByDescending(i => i.Report.Confidence)
            .ThenByDescending(i => i.Report.CreatedAt)
            .Take(limit)];
    }
}
