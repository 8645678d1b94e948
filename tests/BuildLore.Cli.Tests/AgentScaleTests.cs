using System.Diagnostics;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Reports;
using BuildLore.Tests;
using Xunit.Abstractions;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore agent --once</c> over a thousand finished builds: each analyzed exactly once, by one agent or two at once.</summary>
public sealed class AgentScaleTests(ITestOutputHelper output)
{
    private const int Builds = 1000;

    /// <summary>A server holding <see cref="Builds"/> failed builds (one recurring failure, as in a broken main branch), written straight to its store.</summary>
    private static async Task<(TestServer Server, TempDirectory Workspace)> ServerWithFailedBuildsAsync()
    {
        var workspace = new TempDirectory();
        var server = await TestServer.StartAsync(workspace.Path);
        var analysis = LogAnalyzer.Analyze("src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n", succeeded: false);
        await Parallel.ForAsync(0, Builds, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, cancellationToken) =>
        {
            var build = await server.Store.CreateBuildAsync(new NewBuild("shop", "ci", Branch: "main"), cancellationToken);
            await server.Store.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Failed, 1, null, analysis.ToLogSummary(), DateTimeOffset.UtcNow) { Analysis = analysis }, cancellationToken);
        });
        return (server, workspace);
    }

    /// <summary>How many failure analyses each build has, read back from the store page by page.</summary>
    private static async Task<Dictionary<string, int>> ReportsPerBuildAsync(TestServer server)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var skip = 0; ; skip += 200)
        {
            var (page, _) = await server.Store.ListReportsAsync(new ReportQuery(ReportType.FailureAnalysis, Skip: skip, Limit: 200));
            foreach (var report in page)
            {
                counts[report.BuildId!] = counts.GetValueOrDefault(report.BuildId!) + 1;
            }

            if (page.Count < 200)
            {
                return counts;
            }
        }
    }

    [Fact]
    public async Task AgentOnce_OverAThousandBuilds_AnalyzesEachExactlyOnce()
    {
        var seeding = Stopwatch.StartNew();
        var (server, workspace) = await ServerWithFailedBuildsAsync();
        await using var _ = server;
        using var __ = workspace;
        output.WriteLine($"Seeded {Builds} failed builds in {seeding.Elapsed.TotalSeconds:0.0} s.");

        var clock = Stopwatch.StartNew();
        var (exitCode, first) = await CliRunner.RunAsync("agent", "--once", "--concurrency", "4", "--server", server.BaseAddress.ToString());
        output.WriteLine($"One agent analyzed them in {clock.Elapsed.TotalSeconds:0.0} s.");
        var (_, again) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.Contains($"Submitted {Builds} report(s).", first, StringComparison.Ordinal);
        Assert.Contains("Submitted 0 report(s).", again, StringComparison.Ordinal);
        var counts = await ReportsPerBuildAsync(server);
        Assert.Equal(Builds, counts.Count);
        Assert.All(counts.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task TwoAgentsOnceAtTheSameTime_OverAThousandBuilds_AnalyzeEachExactlyOnce()
    {
        var (server, workspace) = await ServerWithFailedBuildsAsync();
        await using var _ = server;
        using var __ = workspace;

        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(
            Task.Run(() => CliRunner.RunAsync("agent", "--once", "--concurrency", "4", "--server", server.BaseAddress.ToString())),
            Task.Run(() => CliRunner.RunAsync("agent", "--once", "--concurrency", "4", "--server", server.BaseAddress.ToString())));
        output.WriteLine($"Two agents analyzed them in {clock.Elapsed.TotalSeconds:0.0} s.");

        Assert.All(runs, run => Assert.Equal(0, run.ExitCode));
        var submitted = runs.Select(run => int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"Submitted (\d+) report\(s\)\.").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        output.WriteLine($"Reports per agent: {string.Join(" + ", submitted)}.");
        Assert.Equal(Builds, submitted.Sum());
        Assert.All(submitted, count => Assert.True(count > 0, "both agents took part"));
        var counts = await ReportsPerBuildAsync(server);
        Assert.Equal(Builds, counts.Count);
        Assert.All(counts.Values, count => Assert.Equal(1, count));
    }
}
