using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/build/{id}/log: ranges, search with context, the failure excerpt.</summary>
public sealed class LogApiTests
{
    private static async Task<string> SeedAsync(TestServer server, int lines)
    {
        var build = await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
        var text = string.Concat(Enumerable.Range(1, lines).Select(i => i == 500 ? "src/a.c:5:1: error: broken here\n" : $"line {i}\n"));
        for (var i = 0; i < text.Length; i += 777)
        {
            await server.Store.AppendLogAsync(build.Id, text.Substring(i, Math.Min(777, text.Length - i)));
        }

        return build.Id;
    }

    [Fact]
    public async Task Log_RangeFromTheStartAndFromTheEnd()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await SeedAsync(server, 1000);

        var head = await server.GetJsonAsync($"llm/learning/build/{id}/log?offset=10&limit=3");
        var tail = await server.GetJsonAsync($"llm/learning/build/{id}/log?offset=-2");

        Assert.Equal(1000, head.GetProperty("total_lines").GetInt32());
        Assert.True(head.GetProperty("has_more").GetBoolean());
        Assert.Equal(["line 11", "line 12", "line 13"], head.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()));
        Assert.Equal(11, head.GetProperty("lines")[0].GetProperty("number").GetInt32());
        Assert.Equal(["line 999", "line 1000"], tail.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()));
        Assert.False(tail.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Log_GrepReturnsMatchesWithContextAndSaysWhenThereAreMore()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await SeedAsync(server, 1000);

        var found = await server.GetJsonAsync($"llm/learning/build/{id}/log?grep=ERROR:&context=1");
        var capped = await server.GetJsonAsync($"llm/learning/build/{id}/log?grep=line%209&limit=2&context=0");

        Assert.Equal([499, 500, 501], found.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("number").GetInt32()));
        Assert.True(found.GetProperty("lines")[1].GetProperty("match").GetBoolean());
        Assert.False(found.GetProperty("lines")[0].GetProperty("match").GetBoolean());
        Assert.Equal(1, found.GetProperty("matches").GetInt32());
        Assert.False(found.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, capped.GetProperty("lines").GetArrayLength());
        Assert.True(capped.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, capped.GetProperty("matches").GetInt32());
        // line 9, lines 90-99 and 900-999 contain "line 9": all are counted, two are returned.
        Assert.Equal(111, capped.GetProperty("total_matches").GetInt32());
        Assert.Equal(1, found.GetProperty("total_matches").GetInt32());
    }

    [Fact]
    public async Task Log_ExcerptIsTheAnalyzersFailureExcerpt()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo one; echo two; echo 'main.c:1:1: error: boom'; echo three; exit 1" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync();
        await server.WaitForBuildAsync(id);

        var excerpt = await server.GetJsonAsync($"llm/learning/build/{id}/log?excerpt=true");

        Assert.Contains(excerpt.GetProperty("lines").EnumerateArray(), l => l.GetProperty("text").GetString() == "main.c:1:1: error: boom" && l.GetProperty("number").GetInt32() == 3);
        Assert.False(excerpt.GetProperty("has_more").GetBoolean());
        Assert.Equal(0, excerpt.GetProperty("omitted_errors").GetInt32());
        Assert.Equal(0, excerpt.GetProperty("omitted_lines").GetInt32());
    }

    [Fact]
    public async Task Log_ExcerptOfManyErrors_SaysHowManyErrorsItLeftOut()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = string.Concat(Enumerable.Range(1, 100).Select(i =>
            $"src/f{i}.c:{i}:1: error: problem number {i} with a message long enough to use up the excerpt's budget quickly, as real ones do\n" +
            string.Concat(Enumerable.Range(1, 9).Select(j => $"  compiling unit {i}.{j}\n"))));
        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds/upload?exit_code=1", log, "text/plain");
        Assert.Equal(201, status);

        var excerpt = await server.GetJsonAsync($"llm/learning/build/{body.GetProperty("build_id").GetString()}/log?excerpt=true");

        var shown = excerpt.GetProperty("lines").EnumerateArray().Count(l => l.GetProperty("text").GetString()!.Contains("error: problem number", StringComparison.Ordinal));
        Assert.InRange(shown, 1, 99);
        Assert.True(excerpt.GetProperty("has_more").GetBoolean());
        Assert.Equal(100 - shown, excerpt.GetProperty("omitted_errors").GetInt32());
        Assert.Equal(1000, excerpt.GetProperty("total_lines").GetInt32());
    }

    [Fact]
    public async Task Log_ExcerptOfBuildsWithoutAStoredAnalysis_IsMadeFromTheStoredLog()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var running = created.GetProperty("build_id").GetString()!;
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{running}/log?seq=1", "one\nsrc/a.c:2:1: error: boom\ntwo\n", "text/plain");
        var ofRunning = await server.GetJsonAsync($"llm/learning/build/{running}/log?excerpt=true");
        var interrupted = await server.Store.CreateBuildAsync(new NewBuild("demo", "runner"));
        await server.Store.AppendLogAsync(interrupted.Id, "step\nsrc/b.c:7:3: error: gone wrong\n");
        await server.Store.FailUnfinishedBuildsAsync("interrupted", DateTimeOffset.UtcNow);

        var ofInterrupted = await server.GetJsonAsync($"llm/learning/build/{interrupted.Id}/log?excerpt=true");

        Assert.Equal("running", ofRunning.GetProperty("build_status").GetString());
        Assert.Contains(ofRunning.GetProperty("lines").EnumerateArray(), l => l.GetProperty("text").GetString() == "src/a.c:2:1: error: boom" && l.GetProperty("number").GetInt32() == 2);
        Assert.Equal("error", ofInterrupted.GetProperty("build_status").GetString());
        Assert.Contains(ofInterrupted.GetProperty("lines").EnumerateArray(), l => l.GetProperty("text").GetString() == "src/b.c:7:3: error: gone wrong");
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("offset=abc", "offset")]
    [InlineData("context=99", "context")]
    [InlineData("grep=(a)\\1", "grep")]
    public async Task Log_BadQuery_Returns400(string query, string field)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await SeedAsync(server, 10);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, $"llm/learning/build/{id}/log?{query}");

        Assert.Equal(400, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Log_UnknownBuild_Returns404()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, _) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/build/nope/log");

        Assert.Equal(404, status);
    }

}
