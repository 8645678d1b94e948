using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore ingest</c> pushing real logs to a real server.</summary>
public sealed class IngestCommandTests
{
    [Fact]
    public async Task Ingest_LogFile_CreatesAnalyzedBuildAndPrintsItsIdLast()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var lines = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"compiling unit {i}\n"));
        var log = workspace.Write("build.log", lines + "src/lib.rs:3:5: error: boom\nerror[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:13\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--project", "shop", "--branch", "main", "--commit", "3f2a9c1",
            "--ci-provider", "gitlab", "--server", server.BaseAddress.ToString());

        Assert.Equal(1, exitCode); // the log has errors, so the build failed
        var id = output.TrimEnd().Split('\n')[^1].Trim();
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(File.ReadAllText(log), build.GetProperty("log").GetString());
        Assert.Equal("shop", build.GetProperty("project").GetString());
        Assert.Equal("main", build.GetProperty("branch").GetString());
        Assert.Equal("3f2a9c1", build.GetProperty("commit").GetString());
        Assert.Equal("gitlab", build.GetProperty("ci_provider").GetString());
        Assert.Equal("E0425", build.GetProperty("diagnostics")[1].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ingest_TeeAndJson_PassTheLogThroughAndEndWithAnObject()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = workspace.Write("build.log", "all good\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--tee", "--json", "--exit-code", "0", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.StartsWith("all good\n", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        var id = json.RootElement.GetProperty("id").GetString();
        Assert.Equal("success", (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ingest_TriggerAuthorAndCommitMessage_AreStoredAndReadBackByTheClient()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = workspace.Write("build.log", "ok\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--exit-code", "0", "--project", "shop", "--trigger", "schedule",
            "--author", "ada", "--commit-message", "Nightly run", "--job-name", "nightly", "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        using var client = new BuildLore.Client.LLMClient(server.BaseAddress.ToString());
        var build = Assert.Single((await client.GetBuildsAsync()).Builds);
        Assert.Equal(output.TrimEnd().Split('\n')[^1].Trim(), build.Id);
        Assert.Equal("schedule", build.Trigger);
        Assert.Equal("ada", build.Author);
        Assert.Equal("Nightly run", build.CommitMessage);
        Assert.Equal("nightly", build.JobName);
        Assert.Equal("success", build.Status);
        var detail = await client.GetBuildAsync(build.Id);
        Assert.Equal("schedule", detail.Trigger);
        Assert.Equal("shop", detail.Project);
    }

    [Fact]
    public async Task Ingest_ATriggerThatIsNotOneWord_IsRefusedBeforeAnythingIsSent()
    {
        using var workspace = new TempDirectory();
        var log = workspace.Write("build.log", "ok\n");

        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", log, "--trigger", "Pull Request", "--server", "http://127.0.0.1:9");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--trigger", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_HEAD_REF=feature GITHUB_SHA=abc GITHUB_ACTOR=ada GITHUB_JOB=build GITHUB_RUN_ID=42 GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r",
        "github-actions", "pull_request", "feature", "abc", "ada", "https://github.com/o/r/actions/runs/42")]
    [InlineData("GITHUB_ACTIONS=true GITHUB_EVENT_NAME=workflow_dispatch GITHUB_REF_NAME=main", "github-actions", "manual", "main", null, null, null)]
    [InlineData("GITLAB_CI=true CI_PIPELINE_SOURCE=merge_request_event CI_COMMIT_REF_NAME=fix CI_COMMIT_SHA=def GITLAB_USER_LOGIN=bob CI_JOB_URL=https://gl/j/1",
        "gitlab", "pull_request", "fix", "def", "bob", "https://gl/j/1")]
    [InlineData("GITLAB_CI=true CI_PIPELINE_SOURCE=schedule", "gitlab", "schedule", null, null, null, null)]
    [InlineData("JENKINS_URL=http://j CHANGE_ID=12 GIT_BRANCH=PR-12 BUILD_URL=http://j/b/3", "jenkins", "pull_request", "PR-12", null, null, "http://j/b/3")]
    [InlineData("JENKINS_URL=http://j GIT_BRANCH=main", "jenkins", null, "main", null, null, null)]
    [InlineData("", "local", "manual", null, null, null, null)]
    public void CiEnvironment_DescribesTheBuildFromTheCisVariables(string variables, string provider, string? trigger, string? branch, string? commit, string? author, string? jobUrl)
    {
        var environment = variables.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        var build = BuildLore.Cli.Commands.CiEnvironment.Describe(environment.GetValueOrDefault);

        Assert.Equal((provider, trigger, branch, commit, author, jobUrl), (build.CiProvider, build.Trigger, build.Branch, build.Commit, build.Author, build.JobUrl));
    }

    [Fact]
    public void CiEnvironment_ReadsThePushedCommitsMessageFromGitHubsEventFile()
    {
        using var workspace = new TempDirectory();
        var eventFile = workspace.Write("event.json", """{"head_commit":{"id":"abc","message":"Fix the cart\n\nLonger text"}}""");

        var build = BuildLore.Cli.Commands.CiEnvironment.Describe(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_EVENT_PATH"] = eventFile }.GetValueOrDefault);

        Assert.Equal("Fix the cart", build.CommitMessage);
    }

    [Fact]
    public async Task Ingest_BadStatus_IsRefusedBeforeAnythingIsSent()
    {
        var (exitCode, output) = await CliRunner.RunAsync("ingest", "--log", "/nonexistent.log", "--status", "meh");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No such file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_LogPipedIntoStandardInput_WithJUnitAndTrxReports_StoresTheLogAndTheTests()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var reports = Path.Combine(AppContext.BaseDirectory, "Fixtures", "TestReports");
        using var pipeline = new ShellPipeline(
            $"printf 'collecting\\nFAILED test_inventory.py::test_restock_caps_at_limit\\n' | buildlore ingest --project shop --exit-code 1 " +
            $"--junit '{Path.Combine(reports, "pytest.xml")}' --trx '{Path.Combine(reports, "xunit.trx")}' --server {server.BaseAddress}",
            workspace.Path);

        var (exitCode, output, error) = await pipeline.WaitAsync();

        Assert.True(exitCode == 1, $"exit code {exitCode}: {error}");
        var build = (await server.GetJsonAsync($"llm/learning/build/{output.Trim()}")).GetProperty("build");
        Assert.Equal("collecting\nFAILED test_inventory.py::test_restock_caps_at_limit\n", build.GetProperty("log").GetString());
        Assert.Equal("failed", build.GetProperty("status").GetString());
        var tests = build.GetProperty("tests");
        Assert.Equal(6, tests.GetProperty("total").GetInt32());
        Assert.Equal(2, tests.GetProperty("failed").GetInt32());
        var failed = tests.GetProperty("failed_tests").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Contains(failed, n => n.Contains("test_restock_caps_at_limit", StringComparison.Ordinal));
        Assert.Contains(failed, n => n.Contains("Divide_RoundsDown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingest_WithoutTee_AnUnreachableServerIsAnErrorAtOnce()
    {
        var (exitCode, output, _) = await CliRunner.RunWithInputAsync("x\n"u8.ToArray(), "ingest", "--server", $"http://127.0.0.1:{ShellPipeline.FreePort()}");

        Assert.Equal(3, exitCode);
        Assert.Contains("Cannot reach BuildLore", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_ExitCodeFileThatIsMissing_WarnsAndTakesTheStatusFromTheLog()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (exitCode, output, error) = await CliRunner.RunWithInputAsync("src/a.c:1:1: error: boom\n"u8.ToArray(),
            "ingest", "--tee", "--exit-code-file", workspace.Combine("missing.exit"), "--server", server.BaseAddress.ToString());

        Assert.Equal(1, exitCode);
        Assert.StartsWith("src/a.c:1:1: error: boom\n", output, StringComparison.Ordinal);
        Assert.Contains("missing.exit", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_ReportsThatAreMissingOrNotReports_AreSkippedWithAWarningAndTheBuildStillFinishes()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var notAReport = workspace.Write("reports/page.xml", "<html/>");

        var (exitCode, output, error) = await CliRunner.RunWithInputAsync("ok\n"u8.ToArray(), "ingest", "--exit-code", "0",
            "--junit", workspace.Combine("missing", "*.xml"), "--junit", notAReport, "--trx", workspace.Combine("none.trx"), "--server", server.BaseAddress.ToString());

        Assert.Equal(0, exitCode);
        Assert.Contains("no test report matches", error, StringComparison.Ordinal);
        Assert.Contains("page.xml was not attached", error, StringComparison.Ordinal);
        Assert.Contains("none.trx was not attached", error, StringComparison.Ordinal);
        var build = (await server.GetJsonAsync($"llm/learning/build/{output.Trim()}")).GetProperty("build");
        Assert.Equal("success", build.GetProperty("status").GetString());
    }
}
