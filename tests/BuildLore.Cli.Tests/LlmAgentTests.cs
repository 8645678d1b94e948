using System.Diagnostics;
using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>
/// The agent's LLM path against real HTTP servers on loopback that speak the OpenAI chat completions and
/// the Anthropic Messages wire formats: the product code is what a user runs against a real provider.
/// </summary>
public sealed class LlmAgentTests
{
    private const string Good = """
        {"analysis": "total is used before it is declared in cart.c", "root_cause": "a missing declaration",
         "affected_files": [{"path": "src/cart.c", "line": 12}],
         "recommendations": [{"text": "declare int total = 0; at the top of checkout()", "confidence": 0.9}, {"text": "rewrite the module", "confidence": 0.2}],
         "confidence": 0.85}
        """;

    private static async Task<(TestServer Server, TempDirectory Workspace, string BuildId)> FailedBuildAsync()
    {
        var workspace = new TempDirectory();
        var server = await TestServer.StartAsync(workspace.Path);
        var id = await AgentScenario.PushAsync(server, "cc -c cart.c\nsrc/cart.c:12:5: error: 'total' undeclared (first use in this function)\n", "failed");
        return (server, workspace, id);
    }

    private static Task<(int ExitCode, string Output)> RunAgentAsync(TestServer server, FakeLlmServer llm, string provider, params string[] extra) =>
        CliRunner.RunAsync([
            "agent", "--once", "--server", server.BaseAddress.ToString(), "--llm-provider", provider,
            "--llm-endpoint", provider == "anthropic" ? llm.AnthropicEndpoint : llm.OpenAIEndpoint, "--llm-model", "test-model", .. extra]);

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Agent_WithAnLlm_RetriesAMalformedReplyOnceAndReportsTheValidOne(string provider)
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeLlmServer.StartAsync("Sure! The build failed because of a typo.", Good);

        var (exitCode, output) = await RunAgentAsync(server, llm, provider);

        Assert.True(exitCode == 0, output);
        var report = Assert.Single(await server.Store.ListReportsAsync(id));
        Assert.Equal("total is used before it is declared in cart.c", report.Analysis);
        Assert.Equal("a missing declaration", report.Details.RootCause);
        Assert.Equal("src/cart.c", Assert.Single(report.Details.AffectedFiles).Path);
        Assert.Equal("compile_error", report.Details.Category);
        Assert.Equal(["declare int total = 0; at the top of checkout()"], report.Recommendations); // 0.2 is under the threshold
        Assert.Equal(0.85, report.Confidence);
        Assert.Equal("test-model", report.Details.Model);
        // Both answers were paid for: 2 × (100 in, 20 out) as the fake server reports usage.
        Assert.Equal((200, 40), (report.Details.InputTokens, report.Details.OutputTokens));
        Assert.Equal(2, llm.Requests.Count);
        var first = llm.Requests.First();
        Assert.Contains("src/cart.c:12", first.Prompt, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"test-model\"", first.Body, StringComparison.Ordinal);
        Assert.Contains("not usable", llm.Requests.Last().Prompt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Agent_WithAnLlmThatNeverAnswersInJson_ReportsAnAgentErrorAndStoresNothing(string provider)
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeLlmServer.StartAsync("I think it is fine.", "{\"analysis\": \"x\", \"confidence\": 7}", Good);

        var (exitCode, output) = await RunAgentAsync(server, llm, provider);

        Assert.Equal(0, exitCode);
        Assert.Contains($"Could not analyze build {id}", output, StringComparison.Ordinal);
        Assert.Contains("after a retry", output, StringComparison.Ordinal);
        Assert.Equal(2, llm.Requests.Count); // retried once, not more
        Assert.Empty(await server.Store.ListReportsAsync(id));
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Agent_WithASlowLlm_GivesUpAtTheTimeoutAndStoresNothing(string provider)
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeLlmServer.StartAsync(new FakeReply(Good, TimeSpan.FromSeconds(30)));
        var clock = Stopwatch.StartNew();

        var (exitCode, output) = await RunAgentAsync(server, llm, provider, "--llm-timeout", "2");

        Assert.Equal(0, exitCode);
        Assert.Contains("no answer", output, StringComparison.Ordinal);
        Assert.Contains("within 2 s", output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Empty(await server.Store.ListReportsAsync(id));
    }

    [Fact]
    public async Task Agent_WithAnthropic_SendsTheApiKeyFromTheEnvironment()
    {
        var (server, workspace, id) = await FailedBuildAsync();
        await using var _ = server;
        using var __ = workspace;
        await using var llm = await FakeLlmServer.StartAsync(Good);
        const string Variable = "BUILDLORE_TEST_ANTHROPIC_KEY";
        Environment.SetEnvironmentVariable(Variable, "sk-ant-test-123");
        try
        {
            var (exitCode, output) = await RunAgentAsync(server, llm, "anthropic", "--llm-api-key-env", Variable);

            Assert.True(exitCode == 0, output);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }

        var request = Assert.Single(llm.Requests);
        Assert.Contains("sk-ant-test-123", $"{request.ApiKey} {request.Authorization}", StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("test-model", body.RootElement.GetProperty("model").GetString());
        Assert.True(body.RootElement.GetProperty("max_tokens").GetInt32() > 0);
        Assert.Single(await server.Store.ListReportsAsync(id));
    }

    [Fact]
    public async Task Agent_WithAnUnknownProvider_FailsClearly()
    {
        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--llm-provider", "guess", "--llm-model", "m");

        Assert.Equal(2, exitCode);
        Assert.Contains("openai or anthropic", output, StringComparison.Ordinal);
    }
}
