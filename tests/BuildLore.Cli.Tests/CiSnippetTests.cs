using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary>
/// The shell parts of docs/ci-integration.md, read from the document itself and run as each CI would run
/// them (GitHub's bash with -eo pipefail, GitLab's and Jenkins' sh, which is dash here) against a real
/// server: what users paste is what is tested.
/// </summary>
public sealed class CiSnippetTests
{
    private static readonly string Document = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "ci-integration.md"));

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BuildLore.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("BuildLore.slnx not found above the test binaries.");
    }

    /// <summary>
    /// The lines after <paramref name="opening"/> (first seen after <paramref name="heading"/>, then <paramref name="after"/>)
    /// that are indented deeper than it, dedented.
    /// </summary>
    private static string IndentedBlock(string heading, string opening, string after = "")
    {
        var section = Document[Document.IndexOf(heading, StringComparison.Ordinal)..];
        var lines = section[section.IndexOf(after, StringComparison.Ordinal)..].Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimEnd().EndsWith(opening, StringComparison.Ordinal));
        var indent = lines[at].Length - lines[at].TrimStart().Length;
        var block = lines.Skip(at + 1).TakeWhile(l => l.Trim().Length > 0 && l.Length - l.TrimStart().Length > indent).ToList();
        var margin = block.Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', block.Select(l => l[margin..])) + "\n";
    }

    private static string JenkinsShell()
    {
        var jenkins = Document[Document.IndexOf("## Jenkins", StringComparison.Ordinal)..];
        var start = jenkins.IndexOf("sh '''", StringComparison.Ordinal) + "sh '''".Length;
        return jenkins[start..jenkins.IndexOf("'''", start, StringComparison.Ordinal)];
    }

    /// <summary>A project whose test step fails the way real ones do: an error line, a JUnit report, a non-zero exit.</summary>
    private static void WriteFailingProject(TempDirectory workspace, string reportPath)
    {
        var report = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "TestReports", "pytest.xml"));
        var reportFolder = Path.GetDirectoryName(reportPath)!;
        // Stands in for make and gradle: writes its report during the build, as they do.
        workspace.Write("Makefile", $"test:\n\tmkdir -p {reportFolder} && cp report.xml {reportPath}\n\techo 'src/cart.c:12:5: error: total undeclared'\n\texit 1\n");
        workspace.Write("report.xml", report);
        var gradlew = workspace.Write("gradlew", $"#!/bin/sh\nmkdir -p {reportFolder} && cp report.xml {reportPath}\necho 'src/cart.c:12:5: error: total undeclared'\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(gradlew, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task AssertRecordedAsync(TestServer server, string output, string error, int exitCode, int expectedExit, string project)
    {
        Assert.True(exitCode == expectedExit, $"the step exited {exitCode}, expected {expectedExit}:\n{output}\n{error}");
        Assert.Contains("src/cart.c:12:5: error: total undeclared", output, StringComparison.Ordinal);
        var id = output.TrimEnd().Split('\n')[^1].Trim();
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(expectedExit, build.GetProperty("exit_code").GetInt32());
        Assert.Equal(project, build.GetProperty("project").GetString());
        Assert.Equal(3, build.GetProperty("tests").GetProperty("total").GetInt32());
        Assert.Equal("compile_error", build.GetProperty("category").GetString());
    }

    [Fact]
    public async Task GitHubActionsBuildStep_RunByBashAsActionsRunsIt_RecordsTheBuildWithItsExitCodeAndReport()
    {
        using var workspace = new TempDirectory();
        using var temp = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        WriteFailingProject(workspace, "reports/junit.xml");
        var script = IndentedBlock("## GitHub Actions", "run: |", after: "- name: Build\n").Replace("${{ github.event.repository.name }}", "shop", StringComparison.Ordinal);
        workspace.Write("step.sh", script);

        using var step = new ShellPipeline("bash --noprofile --norc -eo pipefail step.sh", workspace.Path,
            new Dictionary<string, string> { ["RUNNER_TEMP"] = temp.Path, ["BUILDLORE_URL"] = server.BaseAddress.ToString() });
        var (exitCode, output, error) = await step.WaitAsync();

        await AssertRecordedAsync(server, output, error, exitCode, 2, "shop"); // make exits 2 when a recipe fails
    }

    [Fact]
    public async Task GitLabScript_RunByShAsTheRunnerRunsIt_RecordsTheBuildWithItsExitCodeAndReport()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        WriteFailingProject(workspace, "reports/junit.xml");
        workspace.Write("script.sh", IndentedBlock("## GitLab CI", "- |"));

        using var step = new ShellPipeline("sh -e script.sh", workspace.Path,
            new Dictionary<string, string> { ["CI_PROJECT_NAME"] = "shop", ["BUILDLORE_URL"] = server.BaseAddress.ToString() });
        var (exitCode, output, error) = await step.WaitAsync();

        await AssertRecordedAsync(server, output, error, exitCode, 2, "shop");
    }

    [Fact]
    public async Task JenkinsShStep_RunByShAsJenkinsRunsIt_RecordsTheBuildWithItsExitCodeAndReport()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        WriteFailingProject(workspace, "build/test-results/test/TEST-inventory.xml");
        workspace.Write("step.sh", JenkinsShell());

        using var step = new ShellPipeline("sh -xe step.sh", workspace.Path,
            new Dictionary<string, string> { ["JOB_NAME"] = "shop", ["BUILDLORE_URL"] = server.BaseAddress.ToString() });
        var (exitCode, output, error) = await step.WaitAsync();

        Assert.Contains("build.exit", error, StringComparison.Ordinal); // sh -x traced the snippet: it ran
        await AssertRecordedAsync(server, output, error, exitCode, 1, "shop");
    }

    [Fact]
    public void Snippets_UseNoPipefailInShSteps()
    {
        Assert.DoesNotContain("pipefail", IndentedBlock("## GitLab CI", "- |"), StringComparison.Ordinal);
        Assert.DoesNotContain("pipefail", JenkinsShell(), StringComparison.Ordinal);
    }
}
