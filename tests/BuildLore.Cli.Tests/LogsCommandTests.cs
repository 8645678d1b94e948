using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore logs</c> against a real server.</summary>
public sealed class LogsCommandTests
{
    [Fact]
    public async Task LogsFollow_PrintsTheLogAndExitsWithTheBuildsOutcome()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo compiling; sleep 1; echo 'error: it broke'; exit 3" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync();

        var (exitCode, output) = await CliRunner.RunAsync("logs", "-f", id, "--server", server.BaseAddress.ToString());

        Assert.Equal(1, exitCode);
        Assert.StartsWith("compiling\nerror: it broke\n", output, StringComparison.Ordinal);
        Assert.Contains("build failed (exit code 3)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_PrintsAFinishedBuildsLog()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo done" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync();
        await server.WaitForBuildAsync(id);

        var (exitCode, output) = await CliRunner.RunAsync("logs", id, "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.Equal("done\n", output);
    }
}

/// <summary><c>buildlore run</c> against a real server.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_FollowsTheBuildAndExitsWithItsOutcome()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "ok": { "command": "echo compiling; sleep 0.5; echo done" }, "bad": { "command": "echo 'error: it broke'; exit 2" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (okCode, okOutput) = await CliRunner.RunAsync("run", "ok", "--server", server.BaseAddress.ToString());
        var (badCode, badOutput) = await CliRunner.RunAsync("run", "bad", "--json", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, okCode);
        Assert.StartsWith("compiling\ndone\n", okOutput, StringComparison.Ordinal);
        var id = okOutput.TrimEnd().Split('\n')[^1].Trim();
        Assert.Equal("success", (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("status").GetString());
        Assert.Equal(1, badCode);
        Assert.StartsWith("error: it broke\n", badOutput, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"failed\"", badOutput.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownProfile_SaysWhichOnesExist()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "ok": { "command": "echo ok" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (exitCode, output) = await CliRunner.RunAsync("run", "nope", "--server", server.BaseAddress.ToString());

        Assert.Equal(4, exitCode);
        Assert.Contains("(400)", output, StringComparison.Ordinal);
        Assert.Contains("'nope'", output, StringComparison.Ordinal);
    }
}
