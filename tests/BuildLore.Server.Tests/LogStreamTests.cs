using System.Diagnostics;
using BuildLore.Client;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>Following a build live over Server-Sent Events, through the real client.</summary>
public sealed class LogStreamTests
{
    [Fact]
    public async Task Stream_SendsLinesAsTheyComeThenDiagnosticsThenTheEnd()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "slow": { "command": "echo first; sleep 2; echo 'main.c:3:1: error: late failure'; exit 1" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        using var client = new LLMClient(server.BaseAddress.ToString());
        var id = await server.RunBuildAsync();

        var events = new List<(LogStreamEvent Event, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await foreach (var item in client.StreamLogAsync(id))
        {
            events.Add((item, clock.Elapsed));
        }

        var log = string.Concat(events.Where(e => e.Event.Event == "log").Select(e => e.Event.Data.Text));
        Assert.Equal("first\nmain.c:3:1: error: late failure\n", log);
        // "first" arrived while the build was still running, well before the end.
        var firstAt = events.First(e => e.Event.Event == "log").At;
        var endAt = events.Single(e => e.Event.Event == "end").At;
        Assert.True(endAt - firstAt > TimeSpan.FromSeconds(1), $"first line at {firstAt}, end at {endAt}");
        var diagnostic = Assert.Single(events, e => e.Event.Event == "diagnostic").Event.Data;
        Assert.Equal("main.c", diagnostic.File);
        Assert.Equal(3, diagnostic.Line);
        var end = events[^1].Event;
        Assert.Equal("end", end.Event);
        Assert.Equal("failed", end.Data.Status);
        Assert.Equal(1, end.Data.ExitCode);
        Assert.Equal("compile_error", end.Data.Category);
    }

    [Fact]
    public async Task Stream_LateFollowerGetsTheBacklogAndTheEnd()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "quick": { "command": "echo one; echo two" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        using var client = new LLMClient(server.BaseAddress.ToString());
        var id = await server.RunBuildAsync();
        await server.WaitForBuildAsync(id);

        var events = new List<LogStreamEvent>();
        await foreach (var item in client.StreamLogAsync(id))
        {
            events.Add(item);
        }

        Assert.Equal("one\ntwo\n", string.Concat(events.Where(e => e.Event == "log").Select(e => e.Data.Text)));
        Assert.Equal("success", events[^1].Data.Status);
    }

    [Fact]
    public async Task Stream_UnknownBuild_IsA404()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        using var client = new LLMClient(server.BaseAddress.ToString());

        var error = await Assert.ThrowsAsync<LLMClientException>(async () =>
        {
            await foreach (var _ in client.StreamLogAsync("nope"))
            {
            }
        });

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
    }
}
