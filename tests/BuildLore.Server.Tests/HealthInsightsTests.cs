using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/health over real runner builds.</summary>
public sealed class HealthInsightsTests
{
    [Fact]
    public async Task Health_ComputesRatesRecoveryCategoriesAndScore()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """
            { "profiles": {
                "ok": { "command": "echo fine" },
                "broken": { "command": "echo 'src/a.c:1:1: error: bad thing'; exit 1" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        foreach (var profile in new[] { "ok", "broken", "broken", "ok" })
        {
            await server.WaitForBuildAsync(await server.RunBuildAsync(profile));
        }

        var health = await server.GetJsonAsync("llm/learning/health?days=7");

        Assert.Equal(4, health.GetProperty("builds").GetInt32());
        Assert.Equal(0.5, health.GetProperty("success_rate").GetDouble());
        Assert.True(health.GetProperty("mean_time_to_recovery_hours").GetDouble() >= 0);
        Assert.Equal("compile_error", health.GetProperty("top_failure_categories")[0].GetProperty("category").GetString());
        Assert.Equal(2, health.GetProperty("top_failure_categories")[0].GetProperty("builds").GetInt32());
        Assert.Equal(2, health.GetProperty("top_fingerprints")[0].GetProperty("builds").GetInt32());
        // 0.6 × 0.5 + 0.2 × 1 (recovered within the hour) + 0.2 × 1 (no flaky tests) = 0.7
        Assert.Equal(70.0, health.GetProperty("health_score").GetDouble());
        Assert.True(health.GetProperty("median_duration_seconds").GetDouble() >= 0); // an echo can take under a millisecond
        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/health?days=0");
        Assert.Equal(400, status);
        Assert.Equal("days", error.GetProperty("field").GetString());
    }
}
