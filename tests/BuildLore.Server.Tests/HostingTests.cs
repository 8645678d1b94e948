using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>Start-up, configuration, persistence across restarts, and the documents the server serves.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Health_Returns200WithTheStore()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var health = await server.GetJsonAsync("health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("sqlite", health.GetProperty("store").GetString());
    }

    [Fact]
    public async Task DefaultDataFolder_IsCreatedUnderTheWorkspaceWithASqliteFileInWalMode()
    {
        using var workspace = new TempDirectory();
        await using (var server = await TestServer.StartAsync(workspace.Path))
        {
            await server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
            Assert.True(File.Exists(workspace.Combine(".buildlore", "buildlore.db")));
            Assert.True(File.Exists(workspace.Combine(".buildlore", "buildlore.db-wal")));
        }
    }

    [Fact]
    public async Task Restart_KeepsBuildsLogsAndReports()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo persisted output" } } }""");
        string id;
        long reportId;
        await using (var first = await TestServer.StartAsync(workspace.Path))
        {
            id = await first.RunBuildAsync();
            await first.WaitForBuildAsync(id);
            var (_, stored) = await first.SendJsonAsync(HttpMethod.Post, "llm/learning/report",
                $$"""{"build_id":"{{id}}","type":"failure_analysis","analysis":"kept","recommendations":["r"],"confidence":0.9}""");
            reportId = stored.GetProperty("report_id").GetInt64();
        }

        await using var second = await TestServer.StartAsync(workspace.Path);
        var build = (await second.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");

        Assert.Equal("success", build.GetProperty("status").GetString());
        Assert.Equal("persisted output\n", build.GetProperty("log").GetString());
        Assert.Equal(reportId, build.GetProperty("llm_reports")[0].GetProperty("id").GetInt64());
        Assert.Equal(1, (await second.GetJsonAsync("llm/learning/builds")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Restart_MarksBuildsAnEarlierProcessLeftRunningAsInterrupted()
    {
        using var workspace = new TempDirectory();
        string id;
        await using (var first = await TestServer.StartAsync(workspace.Path))
        {
            // As if the process died mid-build: running in the store, with part of its log.
            var build = await first.Store.CreateBuildAsync(new NewBuild("demo", "runner"));
            await first.Store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow);
            await first.Store.AppendLogAsync(build.Id, "half of the output\n");
            id = build.Id;
        }

        await using var second = await TestServer.StartAsync(workspace.Path);
        var detail = (await second.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");

        Assert.Equal("error", detail.GetProperty("status").GetString());
        Assert.Equal("interrupted", detail.GetProperty("reason").GetString());
        Assert.Equal("half of the output\n", detail.GetProperty("log").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Restart_AnalyzesTheBuildsItMarkedInterrupted_SoTheyHaveDiagnosticsCategoryAndFingerprints(string provider)
    {
        using var workspace = new TempDirectory();
        var settings = provider == "postgres"
            ? new Dictionary<string, string?> { ["BuildLore:Store:ConnectionString"] = await PostgresServer.Shared.CreateDatabaseAsync() }
            : null;
        string id;
        await using (var first = await TestServer.StartAsync(workspace.Path, settings: settings))
        {
            var build = await first.Store.CreateBuildAsync(new NewBuild("demo", "runner"));
            await first.Store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow);
            await first.Store.AppendLogAsync(build.Id, "compiling\nsrc/cart.c:12:5: error: 'total' undeclared (first use in this function)\n");
            id = build.Id;
        }

        await using var second = await TestServer.StartAsync(workspace.Path, settings: settings);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        Build? stored;
        while ((stored = await second.Store.GetBuildAsync(id))!.Analysis is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the interrupted build's analysis was never stored");
            await Task.Delay(100);
        }

        Assert.Equal("interrupted", stored.Reason);
        Assert.Equal("infrastructure", stored.Category); // the server stopped, whatever the log says
        Assert.Equal(1, stored.Summary!.ErrorCount);
        Assert.Equal("src/cart.c", Assert.Single(stored.Analysis.Diagnostics).File);
        Assert.Single(await second.Store.ListErrorFingerprintsAsync(id));
        var listed = Assert.Single((await second.GetJsonAsync("llm/learning/builds?log=none")).GetProperty("builds").EnumerateArray());
        Assert.Equal("infrastructure", listed.GetProperty("category").GetString());
    }

    [Fact]
    public async Task PostgresStore_RunsTheSeedFlowAndSurvivesRestart()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo on postgres; echo error: boom 1>&2; exit 1" } } }""");
        var settings = new Dictionary<string, string?>
        {
            ["BuildLore:Store:ConnectionString"] = await PostgresServer.Shared.CreateDatabaseAsync(),
        };
        string id;
        await using (var first = await TestServer.StartAsync(workspace.Path, settings: settings))
        {
            Assert.Equal("postgres", (await first.GetJsonAsync("health")).GetProperty("store").GetString());
            id = await first.RunBuildAsync();
            var build = await first.WaitForBuildAsync(id);
            Assert.Equal("failed", build.GetProperty("status").GetString());
            var (status, _) = await first.SendJsonAsync(HttpMethod.Post, "llm/learning/report",
                $$"""{"build_id":"{{id}}","type":"failure_analysis","analysis":"boom","recommendations":[],"confidence":0.7}""");
            Assert.Equal(200, status);
        }

        await using var second = await TestServer.StartAsync(workspace.Path, settings: settings);
        var detail = (await second.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("on postgres\nerror: boom\n", detail.GetProperty("log").GetString());
        Assert.Equal(1, detail.GetProperty("log_summary").GetProperty("error_count").GetInt32());
        Assert.Single(detail.GetProperty("llm_reports").EnumerateArray());
        Assert.False(Directory.Exists(workspace.Combine(".buildlore")), "a PostgreSQL server must not create the SQLite data folder");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheSeedRoutes()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var document = await server.GetJsonAsync("openapi/v1.json");
        var paths = document.GetProperty("paths");

        foreach (var route in new[] { "/llm/learning/builds", "/llm/learning/build/{id}", "/llm/learning/codebase", "/llm/learning/report", "/build/run", "/health" })
        {
            Assert.True(paths.TryGetProperty(route, out _), $"{route} missing from the OpenAPI document");
        }
    }

    [Fact]
    public async Task ReferencePage_IsServedWithoutExternalScripts()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var html = await server.Http.GetStringAsync("docs/");

        Assert.Contains("BuildLore API", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        using var script = await server.Http.GetAsync("docs/scalar.js");
        Assert.True(script.IsSuccessStatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Json()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, body) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/nothing-here");

        Assert.Equal(404, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
    }
}
