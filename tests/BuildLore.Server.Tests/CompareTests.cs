using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/build/{id}/compare against the last green build.</summary>
public sealed class CompareTests
{
    [Fact]
    public async Task Compare_ListsWhatIsNewSinceTheLastGreenBuild()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        async Task<string> PushAsync(string commit, string log, string status)
        {
            var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"shop","branch":"main","commit":"{{commit}}"}""");
            var id = created.GetProperty("build_id").GetString()!;
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", log, "text/plain");
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", $$"""{"status":"{{status}}"}""");
            return id;
        }

        var green = await PushAsync("aaa111", "src/a.c:1:1: warning: unused variable 'x'\nok\n", "success");
        var red = await PushAsync("bbb222", "src/b.c:9:3: error: 'y' undeclared (first use in this function)\n", "failed");

        var compare = await server.GetJsonAsync($"llm/learning/build/{red}/compare");
        var first = await server.GetJsonAsync($"llm/learning/build/{green}/compare");

        Assert.Equal(green, compare.GetProperty("baseline").GetProperty("id").GetString());
        var added = Assert.Single(compare.GetProperty("new_diagnostics").EnumerateArray());
        Assert.Equal("src/b.c", added.GetProperty("file").GetString());
        var resolved = Assert.Single(compare.GetProperty("resolved_diagnostics").EnumerateArray());
        Assert.Equal("warning", resolved.GetProperty("severity").GetString());
        Assert.Equal("aaa111", compare.GetProperty("commits").GetProperty("from").GetString());
        Assert.Equal("bbb222", compare.GetProperty("commits").GetProperty("to").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("baseline").ValueKind);
    }
}
