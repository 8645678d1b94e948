using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore codebase</c> on a real folder.</summary>
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
        Assert.Equal(0, jsonExit);
        using var document = JsonDocument.Parse(json);
        Assert.True(document.RootElement.GetProperty("structure_summary").GetProperty("has_backend").GetBoolean());
        Assert.DoesNotContain("very-secret-value", json, StringComparison.Ordinal);
        Assert.DoesNotContain(".env", json, StringComparison.Ordinal);
    }
}
