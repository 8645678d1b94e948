using System.Text.Json;
using System.Text.Json.Nodes;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore codebase</c> on a real folder: the same view the API gives.</summary>
public sealed class CodebaseCommandTests
{
    [Fact]
    public async Task Codebase_PrintsTreeAndStructure_AndJsonWithoutSecrets()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/Api/Program.cs", "Console.WriteLine(1);\n");
        workspace.Write("tests/test_api.py", "def test_ok():\n    pass\n");
        workspace.Write(".env", "TOKEN=very-secret-value");

        var (exitCode, output) = await CliRunner.RunAsync("codebase", workspace.Path);
        var (jsonExit, json) = await CliRunner.RunAsync("codebase", workspace.Path, "--json");

        Assert.Equal(0, exitCode);
        Assert.Contains("Program.cs", output, StringComparison.Ordinal);
        Assert.Contains("tests: True", output, StringComparison.Ordinal);
        Assert.Contains("languages: python 2 lines, csharp 1 lines", output, StringComparison.Ordinal);
        Assert.Contains("(o200k_base, counted)", output, StringComparison.Ordinal);
        Assert.Equal(0, jsonExit);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("ok", document.RootElement.GetProperty("status").GetString());
        Assert.True(document.RootElement.GetProperty("codebase").GetProperty("structure_summary").GetProperty("has_backend").GetBoolean());
        Assert.DoesNotContain("very-secret-value", json, StringComparison.Ordinal);
        Assert.DoesNotContain(".env", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodebaseJson_IsWhatTheApiReturns_WithTheSameOptions()
    {
        using var workspace = CreateWorkspace();
        await using var server = await TestServer.StartAsync(workspace.Path);

        foreach (var (query, arguments) in new (string, string[])[]
        {
            ("", []),
            ("?max_tokens=1500", ["--max-tokens", "1500"]),
            ("?depth=1&include=src/**&exclude=*.test.ts", ["--depth", "1", "--include", "src/**", "--exclude", "*.test.ts"]),
        })
        {
            var api = await server.Http.GetStringAsync($"llm/learning/codebase{query}");
            var (exitCode, cli) = await CliRunner.RunAsync(["codebase", workspace.Path, "--json", .. arguments]);

            Assert.Equal(0, exitCode);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(api), JsonNode.Parse(cli)), $"for '{query}' the CLI printed:\n{cli}\nthe API returned:\n{api}");
        }
    }

    [Fact]
    public async Task Codebase_MaxTokens_FitsTheViewAndSaysWhatWasLeftOut()
    {
        using var workspace = CreateWorkspace();

        var (exitCode, output) = await CliRunner.RunAsync("codebase", workspace.Path, "--max-tokens", "1500");
        var (_, json) = await CliRunner.RunAsync("codebase", workspace.Path, "--max-tokens", "1500", "--json");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"fitted to the budget: [0-9,]+ tokens; left out: .*test files", output);
        Assert.Matches(@"left out by name: .*tests/test_\d+\.py", output);
        Assert.Matches(@"source files: \d+ of 30 backend", output);
        var codebase = JsonDocument.Parse(json).RootElement.GetProperty("codebase");
        Assert.InRange(codebase.GetProperty("response_tokens").GetInt64(), 1, 1500);
        Assert.True(codebase.GetProperty("omitted").GetProperty("test_files").GetInt32() > 0);
        Assert.Contains("tests/test_29.py", codebase.GetProperty("left_out").GetProperty("source_files").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Codebase_IncludeExcludeAndDepth_NarrowTheReadableView()
    {
        using var workspace = CreateWorkspace();

        var (exitCode, output) = await CliRunner.RunAsync("codebase", workspace.Path, "--include", "src/**/*.py", "--exclude", "src/module1*/**");
        var (_, shallow) = await CliRunner.RunAsync("codebase", workspace.Path, "--depth", "1");

        Assert.Equal(0, exitCode);
        Assert.Contains("service0.py", output, StringComparison.Ordinal);
        Assert.DoesNotContain("service1.py", output, StringComparison.Ordinal);
        Assert.DoesNotContain("service10.py", output, StringComparison.Ordinal);
        Assert.DoesNotContain("test_0.py", output, StringComparison.Ordinal);
        Assert.Contains("(19 files)", output, StringComparison.Ordinal); // 30 services less module1 and module10..19
        Assert.Contains("src/", shallow, StringComparison.Ordinal);
        Assert.DoesNotContain("module0/", shallow, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--include", "src/**/*.{py,cs}")]
    [InlineData("--exclude", "../elsewhere")]
    [InlineData("--max-tokens", "5")]
    [InlineData("--depth", "0")]
    public async Task Codebase_BadOption_FailsWithAMessageNamingIt(string option, string value)
    {
        using var workspace = CreateWorkspace();

        var (exitCode, output) = await CliRunner.RunAsync("codebase", workspace.Path, option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(option, output, StringComparison.Ordinal);
    }

    private static TempDirectory CreateWorkspace()
    {
        var workspace = new TempDirectory();
        for (var i = 0; i < 30; i++)
        {
            workspace.Write($"src/module{i}/service{i}.py", string.Concat(Enumerable.Repeat($"def handler_{i}(request):\n    return compute(request, {i})\n", 20)));
            workspace.Write($"tests/test_{i}.py", $"def test_{i}():\n    assert True\n");
        }

        workspace.Write("web/app.test.ts", "test('renders', () => {});\n");
        workspace.Write("package.json", """{ "name": "demo", "devDependencies": { "vitest": "^2.0.0" } }""");
        return workspace;
    }
}
