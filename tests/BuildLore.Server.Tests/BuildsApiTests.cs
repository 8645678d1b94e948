using System.Text;
using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/builds and /llm/learning/build/{id}, field by field as the seed writes them.</summary>
public sealed class BuildsApiTests
{
    private static async Task<string> SeedBuildAsync(TestServer server, string status, string log)
    {
        var build = await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
        await server.Store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow);
        // Several chunks, as the runner writes them.
        for (var i = 0; i < log.Length; i += 10_000)
        {
            await server.Store.AppendLogAsync(build.Id, log.Substring(i, Math.Min(10_000, log.Length - i)));
        }

        await server.Store.FinishBuildAsync(build.Id, new BuildCompletion(status, status == "success" ? 0 : 1, null, Summaries.Of(log), DateTimeOffset.UtcNow));
        return build.Id;
    }

    [Fact]
    public async Task ListBuilds_Empty_HasTheSeedEnvelope()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var page = await server.GetJsonAsync("llm/learning/builds?session_id=anything");

        Assert.Equal("ok", page.GetProperty("status").GetString());
        Assert.Equal(0, page.GetProperty("builds").GetArrayLength());
        Assert.Equal(0, page.GetProperty("total").GetInt32());
        Assert.Equal(0, page.GetProperty("skip").GetInt32());
        Assert.Equal(20, page.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task ListBuilds_NewestFirst_StablePagesWithoutRepeatsOrGaps()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add(await SeedBuildAsync(server, i % 3 == 0 ? "failed" : "success", $"build {i}\n"));
        }

        var seen = new List<string>();
        for (var skip = 0; skip < 30; skip += 7)
        {
            var page = await server.GetJsonAsync($"llm/learning/builds?limit=7&skip={skip}");
            Assert.Equal(25, page.GetProperty("total").GetInt32());
            Assert.Equal(7, page.GetProperty("limit").GetInt32());
            Assert.Equal(skip, page.GetProperty("skip").GetInt32());
            seen.AddRange(page.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("id").GetString()!));
        }

        ids.Reverse();
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task ListBuilds_EachBuildHasIdStatusAndLog()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await SeedBuildAsync(server, "failed", "compiling\nerror CS1002: ; expected\n");

        var build = (await server.GetJsonAsync("llm/learning/builds")).GetProperty("builds")[0];

        Assert.Equal(id, build.GetProperty("id").GetString());
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal("compiling\nerror CS1002: ; expected\n", build.GetProperty("log").GetString());
        Assert.False(build.GetProperty("log_truncated").GetBoolean());
    }

    [Fact]
    public async Task ListBuilds_LargeLog_ReturnsItsLast64KiBUnlessFullIsAsked()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = new StringBuilder();
        for (var i = 0; log.Length < 300_000; i++)
        {
            log.Append("line ").Append(i).Append(" of a long build\n");
        }

        log.Append("error: the very last line\n");
        await SeedBuildAsync(server, "failed", log.ToString());

        var tail = (await server.GetJsonAsync("llm/learning/builds")).GetProperty("builds")[0];
        var tailText = tail.GetProperty("log").GetString()!;
        Assert.True(tail.GetProperty("log_truncated").GetBoolean());
        Assert.True(tailText.Length <= 64 * 1024);
        Assert.True(tailText.Length > 60 * 1024);
        Assert.EndsWith("error: the very last line\n", tailText, StringComparison.Ordinal);
        Assert.StartsWith("line ", tailText, StringComparison.Ordinal);
        Assert.Equal(log.Length, tail.GetProperty("log_chars").GetInt64());

        var full = (await server.GetJsonAsync("llm/learning/builds?log=full")).GetProperty("builds")[0];
        Assert.Equal(log.ToString(), full.GetProperty("log").GetString());
        Assert.False(full.GetProperty("log_truncated").GetBoolean());

        var none = (await server.GetJsonAsync("llm/learning/builds?log=none")).GetProperty("builds")[0];
        Assert.False(none.TryGetProperty("log", out _));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("skip=-1", "skip")]
    [InlineData("skip=x", "skip")]
    [InlineData("log=some", "log")]
    public async Task ListBuilds_BadQuery_Returns400NamingTheField(string query, string field)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, body) = await server.SendJsonAsync(HttpMethod.Get, $"llm/learning/builds?{query}");

        Assert.Equal(400, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("allowed").GetString()));
    }

    [Fact]
    public async Task GetBuild_HasLogSummaryAndReports()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        const string log = "Build started\nsrc/a.c:3:5: error: 'x' undeclared\nsrc/a.c:9:1: warning: unused variable 'y'\n    0 Warning(s)\n    1 Error(s)\n";
        var id = await SeedBuildAsync(server, "failed", log);

        var body = await server.GetJsonAsync($"llm/learning/build/{id}?session_id=s-1");

        Assert.Equal("ok", body.GetProperty("status").GetString());
        var build = body.GetProperty("build");
        Assert.Equal(id, build.GetProperty("id").GetString());
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(log, build.GetProperty("log").GetString());
        var summary = build.GetProperty("log_summary");
        Assert.Equal(5, summary.GetProperty("total_lines").GetInt32());
        Assert.Equal(1, summary.GetProperty("error_count").GetInt32());
        Assert.Equal(1, summary.GetProperty("warning_count").GetInt32());
        Assert.Equal("src/a.c:3:5: error: 'x' undeclared", summary.GetProperty("errors")[0].GetString());
        Assert.Equal("src/a.c:9:1: warning: unused variable 'y'", summary.GetProperty("warnings")[0].GetString());
        Assert.Equal(0, build.GetProperty("llm_reports").GetArrayLength());
    }

    [Fact]
    public async Task GetBuild_StreamsAMultiMegabyteLogWhole()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = new StringBuilder();
        for (var i = 0; log.Length < 5_000_000; i++)
        {
            log.Append("step ").Append(i).Append(" \"quoted\" \\ tab\t ünïcødé ✓\n");
        }

        var id = await SeedBuildAsync(server, "success", log.ToString());

        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");

        Assert.Equal(log.ToString(), build.GetProperty("log").GetString());
        Assert.False(build.GetProperty("log_truncated").GetBoolean());
    }

    [Fact]
    public async Task GetBuild_LogTailAndNone()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await SeedBuildAsync(server, "success", new string('x', 100) + "\n" + new string('y', 70_000) + "\n");

        var tail = (await server.GetJsonAsync($"llm/learning/build/{id}?log=tail")).GetProperty("build");
        Assert.True(tail.GetProperty("log_truncated").GetBoolean());
        Assert.True(tail.GetProperty("log").GetString()!.Length <= 64 * 1024);

        var none = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");
        Assert.False(none.TryGetProperty("log", out _));
        Assert.Equal(2, none.GetProperty("log_summary").GetProperty("total_lines").GetInt32());
    }

    [Fact]
    public async Task GetBuild_UnknownId_Returns404WithJsonError()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, body) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/build/does-not-exist");

        Assert.Equal(404, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Contains("does-not-exist", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListBuilds_ProjectBranchAndStatusFilters_NarrowThePageAndItsTotal()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var created = new List<(string Id, string Project, string Branch, string Status)>();
        foreach (var (project, branch, status) in new[] { ("shop", "main", "failed"), ("shop", "dev", "success"), ("api", "main", "failed"), ("shop", "main", "success"), ("shop", "main", "failed") })
        {
            var (_, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"{{project}}","branch":"{{branch}}"}""");
            var id = body.GetProperty("build_id").GetString()!;
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", $$"""{"status":"{{status}}"}""");
            created.Add((id, project, branch, status));
        }

        var page = await server.GetJsonAsync("llm/learning/builds?project=shop&branch=main&status=failed&log=none&limit=1");
        var all = await server.GetJsonAsync("llm/learning/builds?log=none");

        var expected = created.Where(b => b is { Project: "shop", Branch: "main", Status: "failed" }).Select(b => b.Id).Reverse().ToList();
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(expected[0], Assert.Single(page.GetProperty("builds").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(1, page.GetProperty("limit").GetInt32());
        Assert.Equal(5, all.GetProperty("total").GetInt32());
        // The seed's envelope, nothing more.
        Assert.Equal(["status", "builds", "total", "skip", "limit"], page.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task ListBuilds_UnknownStatus_IsRefusedWithTheStatusesAllowed()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/builds?status=broken");

        Assert.Equal(400, status);
        Assert.Equal("status", error.GetProperty("field").GetString());
        Assert.Contains("timeout", error.GetProperty("allowed").GetString(), StringComparison.Ordinal);
    }
}
