using System.Net;
using System.Net.Http.Headers;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>Client-side commands against a server that requires an API token.</summary>
public sealed class TokenTests
{
    private const string Token = "cli-test-token-0123456789abcdef";

    private static Dictionary<string, string?> Tokens() => new() { ["BuildLore:Auth:Tokens:ci"] = Token };

    [Fact]
    public async Task Ingest_WithToken_IsAccepted_WithoutOne_SaysHowToPassIt()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());
        var log = workspace.Write("build.log", "compiling\nall good\n");

        var (refusedCode, refusedOutput) = await CliRunner.RunAsync("ingest", "--log", log, "--server", server.BaseAddress.ToString(), "--token", "");
        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--exit-code", "0", "--server", server.BaseAddress.ToString(), "--token", Token);

        Assert.Equal(4, refusedCode);
        Assert.Contains("401", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("BUILDLORE_TOKEN", refusedOutput, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
        var id = output.TrimEnd().Split('\n')[^1].Trim();
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("compiling\nall good\n", build.GetProperty("log").GetString());
    }

    [Fact]
    public async Task LogsFollow_WithToken_StreamsTheBuild()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo compiling; sleep 0.5; echo linked" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var id = await server.RunBuildAsync();

        var (exitCode, output) = await CliRunner.RunAsync("logs", "-f", id, "--server", server.BaseAddress.ToString(), "--token", Token);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("compiling\nlinked\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeAndIngest_TakeTheTokenFromBuildloreToken()
    {
        using var workspace = new TempDirectory();
        var log = workspace.Write("build.log", "from the environment\n");
        var environment = new Dictionary<string, string> { ["BUILDLORE_TOKEN"] = Token };
        using var server = new ServeCommandTests.ServerProcess(workspace.Path, ["serve", "--port", "0"], environment);
        var address = await server.WaitForAddressAsync();

        using var ingest = new ServeCommandTests.ServerProcess(workspace.Path, ["ingest", "--log", log, "--exit-code", "0", "--server", address.ToString()], environment);
        Assert.Equal(0, await ingest.WaitForExitAsync());
        var id = ingest.Output.TrimEnd().Split('\n')[^1].Trim();

        using var http = new HttpClient { BaseAddress = address };
        using var anonymous = await http.GetAsync($"llm/learning/build/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var detail = await http.GetStringAsync($"llm/learning/build/{id}");
        Assert.Contains("from the environment", detail, StringComparison.Ordinal);
    }
}
