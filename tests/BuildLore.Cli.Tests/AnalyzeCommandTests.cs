using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore analyze</c> on log files, as a CI step would run it.</summary>
public sealed class AnalyzeCommandTests
{
    private const string GccLog = """
        gcc -Wall -Werror=format -c /home/runner/work/app/app/src/main.c -o main.o
        /home/runner/work/app/app/src/main.c: In function 'main':
        /home/runner/work/app/app/src/main.c:5:20: error: 'count' undeclared (first use in this function)
            5 |     printf("%d\n", count);
              |                    ^~~~~
        /home/runner/work/app/app/src/main.c:5:20: note: each undeclared identifier is reported only once for each function it appears in
        make: *** [Makefile:3: main.o] Error 1
        """;

    [Fact]
    public async Task Analyze_Json_HasTheDocumentedFields()
    {
        using var folder = new TempDirectory();
        var log = folder.Write("build.log", GccLog);

        var (exitCode, output) = await CliRunner.RunAsync("analyze", log, "--json");

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(7, root.GetProperty("total_lines").GetInt32());
        Assert.Equal(1, root.GetProperty("error_count").GetInt32());
        Assert.Equal(0, root.GetProperty("warning_count").GetInt32());
        Assert.Equal("compile_error", root.GetProperty("category").GetString());
        Assert.True(root.GetProperty("category_confidence").GetDouble() > 0.5);
        var diagnostic = Assert.Single(root.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("src/main.c", diagnostic.GetProperty("file").GetString());
        Assert.Equal(5, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal(20, diagnostic.GetProperty("column").GetInt32());
        Assert.Equal("gcc", diagnostic.GetProperty("tool").GetString());
        Assert.Equal(3, diagnostic.GetProperty("log_line").GetInt32());
        Assert.Equal(16, diagnostic.GetProperty("fingerprint").GetString()!.Length);
        // The whole block: the error, its source lines and its note.
        Assert.Equal(string.Join('\n', GccLog.Split('\n')[2..6]), diagnostic.GetProperty("context").GetString());
        var excerpt = root.GetProperty("failure_excerpt")[0];
        Assert.Equal(1, excerpt.GetProperty("start_line").GetInt32());
        Assert.Contains("undeclared", excerpt.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_Json_NamesTheFailureCausesAndTheCategoryEvidence()
    {
        using var folder = new TempDirectory();
        var log = folder.Write("build.log", """
            Restoring packages...
            cp: error writing 'out/app.bin': No space left on device
            make: *** [Makefile:9: out/app.bin] Error 1
            """);

        var (exitCode, output) = await CliRunner.RunAsync("analyze", log, "--json");

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("infrastructure", root.GetProperty("category").GetString());
        var cause = Assert.Single(root.GetProperty("failure_causes").EnumerateArray());
        Assert.Equal("Disk full", cause.GetProperty("name").GetString());
        Assert.Equal(2, Assert.Single(cause.GetProperty("log_lines").EnumerateArray()).GetInt32());
        Assert.Contains(root.GetProperty("category_evidence").EnumerateArray(), e => e.GetProperty("log_line").GetInt32() == 2);

        var (_, readable) = await CliRunner.RunAsync("analyze", log);
        Assert.Contains("Cause: Disk full", readable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_Readable_ShowsCategoryAndDiagnostics()
    {
        using var folder = new TempDirectory();
        var log = folder.Write("build.log", GccLog);

        var (exitCode, output) = await CliRunner.RunAsync("analyze", log, "--root", "/home/runner/work/app/app");

        Assert.Equal(0, exitCode);
        Assert.Contains("1 error(s)", output, StringComparison.Ordinal);
        Assert.Contains("compile_error", output, StringComparison.Ordinal);
        Assert.Contains("src/main.c:5:20", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_WithAProblemMatcherFile_ReportsItsProblems()
    {
        using var folder = new TempDirectory();
        var log = folder.Write("build.log", "LINT web/app.ts:7 avoid any\nall done\n");
        var matcher = folder.Write("matcher.json", """
            { "problemMatcher": [ { "owner": "house-lint", "pattern": [ { "regexp": "^LINT (\\S+):(\\d+) (.*)$", "file": 1, "line": 2, "message": 3 } ] } ] }
            """);

        var (exitCode, output) = await CliRunner.RunAsync("analyze", log, "--matcher", matcher, "--json");

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var diagnostic = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("house-lint", diagnostic.GetProperty("tool").GetString());
        Assert.Equal("web/app.ts", diagnostic.GetProperty("file").GetString());
    }

    [Fact]
    public async Task Analyze_MissingFile_FailsWithAClearMessage()
    {
        var (exitCode, output) = await CliRunner.RunAsync("analyze", "/nonexistent/build.log");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No such file", output, StringComparison.Ordinal);
    }
}
