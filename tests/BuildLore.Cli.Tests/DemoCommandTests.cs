using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore demo</c> against a real server, and without one.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_WithARealBuild_ShowsBuildsStatisticsStructureAndSubmitsAReport()
    {
        using var workspace = new TempDirectory();
        DotnetProject.Write(workspace.Path, DotnetProject.Broken);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (exitCode, output) = await CliRunner.RunAsync("demo", "--run", "--server", server.BaseAddress.ToString());

        Assert.True(exitCode == 0, output);
        Assert.Contains("Connected to BuildLore", output, StringComparison.Ordinal);
        Assert.Contains("Total builds: 1", output, StringComparison.Ordinal);
        Assert.Contains("failed", output, StringComparison.Ordinal);
        Assert.Contains("Success rate: 0.0% of 1 finished build(s)", output, StringComparison.Ordinal);
        Assert.Contains($"Workspace: {Path.GetFileName(workspace.Path)}", output, StringComparison.Ordinal);
        Assert.Contains("Report submitted with ID: 1", output, StringComparison.Ordinal);
        Assert.Contains("SubmitReportAsync", output, StringComparison.Ordinal);

        var page = await server.Store.ListBuildsAsync(0, 10);
        var reports = await server.Store.ListReportsAsync(page.Builds[0].Id);
        var report = Assert.Single(reports);
        Assert.Equal("failure_analysis", report.Type);
        Assert.Contains("CS0103", report.Analysis, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_WithoutBuilds_SaysHowToStartOneAndSkipsTheReport()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (exitCode, output) = await CliRunner.RunAsync("demo", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.Contains("No builds yet", output, StringComparison.Ordinal);
        Assert.Contains("Skipped: a report is about a build", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_WhenTheServerIsNotRunning_FailsWithAClearMessage()
    {
        var (exitCode, output) = await CliRunner.RunAsync("demo", "--server", $"http://127.0.0.1:{FreePort.Get()}");

        Assert.Equal(3, exitCode);
        Assert.Contains("Cannot reach BuildLore", output, StringComparison.Ordinal);
        Assert.Contains("buildlore serve", output, StringComparison.Ordinal);
    }

    internal static async Task<string> SeedAsync(TestServer server, string status, string log)
    {
        var build = await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
        await server.Store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow);
        await server.Store.AppendLogAsync(build.Id, log);
        await server.Store.FinishBuildAsync(build.Id, new BuildCompletion(status, status == BuildStatus.Success ? 0 : 1, null, Summaries.Of(log), DateTimeOffset.UtcNow));
        return build.Id;
    }
}

internal static class FreePort
{
    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    public static int Get()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
