using BuildLore.Core.Builds;

namespace BuildLore.Storage.Tests;

/// <summary>Pushed logs: numbered chunks stored exactly once, whatever the retries; and the build's origin.</summary>
public class IngestTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLogChunk_RetriesAreNotDuplicatedAndGapsAreRefused(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "ci", Status: BuildStatus.Running));

        Assert.Equal((ChunkResult.Appended, 1L), await store.AppendLogChunkAsync(build.Id, 1, "one\n"));
        Assert.Equal((ChunkResult.Duplicate, 1L), await store.AppendLogChunkAsync(build.Id, 1, "one\n"));
        Assert.Equal((ChunkResult.Gap, 1L), await store.AppendLogChunkAsync(build.Id, 3, "three\n"));
        Assert.Equal((ChunkResult.Appended, 2L), await store.AppendLogChunkAsync(build.Id, 2, "two\n"));
        Assert.Equal((ChunkResult.Appended, 3L), await store.AppendLogChunkAsync(build.Id, 3, "three\n"));

        Assert.Equal("one\ntwo\nthree\n", string.Concat(await store.ReadLogAsync(build.Id).ToListAsync()));
        Assert.Equal(14, (await store.GetBuildAsync(build.Id))!.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLogChunk_ConcurrentRetriesOfTheSameChunkStoreItOnce(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "ci", Status: BuildStatus.Running));

        for (var sequence = 1; sequence <= 20; sequence++)
        {
            var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.AppendLogChunkAsync(build.Id, sequence, $"line {sequence}\n")));
            Assert.Single(attempts, a => a.Result == ChunkResult.Appended);
        }

        var expected = string.Concat(Enumerable.Range(1, 20).Select(i => $"line {i}\n"));
        Assert.Equal(expected, string.Concat(await store.ReadLogAsync(build.Id).ToListAsync()));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLogChunk_CountsTheRedactionsOfAppendedChunksOnce_AndTheFinishAddsItsOwn(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "ci", Status: BuildStatus.Running));

        await store.AppendLogChunkAsync(build.Id, 1, "***\n", null, 1);
        await store.AppendLogChunkAsync(build.Id, 1, "***\n", null, 1); // a retry
        await store.AppendLogChunkAsync(build.Id, 3, "***\n", null, 5); // after a gap
        await store.AppendLogChunkAsync(build.Id, 2, "a *** b ***\n", null, 2);
        var running = (await store.GetBuildAsync(build.Id))!.Redactions;
        await store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Success, 0, null, BuildLore.Core.Logs.LogSummary.Empty, DateTimeOffset.UtcNow) { Redactions = 4 });

        Assert.Equal(3, running);
        Assert.Equal(7, (await store.GetBuildAsync(build.Id))!.Redactions);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLogChunk_AfterFinishOrToAnUnknownBuild_AddsNothing(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "ci", Status: BuildStatus.Running));
        await store.AppendLogChunkAsync(build.Id, 1, "a\n");
        await store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Success, 0, null, BuildLore.Core.Logs.LogSummary.Empty, DateTimeOffset.UtcNow));

        Assert.Equal((ChunkResult.Finished, 1L), await store.AppendLogChunkAsync(build.Id, 2, "late\n"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AppendLogChunkAsync("nope", 1, "x"));
        Assert.Equal("a\n", string.Concat(await store.ReadLogAsync(build.Id).ToListAsync()));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task CreateBuild_KeepsItsOrigin(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var origin = new BuildOrigin("3f2a9c1", "Fix the parser", "Ada", "github-actions", "build (ubuntu)", "https://ci.example/run/1");

        var created = await fixture.Store.CreateBuildAsync(new NewBuild("app", "ci", Branch: "main") { Origin = origin });
        var read = await fixture.Store.GetBuildAsync(created.Id);

        Assert.Equal(origin, read!.Origin);
        Assert.Equal("main", read.Branch);
    }
}

public class LeaseTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task LeaseAnalysis_OneHolderAtATimeUntilItExpires(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "ci"));
        var now = DateTimeOffset.UtcNow;

        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.TryLeaseAnalysisAsync(build.Id, $"agent-{i}", now, now.AddMinutes(5))));
        Assert.Single(racing, granted => granted);

        var winner = $"agent-{Array.IndexOf(racing, true)}";
        Assert.True(await store.TryLeaseAnalysisAsync(build.Id, winner, now.AddMinutes(1), now.AddMinutes(6)));   // renewal
        Assert.False(await store.TryLeaseAnalysisAsync(build.Id, "late", now.AddMinutes(2), now.AddMinutes(7)));
        Assert.True(await store.TryLeaseAnalysisAsync(build.Id, "late", now.AddMinutes(10), now.AddMinutes(15))); // expired
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task FlakyTests_BreakFixBreakOverCommitsIsNotFlaky_PassingAndFailingOnOneCommitIs(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var history = new[] { ("c1", "passed", "passed"), ("c2", "failed", "passed"), ("c3", "passed", "passed"), ("c4", "failed", "passed"), ("c4", "failed", "failed") };
        foreach (var (commit, broken, rerun) in history)
        {
            var build = await store.CreateBuildAsync(new NewBuild("shop", "ci", Status: BuildStatus.Running, Branch: "main") { Origin = new BuildOrigin(CommitSha: commit) });
            await store.AddTestResultsAsync(build.Id, [
                new BuildLore.Core.TestResults.TestCaseResult("app.cart_total", "app", broken, 0.1, null),
                new BuildLore.Core.TestResults.TestCaseResult("app.rerun", "app", rerun, 0.1, null),
            ]);
        }

        var flaky = await store.ListFlakyTestsAsync("shop", "main", null);
        var runs = await store.ListTestRunsAsync("shop", null, null);

        var test = Assert.Single(flaky);
        Assert.Equal("app.rerun", test.Name); // passed and failed on c4
        Assert.True(test.FailedAndPassedOnOneCommit);
        Assert.Equal(10, runs.Count);
        Assert.Equal(["c1", "c2", "c3", "c4", "c4"], runs.Where(r => r.Name == "app.cart_total").Select(r => r.CommitSha));
        Assert.All(runs, r => Assert.Equal("app", r.Suite));
    }
}
