using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore ingest</c> pushing real logs to a real server.</summary>
public sealed class IngestCommandTests
{
    [Fact]
    public async Task Ingest_LogFile_CreatesAnalyzedBuildAndPrintsItsIdLast()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var lines = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"compiling unit {i}\n"));
        var log = workspace.Write("build.log", lines + "src/lib.rs:3:5: error: boom\nerror[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:13\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--project", "shop", "--branch", "main", "--commit", "3f2a9c1",
            "--ci-provider", "gitlab", "--server", server.BaseAddress.ToString());

        Assert.Equal(1, exitCode); // the log has errors, so the build failed
        var id = output.TrimEnd().Split('\n')[^1].Trim();
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(File.ReadAllText(log), build.GetProperty("log").GetString());
        Assert.Equal("shop", build.GetProperty("project").GetString());
        Assert.Equal("main", build.GetProperty("branch").GetString());
        Assert.Equal("3f2a9c1", build.GetProperty("commit").GetString());
        Assert.Equal("gitlab", build.GetProperty("ci_provider").GetString());
        Assert.Equal("E0425", build.GetProperty("diagnostics")[1].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ingest_TeeAndJson_PassTheLogThroughAndEndWithAnObject()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = workspace.Write("build.log", "all good\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--tee", "--json", "--exit-code", "0", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.StartsWith("all good\n", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        var id = json.RootElement.GetProperty("id").GetString();
        Assert.Equal("success", (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ingest_BadStatus_IsRefusedBeforeAnythingIsSent()
    {
        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", "/nonexistent.log", "--status", "meh");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No such file", output, StringComparison.Ordinal);
    }
}
