using System.Text.Json;
using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>POST /llm/learning/report: the seed's body, its alias, and every kind of bad input.</summary>
public sealed class ReportsApiTests
{
    private static async Task<(TestServer Server, TempDirectory Workspace, string BuildId)> StartWithBuildAsync()
    {
        var workspace = new TempDirectory();
        var server = await TestServer.StartAsync(workspace.Path);
        var build = await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
        return (server, workspace, build.Id);
    }

    private static string Body(string buildId, string type = "failure_analysis", string confidence = "0.85", string analysis = "\"Detailed findings\"") =>
        $$"""{"build_id":"{{buildId}}","type":"{{type}}","analysis":{{analysis}},"recommendations":["Fix X","Update Y"],"confidence":{{confidence}}}""";

    [Fact]
    public async Task SubmitReport_SeedBody_IsStoredAndShownWithTheBuild()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", Body(id));

        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("report stored", body.GetProperty("message").GetString());
        var reportId = body.GetProperty("report_id").GetInt64();

        var reports = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("llm_reports");
        var report = Assert.Single(reports.EnumerateArray());
        Assert.Equal(reportId, report.GetProperty("id").GetInt64());
        Assert.Equal("failure_analysis", report.GetProperty("type").GetString());
        Assert.Equal("Detailed findings", report.GetProperty("analysis").GetString());
        Assert.Equal(["Fix X", "Update Y"], report.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(0.85, report.GetProperty("confidence").GetDouble());
    }

    [Theory]
    [InlineData("failure_analysis")]
    [InlineData("code_improvement")]
    [InlineData("test_coverage")]
    [InlineData("dependency_audit")]
    [InlineData("performance_analysis")]
    public async Task SubmitReport_AcceptsEverySeedTypeAlsoAsReportType(string type)
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        var (typeStatus, _) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", Body(id, type));
        var aliasBody = JsonSerializer.Serialize(new Dictionary<string, object> { ["build_id"] = id, ["report_type"] = type, ["analysis"] = "a", ["recommendations"] = Array.Empty<string>(), ["confidence"] = 0.5 });
        var (aliasStatus, aliasResult) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", aliasBody);

        Assert.Equal(200, typeStatus);
        Assert.Equal(200, aliasStatus);
        var reports = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build").GetProperty("llm_reports");
        Assert.Equal(2, reports.GetArrayLength());
        Assert.All(reports.EnumerateArray(), r => Assert.Equal(type, r.GetProperty("type").GetString()));
        Assert.True(aliasResult.GetProperty("report_id").GetInt64() > 0);
    }

    [Fact]
    public async Task SubmitReport_WithoutJsonContentType_IsStillParsed()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        // What `curl -d '{...}'` sends.
        var (status, _) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", Body(id), "application/x-www-form-urlencoded");

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task SubmitReport_RecordsTheSessionId()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report?session_id=oauth-session-id-123", Body(id));

        var report = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("llm_reports")[0];
        Assert.Equal("oauth-session-id-123", report.GetProperty("session_id").GetString());
    }

    public static TheoryData<string, int, string> BadBodies => new()
    {
        { """{"build_id":"BUILD","type":"root_cause","analysis":"a","confidence":0.5}""", 400, "type" },
        { """{"build_id":"BUILD","analysis":"a","confidence":0.5}""", 400, "type" },
        { """{"build_id":"BUILD","type":"failure_analysis","report_type":"test_coverage","analysis":"a","confidence":0.5}""", 400, "type" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a","confidence":1.5}""", 400, "confidence" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a","confidence":-0.1}""", 400, "confidence" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a","confidence":"high"}""", 400, "confidence" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a"}""", 400, "confidence" },
        { """{"build_id":"BUILD","type":"failure_analysis","confidence":0.5}""", 400, "analysis" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"   ","confidence":0.5}""", 400, "analysis" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a","recommendations":"do it","confidence":0.5}""", 400, "recommendations" },
        { """{"build_id":"BUILD","type":"failure_analysis","analysis":"a","recommendations":[1,2],"confidence":0.5}""", 400, "recommendations" },
        { """{"type":"failure_analysis","analysis":"a","confidence":0.5}""", 400, "build_id" },
        { """{"build_id":"no-such-build","type":"failure_analysis","analysis":"a","confidence":0.5}""", 404, "build_id" },
        { """not json at all""", 400, "body" },
        { """["a","b"]""", 400, "body" },
        { "", 400, "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task SubmitReport_BadInput_Returns4xxNamingTheFieldAndStoresNothing(string body, int expectedStatus, string field)
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", body.Replace("BUILD", id, StringComparison.Ordinal));

        Assert.Equal(expectedStatus, status);
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        var reports = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build").GetProperty("llm_reports");
        Assert.Equal(0, reports.GetArrayLength());
    }

    [Fact]
    public async Task SubmitReport_UnknownType_ListsTheAllowedTypes()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        var (_, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", Body(id, "vibes"));

        var allowed = error.GetProperty("allowed").GetString()!;
        foreach (var type in new[] { "failure_analysis", "code_improvement", "test_coverage", "dependency_audit", "performance_analysis" })
        {
            Assert.Contains(type, allowed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SubmitReport_TooLargeBody_Returns413()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        var huge = JsonSerializer.Serialize(new string('a', 2 * 1024 * 1024));

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", Body(id, analysis: huge));

        Assert.Equal(413, status);
        Assert.Equal("body", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task SubmitReport_SameIdempotencyKeyWithAnotherReport_IsRefusedWithTheFirstReportsId()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        async Task<HttpResponseMessage> SubmitAsync(string analysis)
        {
            var body = $$"""{"build_id":"{{id}}","type":"failure_analysis","analysis":"{{analysis}}","recommendations":[],"confidence":0.8}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, "llm/learning/report") { Content = new StringContent(body) };
            request.Headers.Add("Idempotency-Key", "agent-1/build");
            return await server.Http.SendAsync(request);
        }

        using var first = await SubmitAsync("Missing import");
        using var other = await SubmitAsync("Something else entirely");

        Assert.True(first.IsSuccessStatusCode);
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var error = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Idempotency-Key", error.GetProperty("field").GetString());
        Assert.Contains("another report", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitReport_SameIdempotencyKeyAtOnce_AllGetTheOneStoredReport()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "llm/learning/report") { Content = new StringContent(Body(id)) };
            request.Headers.Add("Idempotency-Key", "race");
            using var response = await server.Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("report_id").GetInt64();
        }));

        Assert.Single(ids.Distinct());
        var reports = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build").GetProperty("llm_reports");
        Assert.Equal(1, reports.GetArrayLength());
    }

    [Fact]
    public async Task SubmitReport_WithTheSameIdempotencyKey_IsStoredOnce()
    {
        var (server, workspace, id) = await StartWithBuildAsync();
        await using var _ = server;
        using var __ = workspace;

        async Task<long> SubmitAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "llm/learning/report") { Content = new StringContent(Body(id)) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await server.Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("report_id").GetInt64();
        }

        var first = await SubmitAsync("retry-1");
        var retried = await SubmitAsync("retry-1");
        var other = await SubmitAsync("retry-2");

        Assert.Equal(first, retried);
        Assert.NotEqual(first, other);
        var reports = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build").GetProperty("llm_reports");
        Assert.Equal(2, reports.GetArrayLength());
    }
}
