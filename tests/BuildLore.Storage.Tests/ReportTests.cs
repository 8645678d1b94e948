using BuildLore.Core.Builds;
using BuildLore.Core.Reports;

namespace BuildLore.Storage.Tests;

public class ReportTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AddReport_ReturnsIncreasingIdsAndListReportsKeepsThemInOrder(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var other = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        NewReport[] reports =
        [
            new(build.Id, ReportType.FailureAnalysis, "The build failed: a \"semicolon\" is missing.\nSee line 3.", ["Add ';' at src/a.cs:3", "Enable nullable 🚧", "路径 C:\\src\\a.cs"], 0.875, "session-42"),
            new(build.Id, ReportType.CodeImprovement, "Nothing to change.", [], 0.0, null),
            new(build.Id, ReportType.TestCoverage, "Coverage is low.", ["Add tests"], 1.0, "session-43"),
        ];
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);

        var ids = new List<long>();
        foreach (var report in reports)
        {
            ids.Add(await store.AddReportAsync(report));
            await store.AddReportAsync(new NewReport(other.Id, ReportType.DependencyAudit, "other build", ["x"], 0.5, null));
        }

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var listed = await store.ListReportsAsync(build.Id);
        Assert.Equal(ids, listed.Select(r => r.Id));
        for (var i = 0; i < reports.Length; i++)
        {
            Assert.Equal(build.Id, listed[i].BuildId);
            Assert.Equal(reports[i].Type, listed[i].Type);
            Assert.Equal(reports[i].Analysis, listed[i].Analysis);
            Assert.Equal(reports[i].Recommendations, listed[i].Recommendations);
            Assert.Equal(reports[i].Confidence, listed[i].Confidence);
            Assert.Equal(reports[i].SessionId, listed[i].SessionId);
            Assert.InRange(listed[i].CreatedAt, before, DateTimeOffset.UtcNow);
        }

        Assert.Equal(3, (await store.ListReportsAsync(other.Id)).Count);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ListReports_BuildWithoutReports_IsEmpty(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        Assert.Empty(await fixture.Store.ListReportsAsync(build.Id));
        Assert.Empty(await fixture.Store.ListReportsAsync(Guid.NewGuid().ToString()));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AddReport_UnknownBuild_ThrowsKeyNotFoundAndStoresNothing(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        var unknown = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            fixture.Store.AddReportAsync(new NewReport(unknown, ReportType.FailureAnalysis, "orphan", ["r"], 0.5, null)));

        Assert.Empty(await fixture.Store.ListReportsAsync(unknown));
        var first = await fixture.Store.AddReportAsync(new NewReport(build.Id, ReportType.FailureAnalysis, "real", [], 0.5, null));
        Assert.Equal(first, Assert.Single(await fixture.Store.ListReportsAsync(build.Id)).Id);
    }
}
