using System.Diagnostics;
using System.Net;
using BuildLore.Tests;

namespace BuildLore.Client.Tests;

/// <summary>RunBuildAsync, WaitForBuildAsync and CancelBuildAsync with real processes on the real server.</summary>
public sealed class RunnerTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private const string Profiles = """
        { "profiles": {
            "quick": { "command": "echo hi" },
            "sleepy": { "command": "echo started; sleep 60" }
        } }
        """;

    private static Task<ServerScope> StartWithProfilesAsync() =>
        ServerScope.StartAsync(workspace => workspace.Write("buildlore.json", Profiles));

    /// <summary>Waits with an upper bound, so a stuck build fails the test instead of hanging it.</summary>
    private static async Task<BuildDetail> WaitAsync(LLMClient client, string buildId, TimeSpan limit)
    {
        using var cancellation = new CancellationTokenSource(limit);
        return await client.WaitForBuildAsync(buildId, Poll, cancellation.Token);
    }

    [Fact]
    public async Task RunAndWait_BrokenDotnetProject_FailsWithTheCompilerError()
    {
        await using var scope = await ServerScope.StartAsync(workspace => DotnetProject.Write(workspace.Path, DotnetProject.Broken));

        var queued = await scope.Client.RunBuildAsync("build");
        var build = await WaitAsync(scope.Client, queued.BuildId, TimeSpan.FromSeconds(180));

        Assert.True(build.Status == BuildStatuses.Failed, $"{build.Status} ({build.Reason}): {build.Log}");
        Assert.Equal(1, build.ExitCode);
        Assert.Equal("build", build.Profile);
        Assert.NotNull(build.Log);
        Assert.Contains("CS0103", build.Log, StringComparison.Ordinal);
        Assert.Equal(1, build.LogSummary.ErrorCount);
        Assert.Contains("undefinedThing", Assert.Single(build.LogSummary.Errors), StringComparison.Ordinal);
        Assert.True(build.DurationSeconds > 0);
        Assert.Empty(build.LlmReports);
    }

    [Fact]
    public async Task RunAndWait_ShellProfile_SucceedsWithItsOutput()
    {
        await using var scope = await StartWithProfilesAsync();

        var queued = await scope.Client.RunBuildAsync("quick");

        Assert.Equal("ok", queued.Status);
        Assert.Equal("build queued", queued.Message);
        Assert.False(string.IsNullOrEmpty(queued.BuildId));
        Assert.Equal(queued.BuildId, queued.Build.Id);
        Assert.Equal(BuildStatuses.Queued, queued.Build.Status);
        Assert.Equal("runner", queued.Build.Source);

        var build = await WaitAsync(scope.Client, queued.BuildId, TimeSpan.FromSeconds(30));

        Assert.Equal(BuildStatuses.Success, build.Status);
        Assert.Equal(0, build.ExitCode);
        Assert.Equal("hi\n", build.Log);
        Assert.Equal("quick", build.Profile);
        Assert.Equal("echo hi", build.Command);
        Assert.Equal(Path.GetFileName(scope.Workspace.Path), build.Project);
        Assert.Equal(0, build.LogSummary.ErrorCount);
        Assert.Equal(1, build.LogSummary.TotalLines);
        Assert.NotNull(build.FinishedAt);

        var listed = Assert.Single((await scope.Client.GetBuildsAsync()).Builds);
        Assert.Equal(queued.BuildId, listed.Id);
        Assert.Equal(BuildStatuses.Success, listed.Status);
    }

    [Fact]
    public async Task RunBuild_UnknownProfile_Throws400NamingProfileAndListingTheConfiguredOnes()
    {
        await using var scope = await StartWithProfilesAsync();

        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.RunBuildAsync("nope"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("profile", error.Field);
        Assert.NotNull(error.Allowed);
        Assert.Contains("quick", error.Allowed, StringComparison.Ordinal);
        Assert.Contains("sleepy", error.Allowed, StringComparison.Ordinal);
        Assert.Equal(0, (await scope.Client.GetBuildsAsync()).Total);
    }

    [Fact]
    public async Task CancelBuild_Running_EndsCancelledAndCancellingAgainConflicts()
    {
        await using var scope = await StartWithProfilesAsync();
        var id = (await scope.Client.RunBuildAsync("sleepy")).BuildId;
        await WaitUntilRunningAsync(scope.Client, id);
        var clock = Stopwatch.StartNew();

        await scope.Client.CancelBuildAsync(id);
        var build = await WaitAsync(scope.Client, id, TimeSpan.FromSeconds(30));

        Assert.Equal(BuildStatuses.Cancelled, build.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"cancelling took {clock.Elapsed}");
        Assert.Equal("started\n", build.Log);
        var again = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.CancelBuildAsync(id));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(BuildStatuses.Cancelled, again.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelBuild_UnknownId_Throws404()
    {
        await using var scope = await StartWithProfilesAsync();

        var error = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.CancelBuildAsync("no-such-build"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task WaitForBuild_CallerCancels_ThrowsOperationCanceledAndTheBuildGoesOn()
    {
        await using var scope = await StartWithProfilesAsync();
        var id = (await scope.Client.RunBuildAsync("sleepy")).BuildId;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var error = await Record.ExceptionAsync(() => scope.Client.WaitForBuildAsync(id, Poll, cancellation.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var status = (await scope.Client.GetBuildAsync(id, LogDetail.None)).Status;
        Assert.False(BuildStatuses.IsFinished(status), status);
        await scope.Client.CancelBuildAsync(id);
    }

    [Fact]
    public async Task WaitForBuild_FinishedBuild_ReturnsAtOnceWithTheWholeLog()
    {
        await using var scope = await ServerScope.StartAsync();
        // Longer than the 64 KiB tail, so only the whole log matches.
        var log = "error CS0103: x\n" + string.Concat(Enumerable.Repeat("more output from the build\n", 4000));
        var id = await scope.SeedBuildAsync(BuildStatuses.Failed, log);

        var build = await WaitAsync(scope.Client, id, TimeSpan.FromSeconds(5));

        Assert.Equal(BuildStatuses.Failed, build.Status);
        Assert.False(build.LogTruncated);
        Assert.Equal(log, build.Log);
        Assert.Equal(1, build.LogSummary.ErrorCount);
    }

    [Fact]
    public async Task WaitForBuild_NonPositivePollInterval_Throws()
    {
        using var client = new LLMClient("http://127.0.0.1:9");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.WaitForBuildAsync("id", TimeSpan.Zero));
    }

    private static async Task WaitUntilRunningAsync(LLMClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var build = await client.GetBuildAsync(id, LogDetail.Full);
            if (build.Status == BuildStatuses.Running && build.Log == "started\n")
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"build {id} is still '{build.Status}'");
            await Task.Delay(50);
        }
    }
}
