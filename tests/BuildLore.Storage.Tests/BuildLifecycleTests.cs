using BuildLore.Core.Storage;
using BuildLore.Core.Builds;
using BuildLore.Core.Logs;

namespace BuildLore.Storage.Tests;

public class BuildLifecycleTests
{
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_250);

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task CreateBuild_ThenGet_ReturnsTheSameQueuedBuild(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);

        var created = await fixture.Store.CreateBuildAsync(new NewBuild("web-app", "ci-client", "release", "dotnet build -c Release"));

        Assert.False(string.IsNullOrWhiteSpace(created.Id));
        Assert.Equal(BuildStatus.Queued, created.Status);
        Assert.Equal("web-app", created.Project);
        Assert.Equal("ci-client", created.Source);
        Assert.Equal("release", created.Profile);
        Assert.Equal("dotnet build -c Release", created.Command);
        Assert.InRange(created.CreatedAt, before, DateTimeOffset.UtcNow);
        Assert.Null(created.StartedAt);
        Assert.Null(created.FinishedAt);
        Assert.Null(created.ExitCode);
        Assert.Null(created.Summary);
        Assert.Equal(0, created.LogChars);
        Assert.Equal(created, await fixture.Store.GetBuildAsync(created.Id));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task CreateBuild_WithoutOptionalFieldsOrWithAStatus_StoresThemAsGiven(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);

        var plain = await fixture.Store.CreateBuildAsync(new NewBuild("lib", "agent"));
        var running = await fixture.Store.CreateBuildAsync(new NewBuild("lib", "agent", Status: BuildStatus.Running));

        var reloaded = await fixture.Store.GetBuildAsync(plain.Id);
        Assert.NotNull(reloaded);
        Assert.Null(reloaded.Profile);
        Assert.Null(reloaded.Command);
        Assert.Equal(BuildStatus.Running, (await fixture.Store.GetBuildAsync(running.Id))?.Status);
        Assert.NotEqual(plain.Id, running.Id);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task GetBuild_UnknownId_ReturnsNull(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        Assert.Null(await fixture.Store.GetBuildAsync(Guid.NewGuid().ToString()));
        Assert.Null(await fixture.Store.GetBuildAsync(""));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ListBuilds_ReturnsNewestFirstWithStablePages(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((await fixture.Store.CreateBuildAsync(new NewBuild($"project-{i}", "runner"))).Id);
        }

        var pages = new List<BuildPage>();
        for (var skip = 0; skip < 30; skip += 10)
        {
            pages.Add(await fixture.Store.ListBuildsAsync(skip, 10));
        }

        Assert.All(pages, page => Assert.Equal(25, page.Total));
        Assert.Equal([10, 10, 5], pages.Select(p => p.Builds.Count));
        var listed = pages.SelectMany(p => p.Builds).Select(b => b.Id).ToList();
        Assert.Equal(Enumerable.Reverse(created), listed);
        Assert.Equal("project-24", pages[0].Builds[0].Project);

        // Same page asked again (and with another page size) gives the same builds.
        Assert.Equal(pages[1].Builds, (await fixture.Store.ListBuildsAsync(10, 10)).Builds);
        Assert.Equal(listed.Skip(7).Take(3), (await fixture.Store.ListBuildsAsync(7, 3)).Builds.Select(b => b.Id));

        var beyond = await fixture.Store.ListBuildsAsync(25, 10);
        Assert.Empty(beyond.Builds);
        Assert.Equal(25, beyond.Total);
        Assert.Empty((await fixture.Store.ListBuildsAsync(0, 0)).Builds);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ListBuilds_EmptyStore_ReturnsNoBuildsAndZeroTotal(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);

        var page = await fixture.Store.ListBuildsAsync(0, 50);

        Assert.Empty(page.Builds);
        Assert.Equal(0, page.Total);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Store.ListBuildsAsync(-1, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Store.ListBuildsAsync(0, -1));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task MarkRunning_OnlyMovesQueuedBuilds(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var queued = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var cancelled = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.FinishBuildAsync(cancelled.Id, Completion(BuildStatus.Cancelled, reason: "cancelled by user")));

        Assert.True(await store.MarkRunningAsync(queued.Id, Started));
        Assert.False(await store.MarkRunningAsync(queued.Id, Started.AddMinutes(5)));
        Assert.False(await store.MarkRunningAsync(cancelled.Id, Started));
        Assert.False(await store.MarkRunningAsync(Guid.NewGuid().ToString(), Started));

        var running = await store.GetBuildAsync(queued.Id);
        Assert.Equal(BuildStatus.Running, running?.Status);
        Assert.Equal(Started, running?.StartedAt);
        Assert.Null(running?.FinishedAt);
        Assert.Equal(BuildStatus.Cancelled, (await store.GetBuildAsync(cancelled.Id))?.Status);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FinishBuild_StoresTheOutcomeAndSummary(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.MarkRunningAsync(build.Id, Started));
        var summary = new LogSummary(
            1234,
            2,
            3,
            ["src/a.cs(1,2): error CS0103: name \"x\" does not exist", "链接失败 🔥"],
            ["warning CS0168", "warning\twith tab", "warning with \\ backslash"]);
        var finishedAt = Started.AddSeconds(93.5);

        Assert.True(await store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Timeout, 137, "timeout after 90s", summary, finishedAt)));

        var finished = await store.GetBuildAsync(build.Id);
        Assert.NotNull(finished);
        Assert.Equal(BuildStatus.Timeout, finished.Status);
        Assert.Equal(137, finished.ExitCode);
        Assert.Equal("timeout after 90s", finished.Reason);
        Assert.Equal(Started, finished.StartedAt);
        Assert.Equal(finishedAt, finished.FinishedAt);
        Assert.Equal(TimeSpan.FromSeconds(93.5), finished.Duration);
        Assert.NotNull(finished.Summary);
        Assert.Equal(1234, finished.Summary.TotalLines);
        Assert.Equal(2, finished.Summary.ErrorCount);
        Assert.Equal(3, finished.Summary.WarningCount);
        Assert.Equal(summary.Errors, finished.Summary.Errors);
        Assert.Equal(summary.Warnings, finished.Summary.Warnings);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FinishBuild_QueuedBuildWithoutExitCode_GetsAStartTimeAndEmptySummary(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        Assert.True(await fixture.Store.FinishBuildAsync(build.Id, Completion(BuildStatus.Error, exitCode: null, reason: "spawn failed")));

        var finished = await fixture.Store.GetBuildAsync(build.Id);
        Assert.NotNull(finished);
        Assert.Equal(BuildStatus.Error, finished.Status);
        Assert.Null(finished.ExitCode);
        Assert.Equal(finished.FinishedAt, finished.StartedAt);
        Assert.Equal(TimeSpan.Zero, finished.Duration);
        Assert.NotNull(finished.Summary);
        Assert.Empty(finished.Summary.Errors);
        Assert.Empty(finished.Summary.Warnings);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FinishBuild_Twice_KeepsTheFirstOutcome(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.MarkRunningAsync(build.Id, Started));
        Assert.True(await store.FinishBuildAsync(build.Id, Completion(BuildStatus.Success, exitCode: 0)));

        Assert.False(await store.FinishBuildAsync(build.Id, Completion(BuildStatus.Failed, exitCode: 2, reason: "late", at: Started.AddHours(1))));
        Assert.False(await store.FinishBuildAsync(Guid.NewGuid().ToString(), Completion(BuildStatus.Success, exitCode: 0)));

        var finished = await store.GetBuildAsync(build.Id);
        Assert.Equal(BuildStatus.Success, finished?.Status);
        Assert.Equal(0, finished?.ExitCode);
        Assert.Null(finished?.Reason);
        Assert.Equal(Started.AddSeconds(10), finished?.FinishedAt);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite, BuildStatus.Queued)]
    [InlineData(BuildStores.Sqlite, BuildStatus.Running)]
    [InlineData(BuildStores.Sqlite, "finished")]
    [InlineData(BuildStores.Postgres, BuildStatus.Queued)]
    [InlineData(BuildStores.Postgres, BuildStatus.Running)]
    [InlineData(BuildStores.Postgres, "finished")]
    public async Task FinishBuild_NonFinalStatus_IsRejectedAndChangesNothing(string provider, string status)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await fixture.Store.MarkRunningAsync(build.Id, Started));

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Store.FinishBuildAsync(build.Id, Completion(status, exitCode: 0)));

        var unchanged = await fixture.Store.GetBuildAsync(build.Id);
        Assert.Equal(BuildStatus.Running, unchanged?.Status);
        Assert.Null(unchanged?.FinishedAt);
        Assert.Null(unchanged?.Summary);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FailUnfinishedBuilds_MarksQueuedAndRunningAsErrorAndLeavesFinishedAlone(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var queued = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var running = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.MarkRunningAsync(running.Id, Started));
        var succeeded = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.FinishBuildAsync(succeeded.Id, Completion(BuildStatus.Success, exitCode: 0)));
        var cancelled = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.FinishBuildAsync(cancelled.Id, Completion(BuildStatus.Cancelled, reason: "user")));
        var succeededBefore = await store.GetBuildAsync(succeeded.Id);
        var cancelledBefore = await store.GetBuildAsync(cancelled.Id);
        var at = Started.AddMinutes(30);

        Assert.Equal(2, await store.FailUnfinishedBuildsAsync("interrupted", at));

        foreach (var id in new[] { queued.Id, running.Id })
        {
            var failed = await store.GetBuildAsync(id);
            Assert.Equal(BuildStatus.Error, failed?.Status);
            Assert.Equal("interrupted", failed?.Reason);
            Assert.Equal(at, failed?.FinishedAt);
        }

        Assert.Equal(Started, (await store.GetBuildAsync(running.Id))?.StartedAt);
        AssertSameBuild(succeededBefore, await store.GetBuildAsync(succeeded.Id));
        AssertSameBuild(cancelledBefore, await store.GetBuildAsync(cancelled.Id));
        Assert.Equal(0, await store.FailUnfinishedBuildsAsync("interrupted again", at.AddMinutes(1)));
        Assert.Equal("interrupted", (await store.GetBuildAsync(queued.Id))?.Reason);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task BuildProcess_IsLeftOverOnlyWhenTheBuildEndedWithoutFinishing_AndCanBeForgotten(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var interrupted = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var finished = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var running = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        foreach (var (build, group) in new[] { (interrupted, 4100L), (finished, 4200L), (running, 4300L) })
        {
            Assert.True(await store.MarkRunningAsync(build.Id, Started));
            await store.RecordBuildProcessAsync(build.Id, group, $"boot {group} 1 2");
        }

        Assert.Empty(await store.ListLeftoverProcessesAsync()); // running builds are their runner's
        Assert.True(await store.FinishBuildAsync(finished.Id, Completion(BuildStatus.Success, exitCode: 0)));
        await store.FailUnfinishedBuildsAsync("interrupted", Started.AddMinutes(1)); // as at start-up
        await store.FinishBuildAsync(running.Id, Completion(BuildStatus.Success)); // already ended: changes nothing

        var leftovers = await store.ListLeftoverProcessesAsync();
        Assert.Equal([interrupted.Id, running.Id], leftovers.Select(l => l.BuildId).Order(StringComparer.Ordinal));
        Assert.Equal(new BuildProcessRecord(interrupted.Id, 4100, "boot 4100 1 2"), leftovers.Single(l => l.BuildId == interrupted.Id));
        await store.ForgetBuildProcessAsync(interrupted.Id);
        Assert.Equal([running.Id], (await store.ListLeftoverProcessesAsync()).Select(l => l.BuildId));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FinishQueuedBuild_EndsOnlyABuildThatHasNotStarted(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var queued = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var running = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.True(await store.MarkRunningAsync(running.Id, Started));

        Assert.True(await store.FinishQueuedBuildAsync(queued.Id, Completion(BuildStatus.Cancelled, reason: "cancelled on request")));
        Assert.False(await store.FinishQueuedBuildAsync(running.Id, Completion(BuildStatus.Cancelled, reason: "cancelled on request")));
        Assert.False(await store.FinishQueuedBuildAsync(queued.Id, Completion(BuildStatus.Cancelled)));

        Assert.Equal(BuildStatus.Cancelled, (await store.GetBuildAsync(queued.Id))?.Status);
        Assert.False(await store.MarkRunningAsync(queued.Id, Started));
        Assert.Equal(BuildStatus.Running, (await store.GetBuildAsync(running.Id))?.Status);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ListBuilds_FiltersByProjectBranchAndStatus_AndCountsTheMatches(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var ids = new Dictionary<(string, string?, string), List<string>>();
        for (var i = 0; i < 12; i++)
        {
            var (project, branch) = (i % 2 == 0 ? "shop" : "api", i % 3 == 0 ? null : "main");
            var build = await store.CreateBuildAsync(new NewBuild(project, "ci", Branch: branch));
            var status = i % 4 == 0 ? BuildStatus.Queued : BuildStatus.Failed;
            if (status != BuildStatus.Queued)
            {
                await store.FinishBuildAsync(build.Id, Completion(status, exitCode: 1));
            }

            ids.TryAdd((project, branch, status), []);
            ids[(project, branch, status)].Insert(0, build.Id); // newest first
        }

        var shopMain = await store.ListBuildsAsync(new BuildListQuery(0, 50, Project: "shop", Branch: "main"));
        var failedApi = await store.ListBuildsAsync(new BuildListQuery(0, 1, Project: "api", Status: BuildStatus.Failed));
        var queued = await store.ListBuildsAsync(new BuildListQuery(0, 50, Status: BuildStatus.Queued));
        var none = await store.ListBuildsAsync(new BuildListQuery(0, 50, Project: "nope"));

        Assert.All(shopMain.Builds, b => Assert.Equal(("shop", "main"), (b.Project, b.Branch)));
        Assert.Equal(ids.Where(e => e.Key is ("shop", "main", _)).Sum(e => e.Value.Count), shopMain.Total);
        Assert.Equal(shopMain.Total, shopMain.Builds.Count);
        Assert.Equal(ids.Where(e => e.Key is ("api", _, BuildStatus.Failed)).Sum(e => e.Value.Count), failedApi.Total);
        Assert.Single(failedApi.Builds);
        Assert.Equal(3, queued.Total); // builds 0, 4 and 8
        Assert.All(queued.Builds, b => Assert.Equal(BuildStatus.Queued, b.Status));
        Assert.True(queued.Builds.Zip(queued.Builds.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt));
        Assert.Equal(0, none.Total);
        Assert.Equal(12, (await store.ListBuildsAsync(0, 50)).Total);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task StoreAnalysis_GivesABuildEndedWithoutOneItsAnalysisOnce(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var interrupted = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var running = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        Assert.True(await store.MarkRunningAsync(running.Id, Started));
        var finished = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        Assert.True(await store.FinishBuildAsync(finished.Id, Completion(BuildStatus.Success, exitCode: 0)));
        await store.FailUnfinishedBuildsAsync("interrupted", Started.AddMinutes(1));
        var stillRunning = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        var analysis = BuildLore.Core.Analysis.LogAnalyzer.Analyze("src/a.c:1:2: error: boom\n", succeeded: false);

        var unsummarized = await store.ListUnsummarizedBuildsAsync(10);
        Assert.Equal([interrupted.Id, running.Id], unsummarized.Select(b => b.Id));
        Assert.True(await store.StoreAnalysisAsync(interrupted.Id, analysis, BuildLore.Core.Analysis.AnalysisSummary.ToLogSummary(analysis)));
        Assert.False(await store.StoreAnalysisAsync(interrupted.Id, analysis, BuildLore.Core.Analysis.AnalysisSummary.ToLogSummary(analysis))); // once
        Assert.False(await store.StoreAnalysisAsync(finished.Id, analysis, BuildLore.Core.Analysis.AnalysisSummary.ToLogSummary(analysis))); // it has one
        Assert.False(await store.StoreAnalysisAsync(stillRunning.Id, analysis, BuildLore.Core.Analysis.AnalysisSummary.ToLogSummary(analysis))); // not finished

        var stored = await store.GetBuildAsync(interrupted.Id);
        Assert.Equal(analysis.Category, stored!.Category);
        Assert.Equal(1, stored.Summary!.ErrorCount);
        Assert.Equal(BuildStatus.Error, stored.Status);
        Assert.Equal([analysis.Diagnostics[0].Fingerprint], await store.ListErrorFingerprintsAsync(interrupted.Id));
        Assert.Equal([running.Id], (await store.ListUnsummarizedBuildsAsync(10)).Select(b => b.Id));
        Assert.Equal(1, (await store.ListPatternsAsync(new PatternQuery())).Single().Builds);
    }

    private static BuildCompletion Completion(string status, int? exitCode = null, string? reason = null, DateTimeOffset? at = null) =>
        new(status, exitCode, reason, LogSummary.Empty, at ?? Started.AddSeconds(10));

    // Build equality compares the summary's lists by reference, so compare those by content.
    private static void AssertSameBuild(Build? expected, Build? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Summary = null }, actual with { Summary = null });
        Assert.Equal(expected.Summary?.Errors, actual.Summary?.Errors);
        Assert.Equal(expected.Summary?.Warnings, actual.Summary?.Warnings);
        Assert.Equal(expected.Summary?.TotalLines, actual.Summary?.TotalLines);
    }
}
