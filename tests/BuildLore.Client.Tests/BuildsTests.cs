using System.Net;
using System.Text;

namespace BuildLore.Client.Tests;

/// <summary>GetBuildsAsync and GetBuildAsync against the real server, seeded through its store.</summary>
public sealed class BuildsTests
{
    private const string FailingLog =
        "Restoring...\n" +
        "src/Program.cs(3,1): error CS0103: The name 'undefinedThing' does not exist in the current context\n" +
        "src/Util.cs(9,13): warning CS0168: The variable 'e' is declared but never used\n" +
        "src/Other.cs(4,2): error CS1002: ; expected\n" +
        "Build FAILED.\n" +
        "    1 Warning(s)\n" +
        "    2 Error(s)\n";

    [Fact]
    public async Task GetBuilds_ReturnsTypedPageNewestFirst()
    {
        await using var scope = await ServerScope.StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var first = await scope.SeedBuildAsync(BuildStatuses.Success, "all good\n");
        var second = await scope.SeedBuildAsync(BuildStatuses.Failed, FailingLog, reason: "exit code 1");
        var third = await scope.SeedBuildAsync(BuildStatuses.Success, "fine\n");

        var page = await scope.Client.GetBuildsAsync();

        Assert.Equal("ok", page.Status);
        Assert.Equal(3, page.Total);
        Assert.Equal(0, page.Skip);
        Assert.Equal(20, page.Limit);
        Assert.Equal([third, second, first], page.Builds.Select(b => b.Id));

        var failed = page.Builds[1];
        Assert.Equal(BuildStatuses.Failed, failed.Status);
        Assert.Equal("demo", failed.Project);
        Assert.Equal("test", failed.Source);
        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("exit code 1", failed.Reason);
        Assert.Equal(FailingLog, failed.Log);
        Assert.False(failed.LogTruncated);
        Assert.Equal(FailingLog.Length, failed.LogChars);
        Assert.InRange(failed.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.NotNull(failed.StartedAt);
        Assert.NotNull(failed.FinishedAt);
        Assert.True(failed.FinishedAt >= failed.StartedAt);
        Assert.NotNull(failed.DurationSeconds);
        Assert.True(failed.DurationSeconds >= 0);

        Assert.Equal(BuildStatuses.Success, page.Builds[0].Status);
        Assert.Equal(0, page.Builds[0].ExitCode);
        Assert.Equal("fine\n", page.Builds[0].Log);
    }

    [Fact]
    public async Task GetBuilds_EmptyServer_ReturnsAnEmptyPage()
    {
        await using var scope = await ServerScope.StartAsync();

        var page = await scope.Client.GetBuildsAsync(limit: 5);

        Assert.Equal("ok", page.Status);
        Assert.Empty(page.Builds);
        Assert.Equal(0, page.Total);
        Assert.Equal(5, page.Limit);
    }

    [Fact]
    public async Task GetBuilds_LogDetailNone_GivesNullLogButKeepsItsLength()
    {
        await using var scope = await ServerScope.StartAsync();
        await scope.SeedBuildAsync(BuildStatuses.Failed, FailingLog);

        var build = Assert.Single((await scope.Client.GetBuildsAsync(log: LogDetail.None)).Builds);

        Assert.Null(build.Log);
        Assert.False(build.LogTruncated);
        Assert.Equal(FailingLog.Length, build.LogChars);
        Assert.Equal(BuildStatuses.Failed, build.Status);
    }

    [Fact]
    public async Task GetBuilds_LargeLog_TailIsTruncatedAndFullIsWhole()
    {
        await using var scope = await ServerScope.StartAsync();
        var log = new StringBuilder();
        for (var i = 0; log.Length < 200_000; i++)
        {
            log.Append("line ").Append(i).Append(" of a long build\n");
        }

        log.Append("error: the very last line\n");
        await scope.SeedBuildAsync(BuildStatuses.Failed, log.ToString());

        var tail = Assert.Single((await scope.Client.GetBuildsAsync(log: LogDetail.Tail)).Builds);
        var full = Assert.Single((await scope.Client.GetBuildsAsync(log: LogDetail.Full)).Builds);

        Assert.True(tail.LogTruncated);
        Assert.NotNull(tail.Log);
        Assert.True(tail.Log.Length <= 64 * 1024);
        Assert.EndsWith("error: the very last line\n", tail.Log, StringComparison.Ordinal);
        Assert.Equal(log.Length, tail.LogChars);
        Assert.False(full.LogTruncated);
        Assert.Equal(log.ToString(), full.Log);
    }

    [Fact]
    public async Task GetBuilds_PagesWithSkipAndLimitWithoutRepeatsOrGaps()
    {
        await using var scope = await ServerScope.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await scope.SeedBuildAsync(i % 2 == 0 ? BuildStatuses.Success : BuildStatuses.Failed, $"build {i}\n"));
        }

        var seen = new List<string>();
        for (var skip = 0; skip < 9; skip += 3)
        {
            var page = await scope.Client.GetBuildsAsync(limit: 3, skip: skip, log: LogDetail.None);
            Assert.Equal(7, page.Total);
            Assert.Equal(3, page.Limit);
            Assert.Equal(skip, page.Skip);
            Assert.Equal(Math.Min(3, 7 - skip), page.Builds.Count);
            seen.AddRange(page.Builds.Select(b => b.Id));
        }

        ids.Reverse();
        Assert.Equal(ids, seen);
        Assert.Empty((await scope.Client.GetBuildsAsync(limit: 3, skip: 7)).Builds);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(10, -1)]
    public async Task GetBuilds_InvalidLimitOrSkip_ThrowsBeforeSending(int limit, int skip)
    {
        // Nothing listens at this address: an argument error proves no request was made.
        using var client = new LLMClient("http://127.0.0.1:9");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetBuildsAsync(limit, skip));
    }

    [Fact]
    public async Task GetBuilds_LimitAboveTheServersMaximum_Throws400NamingLimit()
    {
        await using var scope = await ServerScope.StartAsync();

        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetBuildsAsync(limit: 201));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("limit", error.Field);
        Assert.Equal("1..200", error.Allowed);
        Assert.Contains("field 'limit'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBuild_HasLogSummaryCountsAndListsAndTheFullLog()
    {
        await using var scope = await ServerScope.StartAsync();
        var id = await scope.SeedBuildAsync(BuildStatuses.Failed, FailingLog, reason: "exit code 1");

        var build = await scope.Client.GetBuildAsync(id);

        Assert.Equal(id, build.Id);
        Assert.Equal(BuildStatuses.Failed, build.Status);
        Assert.Equal("demo", build.Project);
        Assert.Equal(1, build.ExitCode);
        Assert.Equal("exit code 1", build.Reason);
        Assert.Equal(FailingLog, build.Log);
        Assert.False(build.LogTruncated);
        Assert.Equal(FailingLog.Length, build.LogChars);
        Assert.Equal(7, build.LogSummary.TotalLines);
        Assert.Equal(2, build.LogSummary.ErrorCount);
        Assert.Equal(1, build.LogSummary.WarningCount);
        Assert.Equal(2, build.LogSummary.Errors.Count);
        Assert.Contains("error CS0103", build.LogSummary.Errors[0], StringComparison.Ordinal);
        Assert.Contains("error CS1002", build.LogSummary.Errors[1], StringComparison.Ordinal);
        Assert.Contains("warning CS0168", Assert.Single(build.LogSummary.Warnings), StringComparison.Ordinal);
        Assert.Empty(build.LlmReports);
    }

    [Fact]
    public async Task GetBuild_LogDetailNoneAndTail_LeaveOutOrShortenTheLogButKeepTheSummary()
    {
        await using var scope = await ServerScope.StartAsync();
        var id = await scope.SeedBuildAsync(BuildStatuses.Failed, FailingLog);

        var none = await scope.Client.GetBuildAsync(id, LogDetail.None);
        var tail = await scope.Client.GetBuildAsync(id, LogDetail.Tail);

        Assert.Null(none.Log);
        Assert.Equal(2, none.LogSummary.ErrorCount);
        Assert.Equal(FailingLog.Length, none.LogChars);
        Assert.Equal(FailingLog, tail.Log);
        Assert.False(tail.LogTruncated);
        Assert.Equal(2, tail.LogSummary.ErrorCount);
    }

    [Fact]
    public async Task GetBuild_UnknownId_Throws404WithTheServersMessage()
    {
        await using var scope = await ServerScope.StartAsync();

        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetBuildAsync("no-such-build"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.NotNull(error.ServerMessage);
        Assert.Contains("no-such-build", error.ServerMessage, StringComparison.Ordinal);
        Assert.Equal("id", error.Field);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.ServerMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBuild_IdNeedingEscaping_IsSentAsOnePathSegment()
    {
        await using var scope = await ServerScope.StartAsync();

        // Unescaped, "?" and "#" would end the path; escaped, the server looks up exactly that id.
        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetBuildAsync("what? #1"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("id", error.Field);
        Assert.Contains("'what? #1'", error.ServerMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task GetBuild_BlankId_ThrowsBeforeSending(string id)
    {
        using var client = new LLMClient("http://127.0.0.1:9");

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetBuildAsync(id));
    }

    [Fact]
    public async Task GetBuilds_WithAQuery_SendsTheFiltersAndReadsTheirTotal()
    {
        await using var scope = await ServerScope.StartAsync();
        await scope.SeedBuildAsync(BuildStatuses.Success, "ok\n");
        var failed = await scope.SeedBuildAsync(BuildStatuses.Failed, FailingLog);
        await scope.SeedBuildAsync(BuildStatuses.Success, "ok again\n");

        var page = await scope.Client.GetBuildsAsync(new BuildQuery { Project = "demo", Status = BuildStatuses.Failed, Log = LogDetail.None });
        var none = await scope.Client.GetBuildsAsync(new BuildQuery { Branch = "nope" });
        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetBuildsAsync(new BuildQuery { Status = "green" }));

        Assert.Equal(1, page.Total);
        Assert.Equal(failed, Assert.Single(page.Builds).Id);
        Assert.Null(page.Builds[0].Log);
        Assert.Equal(0, none.Total);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("status", error.Field);
    }
}
