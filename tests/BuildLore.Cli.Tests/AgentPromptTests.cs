using System.Text;
using System.Text.Json;
using BuildLore.Tests;
using Microsoft.ML.Tokenizers;

namespace BuildLore.Cli.Tests;

/// <summary>What the agent tells an LLM about a failure, as the model's server receives it.</summary>
public sealed class AgentPromptTests
{
    private const string Reply = """{"analysis": "total is undeclared", "recommendations": [{"text": "declare total", "confidence": 0.9}], "confidence": 0.8}""";

    private static string Cart(string line12) => string.Concat(Enumerable.Range(1, 20).Select(i => i == 12 ? $"{line12}\n" : $"/* cart line {i} */\n"));

    [Fact]
    public async Task Prompt_HoldsErrorsExcerptKnownIssuesChangesSinceGreenAndSourceAroundTheErrors()
    {
        using var workspace = new TempDirectory();
        Git.Init(workspace.Path);
        workspace.Write("src/cart.c", Cart("    int count = 0;"));
        workspace.Write("src/tax.c", "int tax;\n");
        Git.CommitAll(workspace.Path, "green");
        var greenCommit = Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        workspace.Write("src/cart.c", Cart("    total += price; /* the broken line */"));
        workspace.Write("src/discount.c", "int discount;\n");
        Git.CommitAll(workspace.Path, "red");
        var redCommit = Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        await using var server = await TestServer.StartAsync(workspace.Path);
        const string Log = "cc -c src/cart.c\nsrc/cart.c:12:5: error: 'total' undeclared (first use in this function)\nmake: *** [cart.o] Error 1\n";

        // An earlier failure the same way, whose advice was followed by a green build.
        var earlier = await AgentScenario.PushAsync(server, Log, "failed", commit: "1111111");
        var (_, known) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/report", JsonSerializer.Serialize(new
        {
            build_id = earlier, type = "failure_analysis", analysis = "total was never declared", recommendations = new[] { "declare total before the loop" }, confidence = 0.8,
        }));
        var green = await AgentScenario.PushAsync(server, "all good\n", "success", commit: greenCommit);
        var failed = await AgentScenario.PushAsync(server, Log, "failed", commit: redCommit);
        await using var llm = await FakeLlmServer.StartAsync(Reply);

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(),
            "--llm-endpoint", llm.OpenAIEndpoint, "--llm-model", "test-model");

        Assert.True(exitCode == 0, output);
        var prompt = Assert.Single(llm.Requests).Prompt;
        Assert.Contains($"Build {failed} of shop (branch main, commit {redCommit}) ended failed", prompt, StringComparison.Ordinal);
        Assert.Contains("Errors found in the log:\n- src/cart.c:12: 'total' undeclared (first use in this function)", prompt, StringComparison.Ordinal);
        Assert.Contains("The part of the log that explains the failure:\n--- log lines", prompt, StringComparison.Ordinal);
        Assert.Contains("src/cart.c:12:5: error: 'total' undeclared", prompt, StringComparison.Ordinal);
        Assert.Contains($"report {known.GetProperty("report_id").GetInt64()} (outcome: fixed", prompt, StringComparison.Ordinal);
        Assert.Contains("its recommendations: declare total before the loop", prompt, StringComparison.Ordinal);
        Assert.Contains($"Compared with the last green build {green} (commits {greenCommit}..{redCommit})", prompt, StringComparison.Ordinal);
        Assert.Contains("Files changed since the last green build:\n- src/cart.c\n- src/discount.c\n", prompt, StringComparison.Ordinal);
        Assert.Contains("--- src/cart.c lines 6-18 ---", prompt, StringComparison.Ordinal);
        Assert.Contains(">   12 |     total += price; /* the broken line */", prompt, StringComparison.Ordinal);
        Assert.Contains("     6 | /* cart line 6 */", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("cart line 5 */", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Left out to fit", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_StaysWithinItsTokenBudget_AndSaysWhatItLeftOut()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = new StringBuilder();
        for (var i = 1; i <= 400; i++)
        {
            log.Append(System.Globalization.CultureInfo.InvariantCulture, $"src/module{i}.c:{i}:5: error: 'value_{i}' undeclared (first use in this function)\n");
        }

        await AgentScenario.PushAsync(server, log.ToString(), "failed");
        await using var llm = await FakeLlmServer.StartAsync(Reply);

        var (exitCode, output) = await CliRunner.RunAsync("agent", "--once", "--server", server.BaseAddress.ToString(),
            "--llm-endpoint", llm.OpenAIEndpoint, "--llm-model", "test-model", "--prompt-tokens", "800");

        Assert.True(exitCode == 0, output);
        var request = Assert.Single(llm.Requests);
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var tokens = request.Texts.Sum(t => tokenizer.CountTokens(t));
        Assert.InRange(tokens, 400, 800);
        Assert.Contains("Left out to fit the prompt budget:", request.Prompt, StringComparison.Ordinal);
        Assert.Contains("src/module1.c:1:", request.Prompt, StringComparison.Ordinal); // the first error is always there
    }
}
