using System.Collections.Concurrent;
using System.Text.Json;
using BuildLore.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BuildLore.Cli.Tests;

/// <summary>
/// The agent's LLM path against a real HTTP server on loopback that speaks the OpenAI chat
/// completions wire format: the product code is what a user runs against a real provider.
/// </summary>
public sealed class LlmAgentTests
{
    /// <summary>Answers chat completions with the given contents in turn, and keeps the requests.</summary>
    private sealed class FakeChatServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _replies;

        public ConcurrentQueue<string> Requests { get; } = new();

        private FakeChatServer(WebApplication app, IEnumerable<string> replies)
        {
            _app = app;
            _replies = new ConcurrentQueue<string>(replies);
        }

        public string Endpoint => _app.Urls.First() + "/v1";

        public static async Task<FakeChatServer> StartAsync(params string[] replies)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new FakeChatServer(app, replies);
            app.MapPost("/v1/chat/completions", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                server.Requests.Enqueue(await reader.ReadToEndAsync());
                var content = server._replies.TryDequeue(out var next) ? next : "no more replies";
                return Results.Text(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["id"] = "chatcmpl-1", ["object"] = "chat.completion", ["created"] = 0, ["model"] = "test-model",
                    ["choices"] = new[] { new Dictionary<string, object> { ["index"] = 0, ["finish_reason"] = "stop", ["message"] = new Dictionary<string, object> { ["role"] = "assistant", ["content"] = content } } },
                    ["usage"] = new Dictionary<string, int> { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
                }), "application/json");
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private const string Good = """
        {"analysis": "total is used before it is declared in cart.c", "root_cause": "a missing declaration",
         "recommendations": [{"text": "declare int total = 0; at the top of checkout()", "confidence": 0.9}, {"text": "rewrite the module", "confidence": 0.2}],
         "confidence": 0.85}
        """;

    private static async Task<(TestServer Server, TempDirectory Workspace, string BuildId)> FailedBuildAsync()
    {
        var workspace = new TempDirectory();
        var server = await TestServer.StartAsync(workspace.Path);
        var id = await DemoCommandTests.SeedAsync(server, "failed", "cc -c cart.c\nsrc/cart.c:12:5: error: 'total' undeclared (first use in this function)\n");
        return (server, workspace, id);
    }

    [Fact]
    public async Task Agent_WithAnLlm_RetriesAMalformedReplyOnceAndReportsTheValidOne()
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeChatServer.StartAsync("Sure! The build failed because of a typo.", Good);

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(),
            "--llm-endpoint", llm.Endpoint, "--llm-model", "test-model");

        Assert.True(exitCode == 0, output);
        var report = Assert.Single(await server.Store.ListReportsAsync(id));
        Assert.StartsWith("total is used before it is declared", report.Analysis, StringComparison.Ordinal);
        Assert.Contains("Root cause: a missing declaration", report.Analysis, StringComparison.Ordinal);
        Assert.Equal(["declare int total = 0; at the top of checkout()"], report.Recommendations); // 0.2 is under the threshold
        Assert.Equal(0.85, report.Confidence);
        Assert.Equal(2, llm.Requests.Count);
        Assert.Contains("src/cart.c:12", llm.Requests.First(), StringComparison.Ordinal);
        Assert.Contains("\"model\":\"test-model\"", llm.Requests.First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_WithAnLlmThatNeverAnswersInJson_StoresNothing()
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeChatServer.StartAsync("I think it is fine.", "{\"analysis\": \"x\", \"confidence\": 7}");

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(),
            "--llm-endpoint", llm.Endpoint, "--llm-model", "test-model");

        Assert.Equal(0, exitCode);
        Assert.Contains("Could not analyze build", output, StringComparison.Ordinal);
        Assert.Empty(await server.Store.ListReportsAsync(id));
    }
}
