using System.Net;
using BuildLore.Agent;
using BuildLore.Client;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>The agent against a real server that is slow to answer, failing, or shared with another agent.</summary>
public sealed class AgentResilienceTests
{
    [Fact]
    public async Task AnAgentWhoseClaimRanOut_DropsItsReport_WhenAnotherAgentTookTheBuild()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await DemoCommandTests.SeedAsync(server, "failed", "src/a.c:1:1: error: expected ';'\n");
        using var slowClient = new LLMClient(server.BaseAddress.ToString());
        using var fastClient = new LLMClient(server.BaseAddress.ToString());
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var slow = new LearningAgent(slowClient, new GatedAnalyzer(started, release.Task), new AgentOptions { ClaimTtl = TimeSpan.FromSeconds(1) });
        var fast = new LearningAgent(fastClient, new RuleBasedAnalyzer());

        // The slow agent claims the build and takes longer than its claim lasts; the other takes it over and reports.
        var slowPass = slow.RunOnceAsync();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var fastSubmitted = await fast.RunOnceAsync();
        release.SetResult();
        var slowSubmitted = await slowPass.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, fastSubmitted);
        Assert.Equal(0, slowSubmitted);
        var report = Assert.Single(await server.Store.ListReportsAsync(id));
        Assert.Equal(RuleBasedAnalyzer.ModelName, report.Details.Model);
    }

    [Fact]
    public async Task AgentOnce_AnalyzesEveryPendingBuild_UnlessAWindowIsGiven()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        for (var i = 0; i < 3; i++)
        {
            await DemoCommandTests.SeedAsync(server, "failed", $"src/f{i}.c:1:1: error: problem {i}\n");
        }

        var (_, windowed) = await CliRunner.RunAsync("agent", "--once", "--window", "2", "--server", server.BaseAddress.ToString());
        var (exitCode, rest) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString());

        Assert.Contains("Submitted 2 report(s).", windowed, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
        Assert.Contains("Submitted 1 report(s).", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunningAgent_BacksOffAndKeepsGoing_WhileTheServerAnswers503()
    {
        // A real HTTP server on loopback that fails every request, as a proxy does while BuildLore restarts.
        using var failing = new HttpListener();
        var port = FreePort.Get();
        failing.Prefixes.Add($"http://127.0.0.1:{port}/");
        failing.Start();
        var requests = 0;
        _ = Task.Run(async () =>
        {
            while (failing.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await failing.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref requests);
                context.Response.StatusCode = 503;
                context.Response.Close();
            }
        });

        using var client = new LLMClient($"http://127.0.0.1:{port}");
        var messages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var agent = new LearningAgent(client, new RuleBasedAnalyzer(), new AgentOptions { Follow = false, Interval = TimeSpan.FromSeconds(30) }, messages.Enqueue);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));

        // It ends only when cancelled: a 503 does not end it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => agent.RunAsync(stop.Token));

        Assert.True(Volatile.Read(ref requests) >= 2, $"{requests} request(s)");
        Assert.Contains(messages, m => m.StartsWith("Server failing", StringComparison.Ordinal) && m.Contains("retrying in", StringComparison.Ordinal));
    }

    /// <summary>Analyzes with the built-in rules, but only once the test lets it.</summary>
    private sealed class GatedAnalyzer(TaskCompletionSource started, Task release) : IBuildAnalyzer
    {
        public async Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await release.WaitAsync(cancellationToken);
            return new AgentAnalysis("slow analysis", [("do the slow thing", 0.9)], 0.9) { Model = "slow" };
        }
    }
}
