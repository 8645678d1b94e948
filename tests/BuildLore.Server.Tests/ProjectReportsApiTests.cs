using System.Text.Json;
using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>Reports about a project (no build), the structured fields beyond the seed, and listing them.</summary>
public sealed class ProjectReportsApiTests
{
    private static async Task<(int Status, JsonElement Body)> SubmitAsync(TestServer server, object body) =>
        await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", JsonSerializer.Serialize(body));

    private static async Task<JsonElement> ReportAsync(TestServer server, long id) =>
        (await server.GetJsonAsync($"llm/learning/report/{id}")).GetProperty("report");

    [Theory]
    [InlineData("code_improvement")]
    [InlineData("test_coverage")]
    [InlineData("dependency_audit")]
    [InlineData("performance_analysis")]
    public async Task ProjectLevelReport_WithoutABuild_AttachesToTheServersProject(string type)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, body) = await SubmitAsync(server, new { type, analysis = "Two packages float.", recommendations = new[] { "Pin them" }, confidence = 0.8 });

        Assert.Equal(200, status);
        var report = await ReportAsync(server, body.GetProperty("report_id").GetInt64());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("build_id").ValueKind);
        Assert.Equal(Path.GetFileName(workspace.Path), report.GetProperty("project").GetString());
        Assert.Equal(type, report.GetProperty("type").GetString());
    }

    [Fact]
    public async Task FailureAnalysis_WithoutABuild_IsRefusedNamingBuildId()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await SubmitAsync(server, new { type = "failure_analysis", project = "shop", analysis = "a", confidence = 0.5 });

        Assert.Equal(400, status);
        Assert.Equal("build_id", error.GetProperty("field").GetString());
        Assert.Contains("dependency_audit", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.GetJsonAsync("llm/learning/reports")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task StructuredFields_AreStoredAndReturned_AndTheSubmitterIsNullWithoutAuthentication()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var build = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci"));

        var (status, body) = await SubmitAsync(server, new Dictionary<string, object>
        {
            ["build_id"] = build.Id,
            ["type"] = "failure_analysis",
            ["analysis"] = "total is used before it is declared",
            ["recommendations"] = new[] { "declare total" },
            ["confidence"] = 0.9,
            ["root_cause"] = "a missing declaration",
            ["affected_files"] = new object[] { new { path = "src/cart.c", line = 12 }, new { path = "src/cart.h", lines = new[] { 30, 4, 30 } }, "Makefile" },
            ["category"] = "compile_error",
            ["model"] = "claude-sonnet-test",
            ["tokens_used"] = new { input = 1500, output = 220 },
            ["project"] = "shop",
        });

        Assert.Equal(200, status);
        var report = await ReportAsync(server, body.GetProperty("report_id").GetInt64());
        Assert.Equal("shop", report.GetProperty("project").GetString());
        Assert.Equal("a missing declaration", report.GetProperty("root_cause").GetString());
        var files = report.GetProperty("affected_files");
        Assert.Equal(["src/cart.c", "src/cart.h", "Makefile"], files.EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal([12], files[0].GetProperty("lines").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal([4, 30], files[1].GetProperty("lines").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(0, files[2].GetProperty("lines").GetArrayLength());
        Assert.Equal("compile_error", report.GetProperty("category").GetString());
        Assert.Equal("claude-sonnet-test", report.GetProperty("model").GetString());
        Assert.Equal(1500, report.GetProperty("tokens_used").GetProperty("input").GetInt64());
        Assert.Equal(220, report.GetProperty("tokens_used").GetProperty("output").GetInt64());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("submitted_by").ValueKind);
        // The build's detail shows the same report.
        var shown = (await server.GetJsonAsync($"llm/learning/build/{build.Id}?log=none")).GetProperty("build").GetProperty("llm_reports")[0];
        Assert.Equal("a missing declaration", shown.GetProperty("root_cause").GetString());
    }

    [Fact]
    public async Task SeedBody_StillWorksExactly_AndGetsEmptyStructuredFields()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var build = await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));

        using var response = await server.Http.PostAsync("llm/learning/report", new StringContent(
            $$"""{"build_id":"{{build.Id}}","type":"failure_analysis","analysis":"Detailed findings","recommendations":["Fix X","Update Y"],"confidence":0.85}"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        var stored = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["message", "report_id", "status"], stored.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var report = await ReportAsync(server, stored.GetProperty("report_id").GetInt64());
        Assert.Equal("demo", report.GetProperty("project").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("root_cause").ValueKind);
        Assert.Equal(0, report.GetProperty("affected_files").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("tokens_used").ValueKind);
    }

    public static TheoryData<string, string> BadStructuredFields => new()
    {
        { """ "root_cause": 42 """, "root_cause" },
        { """ "root_cause": "  " """, "root_cause" },
        { """ "project": ["a"] """, "project" },
        { """ "project": "OTHER" """, "project" },
        { """ "model": {} """, "model" },
        { """ "category": "not a label" """, "category" },
        { """ "category": "dependency_drift" """, "category" }, // not a failure category
        { """ "affected_files": "src/a.c" """, "affected_files" },
        { """ "affected_files": [{"line": 3}] """, "affected_files" },
        { """ "affected_files": [{"path": "a.c", "line": 0}] """, "affected_files" },
        { """ "affected_files": [{"path": "a.c", "lines": [1, "2"]}] """, "affected_files" },
        { """ "tokens_used": 1200 """, "tokens_used" },
        { """ "tokens_used": {"input": -1} """, "tokens_used" },
        { """ "tokens_used": {"output": 1.5} """, "tokens_used" },
    };

    [Theory]
    [MemberData(nameof(BadStructuredFields))]
    public async Task StructuredFields_BadValues_Return400NamingTheFieldAndWhatIsAllowed(string field, string expected)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var build = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci"));

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report",
            $$"""{"build_id":"{{build.Id}}","type":"failure_analysis","analysis":"a","confidence":0.5,{{field}}}""");

        Assert.Equal(400, status);
        Assert.Equal(expected, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("allowed").GetString()));
        Assert.Equal(0, (await server.GetJsonAsync("llm/learning/reports")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ReportsList_FiltersProjectLevelReportsByTypeProjectConfidenceAndSince_AndPages()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var build = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci"));
        var (_, failure) = await SubmitAsync(server, new { build_id = build.Id, type = "failure_analysis", analysis = "f", confidence = 0.9 });
        var audits = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            var (_, submitted) = await SubmitAsync(server, new { type = "dependency_audit", project = "shop", analysis = $"audit {i}", confidence = 0.5 + 0.1 * i });
            audits.Add(submitted.GetProperty("report_id").GetInt64());
        }

        await SubmitAsync(server, new { type = "performance_analysis", project = "billing", analysis = "p", confidence = 0.99 });

        static long[] Ids(JsonElement page) => [.. page.GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("id").GetInt64())];
        var shop = await server.GetJsonAsync("llm/learning/reports?project=shop&limit=2&skip=1");
        var audit = await server.GetJsonAsync("llm/learning/reports?type=dependency_audit&min_confidence=0.65");
        var ofBuild = await server.GetJsonAsync($"llm/learning/reports?build_id={build.Id}");
        var tomorrow = await server.GetJsonAsync($"llm/learning/reports?since={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}");

        Assert.Equal(5, shop.GetProperty("total").GetInt32());
        Assert.Equal([audits[2], audits[1]], Ids(shop));
        Assert.Equal([audits[3], audits[2]], Ids(audit));
        Assert.Equal([failure.GetProperty("report_id").GetInt64()], Ids(ofBuild));
        Assert.Equal(0, tomorrow.GetProperty("total").GetInt32());
    }
}
