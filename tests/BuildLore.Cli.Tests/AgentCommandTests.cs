using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore agent --once</c>: the learning loop against a real server.</summary>
public sealed class AgentCommandTests
{
    private const string Profiles = """
        { "profiles": {
            "broken": { "command": "echo 'src/cart.c:12:5: error: \"total\" undeclared (first use in this function)'; exit 1" },
            "tests": { "command": "echo 'FAILED tests/test_api.py::test_login - assert 401 == 200'; exit 1" },
            "fixed": { "command": "echo 'all good'" } } }
        """;

    [Fact]
    public async Task AgentOnce_ReportsEachFailedBuildOnce_AndLearnsFromAFix()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", Profiles);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var broken = await server.RunBuildAsync("broken");
        var tests = await server.RunBuildAsync("tests");
        var green = await server.RunBuildAsync("fixed");
        foreach (var id in new[] { broken, tests, green })
        {
            await server.WaitForBuildAsync(id);
        }

        var (first, firstOutput) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString());
        var (second, secondOutput) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, first);
        Assert.Contains("Submitted 2 report(s).", firstOutput, StringComparison.Ordinal);
        Assert.Contains("Submitted 0 report(s).", secondOutput, StringComparison.Ordinal);
        var report = Assert.Single(await server.Store.ListReportsAsync(broken));
        Assert.Contains("compile_error", report.Analysis, StringComparison.Ordinal);
        Assert.Contains("src/cart.c:12", report.Analysis, StringComparison.Ordinal);
        Assert.Single(await server.Store.ListReportsAsync(tests));
        Assert.Empty(await server.Store.ListReportsAsync(green));

        // The failure comes back after a green build: the agent repeats the advice that preceded the fix.
        await server.WaitForBuildAsync(await server.RunBuildAsync("fixed"));
        var again = await server.RunBuildAsync("broken");
        await server.WaitForBuildAsync(again);
        await CliRunner.RunAsync("agent", "--once", "--threshold", "0.5", "--server", server.BaseAddress.ToString());

        var learned = Assert.Single(await server.Store.ListReportsAsync(again));
        Assert.Contains(learned.Recommendations, r => r.Contains($"fixed this failure before: report {report.Id}", StringComparison.Ordinal));
        Assert.True(learned.Confidence >= 0.8);
    }

    [Fact]
    public async Task LearningLoop_AgentReportOnARealFailure_IsShownFirstWithOutcomeFixed_WhenTheFailureComesBack()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", Profiles);
        await using var server = await TestServer.StartAsync(workspace.Path);

        // A real build fails, and an earlier analysis of the same failure whose advice did not help is on record.
        var stale = (await server.WaitForBuildAsync(await server.RunBuildAsync("broken"))).GetProperty("id").GetString()!;
        await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", System.Text.Json.JsonSerializer.Serialize(new
        {
            build_id = stale, type = "failure_analysis", analysis = "probably the runner", recommendations = new[] { "restart the runner" }, confidence = 0.95,
        }));
        var failed = (await server.WaitForBuildAsync(await server.RunBuildAsync("broken"))).GetProperty("id").GetString()!;

        // The agent analyzes the new failure; then the fix lands and a build passes.
        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString());
        var agentReport = Assert.Single(await server.Store.ListReportsAsync(failed));
        var green = (await server.WaitForBuildAsync(await server.RunBuildAsync("fixed"))).GetProperty("id").GetString()!;

        // The same failure comes back: the agent's report comes first, its outcome recorded as a fix.
        var again = await server.WaitForBuildAsync(await server.RunBuildAsync("broken"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("Submitted 1 report(s).", output, StringComparison.Ordinal);
        var known = again.GetProperty("known_issues");
        Assert.Equal(agentReport.Id, known[0].GetProperty("report_id").GetInt64());
        Assert.Equal("fixed", known[0].GetProperty("outcome").GetString());
        Assert.Equal(green, known[0].GetProperty("next_build_id").GetString());
        Assert.Equal(agentReport.Recommendations, known[0].GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("still_failing", known[1].GetProperty("outcome").GetString());
        Assert.Equal(again.GetProperty("fingerprints")[0].GetString(), known[0].GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task AgentOnce_WhenTheServerIsDown_FailsClearly()
    {
        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", $"http://127.0.0.1:{FreePort.Get()}");

        Assert.Equal(3, exitCode);
        Assert.Contains("Cannot reach BuildLore", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoAgentsAtOnce_ReportOnEachBuildExactlyOnce()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await DemoCommandTests.SeedAsync(server, "failed", $"src/f{i}.c:1:1: error: problem number {i}\n"));
        }

        using var first = new BuildLore.Client.LLMClient(server.BaseAddress.ToString());
        using var second = new BuildLore.Client.LLMClient(server.BaseAddress.ToString());
        var analyzer = new BuildLore.Agent.RuleBasedAnalyzer();
        var options = new BuildLore.Agent.AgentOptions { Concurrency = 4 };

        var counts = await Task.WhenAll(
            new BuildLore.Agent.LearningAgent(first, analyzer, options).RunOnceAsync(),
            new BuildLore.Agent.LearningAgent(second, analyzer, options).RunOnceAsync());

        Assert.Equal(40, counts.Sum());
        foreach (var id in ids)
        {
            Assert.Single(await server.Store.ListReportsAsync(id));
        }
    }
}
