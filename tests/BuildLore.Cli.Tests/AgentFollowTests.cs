using System.Collections.Concurrent;
using System.Diagnostics;
using BuildLore.Agent;
using BuildLore.Client;
using BuildLore.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace BuildLore.Cli.Tests;

/// <summary>The agent in follow mode: woken by the server's event stream, polling when the stream is down.</summary>
public sealed class AgentFollowTests(ITestOutputHelper output)
{
    private const string Log = "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n";

    /// <summary>An agent running in the background, with what it said.</summary>
    private sealed class RunningAgent : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;
        private readonly LLMClient _client;

        public RunningAgent(Uri server, TimeSpan interval)
        {
            _client = new LLMClient(server.ToString());
            var agent = new LearningAgent(_client, new RuleBasedAnalyzer(), new AgentOptions { Interval = interval }, Messages.Enqueue);
            _running = agent.RunAsync(_stop.Token);
        }

        public ConcurrentQueue<string> Messages { get; } = new();

        public async Task WaitForAsync(Func<IReadOnlyList<string>, bool> condition)
        {
            var deadline = Stopwatch.StartNew();
            while (!condition([.. Messages]))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"The agent said: {string.Join(" | ", Messages)}");
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _client.Dispose();
            _stop.Dispose();
        }
    }

    private static async Task<TimeSpan> TimeUntilReportedAsync(TestServer server, string buildId)
    {
        var clock = Stopwatch.StartNew();
        while ((await server.Store.ListReportsAsync(buildId)).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"Build {buildId} was not analyzed within 20 s.");
            await Task.Delay(25);
        }

        return clock.Elapsed;
    }

    [Fact]
    public async Task FollowingAgent_AnalyzesAFailedBuildWithinSecondsOfItFinishing()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        // Polling alone would take ten minutes: only the event stream can explain a quick report.
        await using var agent = new RunningAgent(server.BaseAddress, TimeSpan.FromMinutes(10));
        await agent.WaitForAsync(m => m.Contains("Following the server's build events.") && m.Count(s => s.StartsWith("Submitted", StringComparison.Ordinal)) >= 2);

        var id = await AgentScenario.PushAsync(server, Log, "failed");
        var elapsed = await TimeUntilReportedAsync(server, id);
        output.WriteLine($"Reported {elapsed.TotalMilliseconds:0} ms after the build finished.");

        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"reported {elapsed.TotalMilliseconds:0} ms after the build finished");
        Assert.Single(await server.Store.ListReportsAsync(id));
    }

    [Fact]
    public async Task FollowingAgent_WhenTheEventStreamIsDown_FallsBackToPolling()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        await using var proxy = await StreamlessProxy.StartAsync(server.BaseAddress);
        await using var agent = new RunningAgent(proxy.Address, TimeSpan.FromSeconds(1));
        await agent.WaitForAsync(m => m.Any(s => s.StartsWith("The event stream is down", StringComparison.Ordinal)));

        var id = await AgentScenario.PushAsync(server, Log, "failed");
        var elapsed = await TimeUntilReportedAsync(server, id);

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"reported after {elapsed}");
        Assert.Contains(agent.Messages, m => m.Contains("polling every 1 s", StringComparison.Ordinal));
    }

    /// <summary>A loopback proxy in front of a BuildLore server whose event stream answers 503, as behind a proxy that cannot stream.</summary>
    private sealed class StreamlessProxy(WebApplication app, HttpClient upstream) : IAsyncDisposable
    {
        public Uri Address { get; } = new(app.Urls.First() + "/");

        public static async Task<StreamlessProxy> StartAsync(Uri server)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var upstream = new HttpClient { BaseAddress = server };
            app.Map("/{**path}", async (HttpContext context) =>
            {
                if (context.Request.Path.StartsWithSegments("/llm/learning/events"))
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    await context.Response.WriteAsync("streaming is not available here");
                    return;
                }

                using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path.ToString().TrimStart('/') + context.Request.QueryString);
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                if (body.Length > 0)
                {
                    request.Content = new ByteArrayContent(body.ToArray());
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
                }

                using var response = await upstream.SendAsync(request);
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
                await response.Content.CopyToAsync(context.Response.Body);
            });
            await app.StartAsync();
            return new StreamlessProxy(app, upstream);
        }

        public async ValueTask DisposeAsync()
        {
            upstream.Dispose();
            await app.DisposeAsync();
        }
    }
}
