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

    private static string Describe(LogStreamEvent e) => e.Event switch
    {
        "log" => $"log:{e.Data.Text}",
        "diagnostic" => $"diagnostic:{e.Data.Severity}:{e.Data.File}:{e.Data.Line}:{e.Data.Message}:{e.Data.LogLine}",
        _ => $"{e.Event}:{e.Data.Status}:{e.Data.ExitCode}:{e.Data.Category}",
    };

    private static async Task<List<string>> FollowAsync(LLMClient client, string id)
    {
        var events = new List<string>();
        await foreach (var item in client.StreamLogAsync(id))
        {
            events.Add(Describe(item));
        }

        return events;
    }

    [Fact]
    public async Task Stream_ManyFollowersEarlyLateAndAfterTheEnd_GetTheSameEvents_FromOneSharedFeed()
    {
        using var workspace = new TempDirectory();
        // A small ring, so that a late follower has to read the beginning from the store before it joins.
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:LiveLogBufferBytes"] = "2048" });
        var feeds = (BuildLore.Server.Builds.LogFeeds)server.Services.GetService(typeof(BuildLore.Server.Builds.LogFeeds))!;
        using var client = new LLMClient(server.BaseAddress.ToString());
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", """{"project":"shop"}""");
        var id = created.GetProperty("build_id").GetString()!;
        var chunks = Enumerable.Range(1, 40).Select(i => string.Concat(Enumerable.Range(0, 8).Select(j => $"step {i}.{j}: compiling unit {i * 8 + j}\n"))
            + (i == 20 ? "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n" : "")).ToList();

        var early = Enumerable.Range(0, 10).Select(_ => FollowAsync(client, id)).ToList();
        await WaitUntilAsync(() => feeds.ActiveFeeds == 1);
        Task<List<string>>? late = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var (status, _) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq={i + 1}", chunks[i], "text/plain");
            Assert.Equal(200, status);
            if (i == 30)
            {
                late = FollowAsync(client, id);
            }
        }

        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed","exit_code":1}""");
        var results = await Task.WhenAll([.. early, late!]);
        var afterTheEnd = await FollowAsync(client, id);

        var expected = results[0];
        Assert.Equal(string.Concat(chunks), string.Concat(expected.Where(e => e.StartsWith("log:", StringComparison.Ordinal)).Select(e => e["log:".Length..])));
        Assert.Single(expected, e => e.StartsWith("diagnostic:error:src/cart.c:12:", StringComparison.Ordinal));
        Assert.Equal("end:failed:1:compile_error", expected[^1]);
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Equal(expected, afterTheEnd);
        await WaitUntilAsync(() => feeds.ActiveFeeds == 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(20);
        }
    }
}
