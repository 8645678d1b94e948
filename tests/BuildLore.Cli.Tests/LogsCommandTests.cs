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
