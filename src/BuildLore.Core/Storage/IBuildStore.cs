using BuildLore.Core.Builds;
using BuildLore.Core.Reports;
using BuildLore.Core.TestResults;

namespace BuildLore.Core.Storage;

/// <summary>
/// Where builds, their logs and reports live. Every write is durable when the returned task
/// completes: a crash right after loses nothing the caller was told was stored.
/// Implementations: SQLite (the embedded default) and PostgreSQL, in BuildLore.Storage.
/// </summary>
public interface IBuildStore
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    Task<Build> CreateBuildAsync(NewBuild build, CancellationToken cancellationToken = default);

    Task<Build?> GetBuildAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Builds newest first; the order is stable across calls, so skip/limit pages neither repeat nor miss.</summary>
    Task<BuildPage> ListBuildsAsync(int skip, int limit, CancellationToken cancellationToken = default);

    /// <summary>Builds matching the query's filters, newest first, with how many match in all; as stable as the unfiltered list.</summary>
    Task<BuildPage> ListBuildsAsync(BuildListQuery query, CancellationToken cancellationToken = default);

    /// <summary>Builds created since <paramref name="since"/>, oldest first, without their analysis (for health figures).</summary>
    Task<IReadOnlyList<Build>> ListBuildsSinceAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Moves a queued build to running. False when it was no longer queued (e.g. cancelled).</summary>
    Task<bool> MarkRunningAsync(string id, DateTimeOffset startedAt, CancellationToken cancellationToken = default);

    /// <summary>Appends a piece of log text after everything appended before it, with when its lines began (in the same transaction).</summary>
    Task AppendLogAsync(string id, string text, LineTimes? lineTimes = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends chunk number <paramref name="sequence"/> (1, 2, 3...) of a pushed log, exactly once: a
    /// retried chunk is recognised and not appended again, and a chunk after a gap is refused.
    /// Returns what happened and the last sequence number stored.
    /// </summary>
    Task<(ChunkResult Result, long LastSequence)> AppendLogChunkAsync(string id, long sequence, string text, LineTimes? lineTimes = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="AppendLogChunkAsync(string, long, string, LineTimes?, CancellationToken)"/>, and adds
    /// <paramref name="redactions"/> (how many secrets were masked in this chunk) to the build's count in the
    /// same transaction, only when the chunk is appended: a retried chunk is counted once.
    /// </summary>
    Task<(ChunkResult Result, long LastSequence)> AppendLogChunkAsync(string id, long sequence, string text, LineTimes? lineTimes, long redactions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records how a build ended. False when the build had already finished. <see cref="BuildCompletion.Redactions"/>
    /// is added to what the build's chunks counted already (<see cref="AppendLogChunkAsync(string, long, string, LineTimes?, long, CancellationToken)"/>).
    /// </summary>
    Task<bool> FinishBuildAsync(string id, BuildCompletion completion, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="FinishBuildAsync"/>, only while the build is still queued: false once it runs or has finished.</summary>
    Task<bool> FinishQueuedBuildAsync(string id, BuildCompletion completion, CancellationToken cancellationToken = default);

    /// <summary>The whole log, piece by piece in order, without holding it all in memory.</summary>
    IAsyncEnumerable<string> ReadLogAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The whole log piece by piece, each with when its lines began (null for pieces stored without times).</summary>
    IAsyncEnumerable<(string Text, LineTimes? Times)> ReadLogWithTimesAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The stored pieces of the log from piece number <paramref name="fromPiece"/> (0-based) on, with their numbers: for following a log as it grows.</summary>
    IAsyncEnumerable<(long Piece, string Text)> ReadLogPiecesAsync(string id, long fromPiece, CancellationToken cancellationToken = default);

    /// <summary>The last <paramref name="maxChars"/> characters of the log (cut at a line start when possible).</summary>
    Task<LogTail> ReadLogTailAsync(string id, int maxChars, CancellationToken cancellationToken = default);

    /// <summary>Marks pushed builds (not the runner's) still running with no log received since <paramref name="idleSince"/> as <c>error</c> (reason <c>idle timeout</c>).</summary>
    Task<int> FailIdlePushedBuildsAsync(DateTimeOffset idleSince, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finished builds that have no summary: those <see cref="FailIdlePushedBuildsAsync"/> and
    /// <see cref="FailUnfinishedBuildsAsync"/> ended, oldest first.
    /// </summary>
    Task<IReadOnlyList<Build>> ListUnsummarizedBuildsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the analysis (summary, category, diagnostics and their fingerprints) of a finished build that has
    /// none yet. False when it had one already or is not finished.
    /// </summary>
    Task<bool> StoreAnalysisAsync(string id, Analysis.LogAnalysis analysis, Logs.LogSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Marks every queued or running build as <c>error</c> with the given reason; used at start-up after a crash.</summary>
    Task<int> FailUnfinishedBuildsAsync(string reason, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the process group a running build leads and the guard that tells it from a reused process id
    /// (see <see cref="Runner.ProcessGroups"/>); cleared when the build finishes.
    /// </summary>
    Task RecordBuildProcessAsync(string id, long processGroup, string guard, CancellationToken cancellationToken = default);

    /// <summary>Finished builds that still have a process group recorded: their server died before it could finish them.</summary>
    Task<IReadOnlyList<BuildProcessRecord>> ListLeftoverProcessesAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets a build's recorded process group.</summary>
    Task ForgetBuildProcessAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Fingerprints seen in finished builds, most widespread first.</summary>
    Task<IReadOnlyList<Pattern>> ListPatternsAsync(PatternQuery query, CancellationToken cancellationToken = default);

    Task<long> AddReportAsync(NewReport report, CancellationToken cancellationToken = default);

    Task<Report?> GetReportAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Adds test results (from a JUnit or TRX report) to a build.</summary>
    Task AddTestResultsAsync(string buildId, IReadOnlyList<TestCaseResult> results, CancellationToken cancellationToken = default);

    /// <summary>How many distinct tests ran in a project's builds since <paramref name="since"/>.</summary>
    Task<int> CountTestsAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TestCaseResult>> ListTestResultsAsync(string buildId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Flaky tests by <see cref="FlakyTestRule"/> on commits alone: passed and failed on one commit, or flipped
    /// between consecutive builds of a branch on the same commit. (With changed files known, use
    /// <see cref="ListTestRunsAsync"/> and <see cref="FlakyTestRule.FindAsync"/>.)
    /// </summary>
    Task<IReadOnlyList<FlakyTest>> ListFlakyTestsAsync(string? project, string? branch, DateTimeOffset? since, CancellationToken cancellationToken = default);

    /// <summary>Every passed or failed run of every test in the builds created since <paramref name="since"/>, in build order.</summary>
    Task<IReadOnlyList<TestRun>> ListTestRunsAsync(string? project, string? branch, DateTimeOffset? since, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives <paramref name="holder"/> the right to analyze a build until <paramref name="until"/>, unless
    /// someone else holds an unexpired lease on it. Several agents use this so each build is analyzed once.
    /// </summary>
    Task<bool> TryLeaseAnalysisAsync(string buildId, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Reports newest first, filtered, with the total matching.</summary>
    Task<(IReadOnlyList<Report> Reports, long Total)> ListReportsAsync(ReportQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The best <paramref name="limit"/> failure analyses of builds that had any of these error fingerprints (other than
    /// <paramref name="excludeBuildId"/>), each with the next finished build of its project and branch, in
    /// <see cref="Reports.ReportOutcome.Rank"/>'s order, then by confidence, then newest first. Stores may judge only the
    /// newest reports of a very common fingerprint (the SQL store: 1,000).
    /// </summary>
    Task<IReadOnlyList<KnownIssueCandidate>> ListKnownIssueCandidatesAsync(IReadOnlyCollection<string> fingerprints, string? excludeBuildId, int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest failure analyses of a project (all when null) since a time, each with the next finished build of its project and branch.</summary>
    Task<IReadOnlyList<ReportFollowUp>> ListReportFollowUpsAsync(string? project, DateTimeOffset since, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Failed builds (failed, error, timeout) with no failure analysis and no unexpired analysis lease, newest first:
    /// what agents still have to do.
    /// </summary>
    Task<IReadOnlyList<Build>> ListUnanalyzedBuildsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Builds that finished at or after <paramref name="since"/>, in the order they finished (for the event stream).</summary>
    Task<IReadOnlyList<Build>> ListFinishedSinceAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The first finished build of the same project and branch created at or after <paramref name="after"/>
    /// (times are kept to the millisecond, so "at" counts), other than <paramref name="excludeBuildId"/>.
    /// </summary>
    Task<Build?> FindNextFinishedBuildAsync(string project, string? branch, DateTimeOffset after, string? excludeBuildId = null, CancellationToken cancellationToken = default);

    /// <summary>The last successful build of the same project and branch created before <paramref name="before"/> (with its analysis).</summary>
    Task<Build?> FindLastSuccessBeforeAsync(string project, string? branch, DateTimeOffset before, string? excludeBuildId = null, CancellationToken cancellationToken = default);

    /// <summary>The distinct fingerprints of a build's errors.</summary>
    Task<IReadOnlyList<string>> ListErrorFingerprintsAsync(string buildId, CancellationToken cancellationToken = default);

    /// <summary>Reports of one build, oldest first.</summary>
    Task<IReadOnlyList<Report>> ListReportsAsync(string buildId, CancellationToken cancellationToken = default);
}

/// <summary>The process group a build led when its server recorded it, with its guard.</summary>
public sealed record BuildProcessRecord(string BuildId, long ProcessGroup, string Guard);

/// <summary>A page of the build list, narrowed to a project, a branch and a status (exact values; null for any).</summary>
public sealed record BuildListQuery(int Skip, int Limit, string? Project = null, string? Branch = null, string? Status = null);
