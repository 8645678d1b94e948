using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>The quick-start's Examples 1–3 as commands, end to end against a real server.</summary>
public sealed class ExampleCommandTests
{
    [Fact]
    public async Task Classify_MissingNamespace_IsReportedAsMissingDependency()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await DemoCommandTests.SeedAsync(server, "failed",
            "Program.cs(1,7): error CS0246: The type or namespace name 'Newtonsoft' could not be found (are you missing a using directive or an assembly reference?)\n");

        var (exitCode, output) = await CliRunner.RunAsync("example", "classify", id, "--server", server.BaseAddress.ToString());

        Assert.True(exitCode == 0, output);
        Assert.Contains("Missing Dependency", output, StringComparison.Ordinal);
        var report = Assert.Single(await server.Store.ListReportsAsync(id));
        Assert.Equal("failure_analysis", report.Type);
        Assert.StartsWith("Classified as: Missing Dependency", report.Analysis, StringComparison.Ordinal);
        Assert.Equal(0.75, report.Confidence);
    }

    [Fact]
    public async Task Classify_WithoutId_ClassifiesEachUnreportedFailure()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var test = await DemoCommandTests.SeedAsync(server, "failed", "FAILED tests/test_api.py::test_login - AssertionError: 401 != 200\n");
        var timeout = await DemoCommandTests.SeedAsync(server, "timeout", "waiting for the database\n");
        var green = await DemoCommandTests.SeedAsync(server, "success", "all good\n");

        var (exitCode, output) = await CliRunner.RunAsync("example", "classify", "--server", server.BaseAddress.ToString());

        Assert.True(exitCode == 0, output);
        Assert.StartsWith("Classified as: Test Failure", Assert.Single(await server.Store.ListReportsAsync(test)).Analysis, StringComparison.Ordinal);
        Assert.StartsWith("Classified as: Timeout", Assert.Single(await server.Store.ListReportsAsync(timeout)).Analysis, StringComparison.Ordinal);
        Assert.Empty(await server.Store.ListReportsAsync(green));
    }

    [Fact]
    public async Task Health_ScoresSuccessRateAndTests()
    {
        using var workspace = new TempDirectory();
        workspace.Write("tests/test_app.py", "def test_ok():\n    assert True\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        await DemoCommandTests.SeedAsync(server, "success", "ok\n");
        await DemoCommandTests.SeedAsync(server, "success", "ok\n");
        await DemoCommandTests.SeedAsync(server, "success", "ok\n");
        await DemoCommandTests.SeedAsync(server, "failed", "error: no\n");

        var (exitCode, output) = await CliRunner.RunAsync("example", "health", "--json", "--server", server.BaseAddress.ToString());

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        // 3 of 4 succeeded: 0.75 × 0.8 + 0.2 for having tests.
        Assert.Equal(80.0, json.RootElement.GetProperty("health_score").GetDouble());
        Assert.Equal(75.0, json.RootElement.GetProperty("success_rate").GetDouble());
        Assert.Equal(4, json.RootElement.GetProperty("total_builds").GetInt32());
        Assert.True(json.RootElement.GetProperty("has_tests").GetBoolean());
    }

    [Fact]
    public async Task Learn_Once_ReportsEachFailedBuildExactlyOnceAcrossRuns()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var failures = new[]
        {
            await DemoCommandTests.SeedAsync(server, "failed", "src/a.c:3:5: error: 'x' undeclared (first use in this function)\n"),
            await DemoCommandTests.SeedAsync(server, "error", "ModuleNotFoundError: No module named 'requests'\nerror: build step failed\n"),
        };
        var green = await DemoCommandTests.SeedAsync(server, "success", "fine\n");

        var (first, firstOutput) = await CliRunner.RunAsync("example", "learn", "--once", "--server", server.BaseAddress.ToString());
        var (second, secondOutput) = await CliRunner.RunAsync("example", "learn", "--once", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, first);
        Assert.Contains("Submitted 2 report(s).", firstOutput, StringComparison.Ordinal);
        Assert.Equal(0, second);
        Assert.Contains("Submitted 0 report(s).", secondOutput, StringComparison.Ordinal);
        foreach (var id in failures)
        {
            Assert.Single(await server.Store.ListReportsAsync(id));
        }

        Assert.Empty(await server.Store.ListReportsAsync(green));
    }
}
