using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>
/// The learning loop end to end: a failure is analyzed, a later build passes, and the next build that
/// fails the same way carries that analysis first, with its outcome. On both stores.
/// </summary>
public sealed class KnowledgeTests
{
    private const string Profiles = """
        { "profiles": {
            "broken": { "command": "echo 'src/cart.c:12:5: error: \"total\" undeclared (first use in this function)'; exit 1" },
            "fixed": { "command": "echo 'all good'" } } }
        """;

    private static async Task<TestServer> StartAsync(TempDirectory workspace, string store)
    {
        workspace.Write("buildlore.json", Profiles);
        var settings = store == "postgres"
            ? new Dictionary<string, string?> { ["BuildLore:Store:ConnectionString"] = await PostgresServer.Shared.CreateDatabaseAsync() }
            : null;
        return await TestServer.StartAsync(workspace.Path, settings: settings);
    }

    private static async Task<long> ReportAsync(TestServer server, string buildId, string advice, double confidence)
    {
        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", JsonSerializer.Serialize(new
        {
            build_id = buildId,
            type = "failure_analysis",
            analysis = $"analysis of {buildId}",
            recommendations = new[] { advice },
            confidence,
        }));
        Assert.Equal(200, status);
        return body.GetProperty("report_id").GetInt64();
    }

    private static async Task<JsonElement> BuildAsync(TestServer server, string profile) =>
        await server.WaitForBuildAsync(await server.RunBuildAsync(profile));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task KnownIssues_ShowTheAnalysisWhoseAdviceWorkedFirst(string store)
    {
        using var workspace = new TempDirectory();
        await using var server = await StartAsync(workspace, store);

        var first = await BuildAsync(server, "broken");
        var stale = await ReportAsync(server, first.GetProperty("id").GetString()!, "restart the runner", 0.95);
        var second = await BuildAsync(server, "broken");                 // after 'stale': still failing
        var good = await ReportAsync(server, second.GetProperty("id").GetString()!, "declare total before use", 0.8);
        var green = await BuildAsync(server, "fixed");                   // after 'good': fixed
        var again = await BuildAsync(server, "broken");                  // the same failure comes back

        var known = again.GetProperty("known_issues");
        Assert.Equal(2, known.GetArrayLength());
        Assert.Equal(good, known[0].GetProperty("report_id").GetInt64());
        Assert.Equal("fixed", known[0].GetProperty("outcome").GetString());
        Assert.Equal(green.GetProperty("id").GetString(), known[0].GetProperty("next_build_id").GetString());
        Assert.Equal(["declare total before use"], known[0].GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(stale, known[1].GetProperty("report_id").GetInt64());
        Assert.Equal("still_failing", known[1].GetProperty("outcome").GetString());
        Assert.Equal(again.GetProperty("fingerprints")[0].GetString(), known[0].GetProperty("fingerprint").GetString());

        // A passing build carries no known issues; the knowledge endpoint answers by fingerprint.
        Assert.Equal(0, green.GetProperty("known_issues").GetArrayLength());
        var byFingerprint = await server.GetJsonAsync($"llm/learning/knowledge?fingerprint={again.GetProperty("fingerprints")[0].GetString()}");
        Assert.Equal(good, byFingerprint.GetProperty("known_issues")[0].GetProperty("report_id").GetInt64());

        // Calibration: of the two confident reports whose outcome is known, one was followed by a fix.
        var confident = (await server.GetJsonAsync("llm/learning/health?days=1")).GetProperty("confidence_calibration")[0];
        Assert.Equal(0.7, confident.GetProperty("from").GetDouble());
        Assert.Equal(2, confident.GetProperty("reports").GetInt32());
        Assert.Equal(1, confident.GetProperty("fixed").GetInt32());
        Assert.Equal(0.5, confident.GetProperty("fix_rate").GetDouble());
    }

    [Fact]
    public async Task KnownIssues_DoNotMixDifferentFailures()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """
            { "profiles": {
                "a": { "command": "echo 'src/a.c:1:1: error: expected declaration specifiers'; exit 1" },
                "b": { "command": "echo 'ld: cannot find -lssl'; exit 1" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var a = await BuildAsync(server, "a");
        await ReportAsync(server, a.GetProperty("id").GetString()!, "fix the declaration", 0.7);

        var b = await BuildAsync(server, "b");

        Assert.Equal(0, b.GetProperty("known_issues").GetArrayLength());
    }

    [Fact]
    public async Task Reports_CanBeListedFilteredAndReadOneByOne()
    {
        using var workspace = new TempDirectory();
        await using var server = await StartAsync(workspace, "sqlite");
        var build = (await BuildAsync(server, "broken")).GetProperty("id").GetString()!;
        var low = await ReportAsync(server, build, "maybe this", 0.3);
        var high = await ReportAsync(server, build, "surely this", 0.9);

        var all = await server.GetJsonAsync("llm/learning/reports");
        var confident = await server.GetJsonAsync("llm/learning/reports?min_confidence=0.7&type=failure_analysis");
        var one = await server.GetJsonAsync($"llm/learning/report/{low}");
        var (missing, _) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/report/999999");
        var (bad, error) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/reports?type=guess");

        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(high, all.GetProperty("reports")[0].GetProperty("id").GetInt64());
        Assert.Equal([high], confident.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal("maybe this", one.GetProperty("report").GetProperty("recommendations")[0].GetString());
        Assert.Equal(404, missing);
        Assert.Equal(400, bad);
        Assert.Equal("type", error.GetProperty("field").GetString());
    }
}
