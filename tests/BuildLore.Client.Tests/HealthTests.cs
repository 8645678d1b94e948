namespace BuildLore.Client.Tests;

/// <summary>GetHealthAsync against the real server.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task GetHealth_ReportsOkOnSqlite()
    {
        await using var scope = await ServerScope.StartAsync();

        var health = await scope.Client.GetHealthAsync();

        Assert.Equal("ok", health.Status);
        Assert.Equal("sqlite", health.Store);
        Assert.Matches(@"^\d+\.\d+\.\d+$", health.Version);
    }
}
