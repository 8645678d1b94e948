using BuildLore.Agent;
using BuildLore.Client;
using BuildLore.Core.Builds;
using BuildLore.Core.Reports;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>The agent's project-level reports: a dependency audit from the manifests and a performance analysis from build durations.</summary>
public sealed class ProjectReportAgentTests
{
    private const string PackageJson = """
        {
          "name": "shop-web",
          "dependencies": { "react": "^18.2.0", "request": "2.88.2", "next": "14.0.0-canary.5", "@angular/core": "17.3.0", "@angular/router": "15.2.0" },
          "devDependencies": { "jest": "~29.7.0", "react": "17.0.2" }
        }
        """;

    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <ItemGroup>
            <PackageReference Include="Microsoft.AspNetCore.OpenApi" Version="10.0.1" />
            <PackageReference Include="Microsoft.AspNetCore.Authentication.JwtBearer" Version="8.0.0" />
            <PackageReference Include="Newtonsoft.Json" Version="13.*" />
            <PackageReference Include="System.Data.SqlClient" Version="4.8.6" />
          </ItemGroup>
        </Project>
        """;

    /// <summary>A workspace with manifests, and a project whose later builds are slower: twelve builds, 60 s then 120 s (one of 400 s).</summary>
    private static async Task<(TestServer Server, TempDirectory Workspace, string Project)> ProjectAsync()
    {
        var workspace = new TempDirectory();
        workspace.Write("web/package.json", PackageJson);
        workspace.Write("Shop.csproj", Project);
        var server = await TestServer.StartAsync(workspace.Path);
        var project = Path.GetFileName(workspace.Path);
        var start = DateTimeOffset.UtcNow.AddHours(-6);
        double[] durations = [60, 62, 58, 61, 59, 60, 118, 121, 119, 122, 400, 120];
        foreach (var (seconds, i) in durations.Select((d, i) => (d, i)))
        {
            var build = await server.Store.CreateBuildAsync(new NewBuild(project, "ci", Branch: "main"));
            var began = start.AddMinutes(10 * i);
            await server.Store.MarkRunningAsync(build.Id, began);
            await server.Store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Success, 0, null, Core.Logs.LogSummary.Empty, began.AddSeconds(seconds)));
        }

        return (server, workspace, project);
    }

    [Fact]
    public async Task AgentOnce_WithReports_WritesARuleBasedDependencyAuditAndPerformanceAnalysis_ThenKeepsTheirSchedule()
    {
        var (server, workspace, project) = await ProjectAsync();
        await using var _ = server;
        using var __ = workspace;

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(), "--reports", "dependency_audit,performance_analysis");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Submitted 2 report(s).", output, StringComparison.Ordinal);
        var audit = Assert.Single((await server.Store.ListReportsAsync(new Core.Reports.ReportQuery(ReportType.DependencyAudit, Project: project))).Reports);
        Assert.Null(audit.BuildId);
        Assert.Equal(RuleBasedAnalyzer.ModelName, audit.Details.Model);
        foreach (var expected in new[] { "request (npm) is deprecated", "System.Data.SqlClient (nuget) is deprecated", "react is declared at 2 versions",
                     "Microsoft.AspNetCore.Authentication.JwtBearer 8.0.0", "@angular/router 15.2.0", "next 14.0.0-canary.5", "Newtonsoft.Json (13.*)", "jest (~29.7.0)" })
        {
            Assert.Contains(expected, audit.Analysis, StringComparison.Ordinal);
        }

        Assert.Contains("Replace request with the built-in fetch (Node 18+) or undici (in web/package.json).", audit.Recommendations);
        Assert.Contains(audit.Recommendations, r => r.StartsWith("Align react on ^18.2.0 (in web/package.json)", StringComparison.Ordinal));
        Assert.DoesNotContain(audit.Recommendations, r => r.Contains("jest", StringComparison.Ordinal)); // a dev dependency floating: 0.6, under 0.7
        Assert.Equal(["Shop.csproj", "web/package.json"], audit.Details.AffectedFiles.Select(f => f.Path));
        Assert.Equal("deprecated_dependency", audit.Details.Category);

        var performance = Assert.Single((await server.Store.ListReportsAsync(new Core.Reports.ReportQuery(ReportType.PerformanceAnalysis, Project: project))).Reports);
        Assert.Contains("Builds got slower: the median went from 60 s to 2 min", performance.Analysis, StringComparison.Ordinal);
        Assert.Contains("p95 went from", performance.Analysis, StringComparison.Ordinal);
        Assert.Equal("build_slowdown", performance.Details.Category);
        Assert.Contains(performance.Recommendations, r => r.Contains("/compare", StringComparison.Ordinal));

        // Scheduled daily: asked again within the day, the agent writes nothing new; asked for every run, it does.
        var (_, scheduled) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(), "--audit-every", "24h", "--perf-every", "1d");
        var (_, forced) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(), "--reports", "performance_analysis");
        Assert.Contains("Submitted 0 report(s).", scheduled, StringComparison.Ordinal);
        Assert.Contains("Submitted 1 report(s).", forced, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Threshold_HoldsForEveryAnalyzerAndReportType()
    {
        var (server, workspace, project) = await ProjectAsync();
        await using var _ = server;
        using var __ = workspace;
        var failed = await AgentScenario.PushAsync(server, "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n", "failed", project: project);
        using var client = new LLMClient(server.BaseAddress.ToString());
        var rules = new RuleBasedAnalyzer();
        var failure = await rules.AnalyzeAsync(await client.GetBuildAsync(failed, LogDetail.None));
        var audit = await rules.AuditDependenciesAsync(project, (await client.GetCodebaseAsync()).Dependencies);
        var performance = await rules.AnalyzePerformanceAsync(project, await client.GetProjectHealthAsync(project, 30));
        Assert.NotNull(failure);
        Assert.NotNull(audit);
        Assert.NotNull(performance);
        const double Threshold = 0.75;
        // Each analysis has recommendations on both sides of the threshold, so the test shows the cut.
        foreach (var analysis in new[] { failure, audit, performance })
        {
            Assert.Contains(analysis.Recommendations, r => r.Confidence >= Threshold);
            Assert.Contains(analysis.Recommendations, r => r.Confidence < Threshold);
        }

        var agent = new LearningAgent(client, rules, new AgentOptions
        {
            RecommendationThreshold = Threshold,
            ProjectReports = [new ScheduledReport(ReportTypes.DependencyAudit, TimeSpan.Zero), new ScheduledReport(ReportTypes.PerformanceAnalysis, TimeSpan.Zero)],
        });
        Assert.Equal(3, await agent.RunOnceAsync());

        static string[] Kept(AgentAnalysis analysis) => [.. analysis.Recommendations.Where(r => r.Confidence >= Threshold).Select(r => r.Text)];
        Assert.Equal(Kept(failure), Assert.Single(await server.Store.ListReportsAsync(failed)).Recommendations);
        Assert.Equal(Kept(audit), (await server.Store.ListReportsAsync(new Core.Reports.ReportQuery(ReportType.DependencyAudit))).Reports[0].Recommendations);
        Assert.Equal(Kept(performance), (await server.Store.ListReportsAsync(new Core.Reports.ReportQuery(ReportType.PerformanceAnalysis))).Reports[0].Recommendations);
    }

    [Fact]
    public async Task AgentOnce_WithAnthropic_WritesTheDependencyAuditFromTheModelsAnswer()
    {
        var (server, workspace, project) = await ProjectAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeLlmServer.StartAsync("""
            {"analysis": "request is deprecated and react is declared twice", "root_cause": "no central version policy", "category": "outdated_dependency",
             "affected_files": ["web/package.json"], "recommendations": [{"text": "replace request with fetch", "confidence": 0.9}, {"text": "audit everything", "confidence": 0.3}],
             "confidence": 0.8}
            """);

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(), "--reports", "dependency_audit",
            "--llm-provider", "anthropic", "--llm-endpoint", llm.AnthropicEndpoint, "--llm-model", "claude-test");

        Assert.True(exitCode == 0, output);
        var prompt = Assert.Single(llm.Requests).Prompt;
        Assert.Contains($"The dependencies declared by project {project}", prompt, StringComparison.Ordinal);
        Assert.Contains("- npm react ^18.2.0 [runtime] in web/package.json", prompt, StringComparison.Ordinal);
        Assert.Contains("- nuget System.Data.SqlClient 4.8.6 [runtime] in Shop.csproj", prompt, StringComparison.Ordinal);
        Assert.Contains("Mechanical checks (no registry access) already found:", prompt, StringComparison.Ordinal);
        var audit = Assert.Single((await server.Store.ListReportsAsync(new Core.Reports.ReportQuery(ReportType.DependencyAudit, Project: project))).Reports);
        Assert.Equal("request is deprecated and react is declared twice", audit.Analysis);
        Assert.Equal(["replace request with fetch"], audit.Recommendations);
        Assert.Equal("outdated_dependency", audit.Details.Category);
        Assert.Equal("no central version policy", audit.Details.RootCause);
        Assert.Equal("claude-test", audit.Details.Model);
        Assert.Equal("web/package.json", Assert.Single(audit.Details.AffectedFiles).Path);
    }
}
