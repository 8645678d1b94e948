using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>
/// <c>producer | buildlore ingest --tee</c> in a real shell pipeline: the output always passes through in
/// full and the command exits as the build did, whatever the server does meanwhile.
/// </summary>
public sealed class IngestTeeTests
{
    // The producer writes its second half after a pause: a reader that gave up by then would kill it with SIGPIPE.
    private const string Producer = "for i in $(seq 1 50); do echo \"step $i ✓\"; done; sleep 2; for i in $(seq 51 100); do echo \"step $i ✓\"; done";

    private static readonly string Expected = string.Concat(Enumerable.Range(1, 100).Select(i => $"step {i} ✓\n"));

    private static string Pipeline(string ingestArguments) =>
        $"{{ {Producer}; }} | buildlore ingest --tee {ingestArguments}; echo \"pipestatus: ${{PIPESTATUS[*]}}\" >&2";

    private static Dictionary<string, string?> OnPort(int port) => new() { ["BuildLore:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Tee_ServerDownThroughout_PassesEverythingThroughAndExitsAsTheBuildDid()
    {
        using var workspace = new TempDirectory();
        var port = ShellPipeline.FreePort();
        using var pipeline = new ShellPipeline(Pipeline($"--server http://127.0.0.1:{port} --exit-code 0 --give-up-after 1"), workspace.Path);

        var (_, output, error) = await pipeline.WaitAsync();

        Assert.Equal(Expected, output);
        Assert.Contains("pipestatus: 0 0", error, StringComparison.Ordinal);
        Assert.Contains("gave up uploading", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tee_ServerThatComesUpLate_GetsTheWholeLogWithTheRealExitCode()
    {
        using var workspace = new TempDirectory();
        var port = ShellPipeline.FreePort();
        var exitFile = workspace.Combine("build.exit");
        var script = $"{{ {Producer}; echo 'src/cart.c:3:5: error: boom'; sh -c 'exit 2'; echo $? > '{exitFile}'; }} | buildlore ingest --tee --project shop --server http://127.0.0.1:{port} --exit-code-file '{exitFile}' --json; echo \"pipestatus: ${{PIPESTATUS[*]}}\" >&2";
        using var pipeline = new ShellPipeline(script, workspace.Path);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var server = await TestServer.StartAsync(workspace.Path, settings: OnPort(port));

        var (_, output, error) = await pipeline.WaitAsync();

        var log = Expected + "src/cart.c:3:5: error: boom\n";
        Assert.StartsWith(log, output, StringComparison.Ordinal);
        Assert.Contains("pipestatus: 0 2", error, StringComparison.Ordinal); // ingest exits with the build's code
        using var result = JsonDocument.Parse(output[log.Length..].Trim());
        var build = (await server.GetJsonAsync($"llm/learning/build/{result.RootElement.GetProperty("id").GetString()}")).GetProperty("build");
        Assert.Equal(log, build.GetProperty("log").GetString());
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(2, build.GetProperty("exit_code").GetInt32());
        Assert.Equal("shop", build.GetProperty("project").GetString());
    }

    [Fact]
    public async Task Tee_ServerRestartingMidStream_StillPassesEverythingThroughAndExitsAsTheBuildDid()
    {
        using var workspace = new TempDirectory();
        using var data = new TempDirectory();
        var port = ShellPipeline.FreePort();
        var first = await TestServer.StartAsync(workspace.Path, data.Path, OnPort(port));
        using var pipeline = new ShellPipeline(Pipeline($"--server http://127.0.0.1:{port} --exit-code 0 --give-up-after 5"), workspace.Path);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await first.GetJsonAsync("llm/learning/builds?log=tail")).GetProperty("builds") is var builds
               && (builds.GetArrayLength() == 0 || !builds[0].GetProperty("log").GetString()!.Contains("step 50 ", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the first half never reached the server");
            await Task.Delay(50);
        }

        await first.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var second = await TestServer.StartAsync(workspace.Path, data.Path, OnPort(port));

        var (_, output, error) = await pipeline.WaitAsync();

        Assert.StartsWith(Expected, output, StringComparison.Ordinal);
        Assert.Contains("pipestatus: 0 0", error, StringComparison.Ordinal);
        // The restarted server ended the build as interrupted, so the rest was not uploaded: said, not hidden.
        Assert.Contains("gave up uploading", error, StringComparison.Ordinal);
        var build = (await second.GetJsonAsync("llm/learning/builds?log=full")).GetProperty("builds")[0];
        Assert.Equal("interrupted", build.GetProperty("reason").GetString());
        Assert.StartsWith(string.Concat(Enumerable.Range(1, 50).Select(i => $"step {i} ✓\n")), build.GetProperty("log").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tee_LinesBeforeAPause_ReachTheServerDuringThePause()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        using var pipeline = new ShellPipeline($"{{ echo first; sleep 8; echo second; }} | buildlore ingest --tee --exit-code 0 --server {server.BaseAddress}", workspace.Path);

        var deadline = DateTime.UtcNow.AddSeconds(7);
        string? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            var builds = (await server.GetJsonAsync("llm/learning/builds?log=tail")).GetProperty("builds");
            seen = builds.GetArrayLength() == 0 ? null : builds[0].GetProperty("log").GetString();
            if (seen is { Length: > 0 })
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("first\n", seen);
        var (exitCode, output, _) = await pipeline.WaitAsync();
        Assert.Equal(0, exitCode);
        Assert.StartsWith("first\nsecond\n", output, StringComparison.Ordinal);
    }
}
