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
/// analyzed, and each one's outcome is read from the build that followed it.
/// </summary>
public sealed class KnowledgeBase(IBuildStore store)
{
    /// <summary>What followed a report: the next finished build of its project and branch, judged against the report's build.</summary>
    public async Task<(string Outcome, string? NextBuildId)> OutcomeAsync(Report report, CancellationToken cancellationToken = default)
    {
        var build = await store.GetBuildAsync(report.BuildId, cancellationToken).ConfigureAwait(false);
        if (build is null)
        {
            return (ReportOutcome.Unknown, null);
        }

        var next = await store.FindNextFinishedBuildAsync(build.Project, build.Branch, report.CreatedAt, build.Id, cancellationToken).ConfigureAwait(false);
        if (next is null)
        {
            return (ReportOutcome.Unknown, null);
        }

        if (next.Status == BuildStatus.Success)
        {
            return (ReportOutcome.Fixed, next.Id);
        }

        var before = await store.ListErrorFingerprintsAsync(build.Id, cancellationToken).ConfigureAwait(false);
        var after = await store.ListErrorFingerprintsAsync(next.Id, cancellationToken).ConfigureAwait(false);
        return (before.Intersect(after, StringComparer.Ordinal).Any() ? ReportOutcome.StillFailing : ReportOutcome.FailedDifferently, next.Id);
    }

    /// <summary>
    /// For failure reports whose outcome is known, how often the next build passed, by confidence band:
    /// a well-calibrated analyzer's confident reports are followed by a fix more often.
    /// </summary>
    public async Task<IReadOnlyList<CalibrationBand>> CalibrationAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var (reports, _) = await store.ListReportsAsync(new ReportQuery(ReportType.FailureAnalysis, Project: project, Since: since, Limit: 200), cancellationToken).ConfigureAwait(false);
        var judged = new List<(double Confidence, string Outcome)>();
        foreach (var report in reports)
        {
            var (outcome, _) = await OutcomeAsync(report, cancellationToken).ConfigureAwait(false);
            if (outcome != ReportOutcome.Unknown)
            {
                judged.Add((report.Confidence, outcome));
            }
        }

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
        var candidates = await store.ListReportsByFingerprintAsync(fingerprints, excludeBuildId, limit * 5, cancellationToken).ConfigureAwait(false);
        var issues = new List<KnownIssue>();
        foreach (var candidate in candidates.Where(c => c.Report.Type == ReportType.FailureAnalysis))
        {
            var next = await store.FindNextFinishedBuildAsync(candidate.Project, candidate.Branch, candidate.Report.CreatedAt, candidate.Report.BuildId, cancellationToken).ConfigureAwait(false);
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
