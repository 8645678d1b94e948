using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Reports;

namespace BuildLore.Storage.Tests;

/// <summary>Reports about a project rather than a build, and the structured fields beyond the seed's.</summary>
public class ProjectReportTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AddReport_WithoutABuild_AttachesToItsProjectAndKeepsEveryField(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var details = new ReportDetails
        {
            RootCause = "three packages float on ^ ranges",
            AffectedFiles = [new AffectedFile("web/package.json", [4, 9]), new AffectedFile("Directory.Packages.props", [])],
            Category = "dependency_drift",
            Model = "claude-test",
            InputTokens = 1234,
            OutputTokens = 56,
        };

        var id = await store.AddReportAsync(new NewReport(null, ReportType.DependencyAudit, "Three floating ranges.", ["Pin react"], 0.8, "s-1")
        {
            Project = "shop",
            SubmittedBy = "ci-token",
            Details = details,
        });

        var report = await store.GetReportAsync(id);
        Assert.NotNull(report);
        Assert.Null(report.BuildId);
        Assert.Equal("shop", report.Project);
        Assert.Equal("ci-token", report.SubmittedBy);
        Assert.Equal("s-1", report.SessionId);
        Assert.Equal(details.RootCause, report.Details.RootCause);
        Assert.Equal(details.AffectedFiles, report.Details.AffectedFiles);
        Assert.Equal(details.Category, report.Details.Category);
        Assert.Equal(details.Model, report.Details.Model);
        Assert.Equal(1234, report.Details.InputTokens);
        Assert.Equal(56, report.Details.OutputTokens);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AddReport_AboutABuild_TakesTheBuildsProject_AndTheSeedFieldsAloneLeaveTheRestEmpty(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("api", "runner"));

        var id = await fixture.Store.AddReportAsync(new NewReport(build.Id, ReportType.FailureAnalysis, "a", [], 0.5, null) { Project = "not-this-one" });

        var report = await fixture.Store.GetReportAsync(id);
        Assert.NotNull(report);
        Assert.Equal(build.Id, report.BuildId);
        Assert.Equal("api", report.Project);
        Assert.Null(report.SubmittedBy);
        Assert.Null(report.Details.RootCause);
        Assert.Empty(report.Details.AffectedFiles);
        Assert.Null(report.Details.InputTokens);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AddReport_WithNeitherBuildNorProject_IsRefused(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Store.AddReportAsync(new NewReport(null, ReportType.CodeImprovement, "a", [], 0.5, null)));

        Assert.Equal(0, (await fixture.Store.ListReportsAsync(new ReportQuery())).Total);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ListReports_FiltersAndPagesProjectLevelReportsWithBuildReports(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("shop", "runner"));
        var failure = await store.AddReportAsync(new NewReport(build.Id, ReportType.FailureAnalysis, "f", [], 0.9, null));
        var audits = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            audits.Add(await store.AddReportAsync(new NewReport(null, ReportType.DependencyAudit, $"audit {i}", [], 0.1 * (i + 5), null) { Project = "shop" }));
        }

        var elsewhere = await store.AddReportAsync(new NewReport(null, ReportType.PerformanceAnalysis, "other project", [], 0.95, null) { Project = "billing" });

        var shop = await store.ListReportsAsync(new ReportQuery(Project: "shop", Limit: 100));
        var auditPage = await store.ListReportsAsync(new ReportQuery(Type: ReportType.DependencyAudit, Project: "shop", Skip: 1, Limit: 2));
        var confident = await store.ListReportsAsync(new ReportQuery(Project: "shop", MinConfidence: 0.85, Limit: 100));
        var ofBuild = await store.ListReportsAsync(new ReportQuery(BuildId: build.Id));
        var future = await store.ListReportsAsync(new ReportQuery(Since: DateTimeOffset.UtcNow.AddMinutes(1)));
        var billing = await store.ListReportsAsync(new ReportQuery(Project: "billing"));

        Assert.Equal(6, shop.Total);
        Assert.Equal([.. audits.AsEnumerable().Reverse(), failure], shop.Reports.Select(r => r.Id));
        Assert.Equal(5, auditPage.Total);
        Assert.Equal([audits[3], audits[2]], auditPage.Reports.Select(r => r.Id));
        Assert.Equal([audits[4], failure], confident.Reports.Select(r => r.Id));
        Assert.Equal([failure], ofBuild.Reports.Select(r => r.Id));
        Assert.Equal(0, future.Total);
        Assert.Equal([elsewhere], billing.Reports.Select(r => r.Id));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task Migration_FromTheSchemaBefore_GivesOldReportsTheirBuildsProjectAndKeepsTheirIds(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider, migrate: false);
        var migrations = Migrations(fixture);
        // The schema just before the script that gave reports their project (later scripts come after it).
        var before = migrations.ToList().FindIndex(m => m.Contains("reports_project", StringComparison.Ordinal));
        await using (var connection = await fixture.OpenConnectionAsync())
        {
            await Execute(connection, "CREATE TABLE schema_version (version INTEGER NOT NULL)");
            for (var version = 1; version <= before; version++)
            {
                await Execute(connection, migrations[version - 1]);
                await Execute(connection, $"INSERT INTO schema_version (version) VALUES ({version})");
            }

            await Execute(connection, "INSERT INTO builds (id, status, project, source, created_at) VALUES ('b1', 'failed', 'legacy', 'ci', 1000)");
            await Execute(connection, """
                INSERT INTO reports (build_id, type, analysis, recommendations, confidence, session_id, created_at, idempotency_key)
                VALUES ('b1', 'failure_analysis', 'old one', '["do x"]', 0.7, 's', 2000, 'k1'),
                       ('b1', 'test_coverage', 'old two', '[]', 0.4, NULL, 3000, NULL)
                """);
        }

        await fixture.Store.MigrateAsync();

        var (old, total) = await fixture.Store.ListReportsAsync(new ReportQuery(Project: "legacy"));
        Assert.Equal(2, total);
        Assert.All(old, r => Assert.Equal("b1", r.BuildId));
        Assert.Equal(["old two", "old one"], old.Select(r => r.Analysis));
        Assert.Equal(["do x"], old[1].Recommendations);
        var next = await fixture.Store.AddReportAsync(new NewReport(null, ReportType.DependencyAudit, "new", [], 0.5, null) { Project = "legacy" });
        Assert.True(next > old.Max(r => r.Id));
        // The idempotency key survived the rebuild with its unique index.
        Assert.Equal(old[1].Id, await fixture.Store.AddReportAsync(new NewReport("b1", ReportType.FailureAnalysis, "old one", [], 0.7, null) { IdempotencyKey = "k1" }));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task KnownIssueCandidates_CarryTheNextBuildOfTheSameBranchAndWhetherItFailedTheSameWay(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        const string Total = "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n";
        const string Link = "/usr/bin/ld: cannot find -lssl\n";

        var first = await FinishedAsync(store, "main", BuildStatus.Failed, Total);
        var stale = await store.AddReportAsync(new NewReport(first.Id, ReportType.FailureAnalysis, "restart", [], 0.9, null));
        await store.AddReportAsync(new NewReport(first.Id, ReportType.CodeImprovement, "not a failure analysis", [], 0.9, null));
        var second = await FinishedAsync(store, "main", BuildStatus.Failed, Total);   // after 'stale': same failure
        var moved = await store.AddReportAsync(new NewReport(second.Id, ReportType.FailureAnalysis, "moved on", [], 0.6, null));
        var third = await FinishedAsync(store, "main", BuildStatus.Failed, Link);     // after 'moved': another failure
        var other = await FinishedAsync(store, "feature", BuildStatus.Failed, Total);
        var pending = await store.AddReportAsync(new NewReport(other.Id, ReportType.FailureAnalysis, "nothing after", [], 0.5, null));
        await FinishedAsync(store, "main", BuildStatus.Success, "ok\n");             // not after 'pending': another branch
        var fingerprint = Assert.Single(await store.ListErrorFingerprintsAsync(first.Id));

        var candidates = await store.ListKnownIssueCandidatesAsync([fingerprint], excludeBuildId: null, limit: 10);
        var followUps = await store.ListReportFollowUpsAsync("app", DateTimeOffset.UtcNow.AddHours(-1), 10);

        // Best outcome first: failed differently, then not known yet, then still failing.
        Assert.Equal([moved, pending, stale], candidates.Select(c => c.Report.Id));
        Assert.All(candidates, c => Assert.Equal(fingerprint, c.Fingerprint));
        Assert.Equal((third.Id, BuildStatus.Failed, false), (candidates[0].NextBuildId, candidates[0].NextStatus, candidates[0].NextHasFingerprint));
        Assert.Equal((null, null, false), (candidates[1].NextBuildId, candidates[1].NextStatus, candidates[1].NextHasFingerprint));
        Assert.Equal((second.Id, BuildStatus.Failed, true), (candidates[2].NextBuildId, candidates[2].NextStatus, candidates[2].NextHasFingerprint));
        Assert.Equal([pending, moved, stale], followUps.Select(f => f.ReportId));
        Assert.Equal([false, false, true], followUps.Select(f => f.NextSharesFingerprint));
        Assert.Equal([moved, stale], (await store.ListKnownIssueCandidatesAsync([fingerprint], excludeBuildId: other.Id, limit: 10)).Select(c => c.Report.Id));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task KnownIssueCandidates_AnOldReportWhoseAdviceWorkedOutranksManyNewerOnesThatDidNot(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        const string Total = "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n";

        var first = await FinishedAsync(store, "main", BuildStatus.Failed, Total);
        var worked = await store.AddReportAsync(new NewReport(first.Id, ReportType.FailureAnalysis, "declare total", [], 0.5, null));
        await FinishedAsync(store, "main", BuildStatus.Success, "ok\n");
        var later = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var failed = await FinishedAsync(store, "main", BuildStatus.Failed, Total);
            later.Add(await store.AddReportAsync(new NewReport(failed.Id, ReportType.FailureAnalysis, $"guess {i}", [], 0.9, null)));
        }

        var fingerprint = Assert.Single(await store.ListErrorFingerprintsAsync(first.Id));
        var candidates = await store.ListKnownIssueCandidatesAsync([fingerprint], excludeBuildId: null, limit: 2);

        // The eleven newer reports were each followed by the same failure, the newest by nothing yet; the old fix comes first.
        Assert.Equal([worked, later[^1]], candidates.Select(c => c.Report.Id));
        Assert.Equal(BuildStatus.Success, candidates[0].NextStatus);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task UnanalyzedBuilds_AreFailedBuildsWithoutAFailureAnalysisOrALiveLease(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var analyzed = await FinishedAsync(store, "main", BuildStatus.Failed, "boom\n");
        await store.AddReportAsync(new NewReport(analyzed.Id, ReportType.FailureAnalysis, "a", [], 0.5, null));
        var onlyOtherReport = await FinishedAsync(store, "main", BuildStatus.Error, "boom\n");
        await store.AddReportAsync(new NewReport(onlyOtherReport.Id, ReportType.TestCoverage, "a", [], 0.5, null));
        var leased = await FinishedAsync(store, "main", BuildStatus.Timeout, "boom\n");
        var lapsed = await FinishedAsync(store, "main", BuildStatus.Failed, "boom\n");
        await FinishedAsync(store, "main", BuildStatus.Success, "ok\n");
        await store.CreateBuildAsync(new NewBuild("app", "runner", Branch: "main"));
        var now = DateTimeOffset.UtcNow;
        Assert.True(await store.TryLeaseAnalysisAsync(leased.Id, "agent-1", now, now.AddMinutes(5)));
        Assert.True(await store.TryLeaseAnalysisAsync(lapsed.Id, "agent-1", now.AddMinutes(-10), now.AddMinutes(-5)));

        var pending = await store.ListUnanalyzedBuildsAsync(now, 100);

        Assert.Equal([lapsed.Id, onlyOtherReport.Id], pending.Select(b => b.Id));
        Assert.Single(await store.ListUnanalyzedBuildsAsync(now, 1));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FinishedSince_ListsBuildsInTheOrderTheyFinished(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var late = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        var early = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        var running = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        Assert.True(await store.MarkRunningAsync(running.Id, start));
        await store.FinishBuildAsync(early.Id, new BuildCompletion(BuildStatus.Failed, 1, null, Core.Logs.LogSummary.Empty, start.AddMilliseconds(100)));
        await store.FinishBuildAsync(late.Id, new BuildCompletion(BuildStatus.Success, 0, null, Core.Logs.LogSummary.Empty, start.AddMilliseconds(200)));

        var finished = await store.ListFinishedSinceAsync(start, 10);
        var after = await store.ListFinishedSinceAsync(start.AddMilliseconds(150), 10);

        Assert.Equal([early.Id, late.Id], finished.Select(b => b.Id));
        Assert.Equal([late.Id], after.Select(b => b.Id));
    }

    private static async Task<Build> FinishedAsync(Core.Storage.IBuildStore store, string branch, string status, string log)
    {
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner", Branch: branch));
        var analysis = LogAnalyzer.Analyze(log, succeeded: status == BuildStatus.Success);
        Assert.True(await store.FinishBuildAsync(build.Id, new BuildCompletion(status, status == BuildStatus.Success ? 0 : 1, null, analysis.ToLogSummary(), DateTimeOffset.UtcNow) { Analysis = analysis }));
        return build;
    }

    private static IReadOnlyList<string> Migrations(TestStore fixture)
    {
        if (fixture.Provider == BuildStores.Sqlite)
        {
            return new SqliteDialect(fixture.ConnectionString).Migrations;
        }

        using var dialect = new PostgresDialect(fixture.ConnectionString);
        return dialect.Migrations;
    }

    private static async Task Execute(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
