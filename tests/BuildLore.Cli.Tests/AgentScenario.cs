using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>Builds pushed the way a CI job pushes them (the ingestion API), for the agent to find.</summary>
internal static class AgentScenario
{
    /// <summary>Pushes a whole build (created, its log, finished) and returns its id.</summary>
    public static async Task<string> PushAsync(TestServer server, string log, string status, string project = "shop", string branch = "main", string? commit = null)
    {
        var (created, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", JsonSerializer.Serialize(new { project, branch, commit }));
        Assert.True(created is 200 or 201, $"POST /llm/learning/builds → {created}: {body}");
        var id = body.GetProperty("build_id").GetString()!;
        var (appended, _) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", log, "text/plain");
        Assert.True(appended is 200 or 202, $"log → {appended}");
        var (finished, result) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", JsonSerializer.Serialize(new { status }));
        Assert.True(finished == 200, $"finish → {finished}: {result}");
        return id;
    }
}
