using System.Diagnostics;
using System.Text.Json;
using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/events and GET /llm/learning/unanalyzed: how agents learn what to analyze.</summary>
public sealed class BuildEventsTests
{
    [Fact]
    public async Task Events_AnnounceBuildsFinishingAfterTheFollowerConnected()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var before = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci"));
        await server.Store.FinishBuildAsync(before.Id, new BuildCompletion(BuildStatus.Success, 0, null, Core.Logs.LogSummary.Empty, DateTimeOffset.UtcNow));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await server.Http.GetAsync("llm/learning/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("event: ready", await reader.ReadLineAsync(timeout.Token));

        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", """{"project":"shop","branch":"main"}""");
        var id = created.GetProperty("build_id").GetString()!;
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", "src/a.c:1:1: error: broken\n", "text/plain");
        var clock = Stopwatch.StartNew();
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed"}""");

        JsonElement? announced = null;
        while (announced is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"id\"", StringComparison.Ordinal))
            {
                announced = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        Assert.NotNull(announced);
        Assert.Equal(id, announced.Value.GetProperty("id").GetString());
        Assert.Equal("shop", announced.Value.GetProperty("project").GetString());
        Assert.Equal("main", announced.Value.GetProperty("branch").GetString());
        Assert.Equal("failed", announced.Value.GetProperty("status").GetString());
        Assert.Equal("compile_error", announced.Value.GetProperty("category").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"announced after {clock.Elapsed}");
    }

    [Fact]
    public async Task Unanalyzed_ListsFailedBuildsNobodyAnalyzedOrClaimed()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        async Task<string> FinishedAsync(string status)
        {
            var build = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci"));
            await server.Store.FinishBuildAsync(build.Id, new BuildCompletion(status, 1, null, Core.Logs.LogSummary.Empty, DateTimeOffset.UtcNow));
            return build.Id;
        }

        var analyzed = await FinishedAsync(BuildStatus.Failed);
        var claimed = await FinishedAsync(BuildStatus.Error);
        var open = await FinishedAsync(BuildStatus.Timeout);
        await FinishedAsync(BuildStatus.Success);
        await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", JsonSerializer.Serialize(new { build_id = analyzed, type = "failure_analysis", analysis = "a", confidence = 0.5 }));
        var (claimStatus, _) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{claimed}/claim", """{"agent":"a1"}""");

        var pending = await server.GetJsonAsync("llm/learning/unanalyzed");
        var (bad, error) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/unanalyzed?limit=0");

        Assert.Equal(200, claimStatus);
        Assert.Equal([open], pending.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Equal(400, bad);
        Assert.Equal("limit", error.GetProperty("field").GetString());
    }
}
