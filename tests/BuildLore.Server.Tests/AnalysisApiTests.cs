using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>The analyzer's view of a build through the API: diagnostics, category, excerpt, fingerprints, patterns.</summary>
public sealed class AnalysisApiTests
{
    private static void WriteProfiles(TempDirectory workspace, string json) => workspace.Write("buildlore.json", json);

    [Fact]
    public async Task GetBuild_RealDotnetFailure_HasLocatedDiagnosticsCategoryAndExcerpt()
    {
        using var workspace = new TempDirectory();
        DotnetProject.Write(workspace.Path, DotnetProject.Broken);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        Assert.Equal("compile_error", build.GetProperty("category").GetString());
        Assert.True(build.GetProperty("category_confidence").GetDouble() >= 0.7);
        var diagnostic = Assert.Single(build.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
        // Made relative to the workspace the runner built.
        Assert.Equal("Program.cs", diagnostic.GetProperty("file").GetString());
        Assert.Equal(2, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal("CS0103", diagnostic.GetProperty("code").GetString());
        Assert.Equal("csc", diagnostic.GetProperty("tool").GetString());
        Assert.Contains("undefinedThing", diagnostic.GetProperty("message").GetString(), StringComparison.Ordinal);
        // The diagnostic's block as the log shows it, kept with the stored analysis.
        Assert.Contains("error CS0103", diagnostic.GetProperty("context").GetString(), StringComparison.Ordinal);
        var fingerprint = diagnostic.GetProperty("fingerprint").GetString();
        Assert.Equal([fingerprint], build.GetProperty("fingerprints").EnumerateArray().Select(f => f.GetString()));
        var excerpt = build.GetProperty("failure_excerpt");
        Assert.Contains(excerpt.EnumerateArray(), r => r.GetProperty("text").GetString()!.Contains("error CS0103", StringComparison.Ordinal));
        var log = build.GetProperty("log").GetString()!.Split('\n');
        var first = excerpt[0];
        Assert.Equal(log[first.GetProperty("start_line").GetInt32() - 1], first.GetProperty("text").GetString()!.Split('\n')[0]);
        Assert.Equal("Program.cs:2:19: error CS0103: The name 'undefinedThing' does not exist in the current context",
            build.GetProperty("log_summary").GetProperty("errors")[0].GetString());
    }

    [Fact]
    public async Task GetBuild_SuccessfulBuild_HasNoCategoryAndNoExcerpt()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "ok": { "command": "echo 'Build succeeded.'; echo '    0 Warning(s)'; echo '    0 Error(s)'; echo 'gcc -Werror=format -c ErrorHandler.c'" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        Assert.Equal("success", build.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, build.GetProperty("category").ValueKind);
        Assert.Equal(0, build.GetProperty("diagnostics").GetArrayLength());
        Assert.Equal(0, build.GetProperty("failure_excerpt").GetArrayLength());
        Assert.Equal(0, build.GetProperty("log_summary").GetProperty("error_count").GetInt32());
    }

    [Fact]
    public async Task GetBuild_TimedOutBuild_IsCategorizedAsTimeout()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "hang": { "command": "sleep 30", "timeout_seconds": 1 } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        Assert.Equal("timeout", build.GetProperty("status").GetString());
        Assert.Equal("timeout", build.GetProperty("category").GetString());
    }

    [Fact]
    public async Task GetBuild_ExcerptTokens_FitsTheExcerptToTheBudget()
    {
        using var workspace = new TempDirectory();
        // 40 distinct compiler errors, each with a long message.
        WriteProfiles(workspace, """{ "profiles": { "many": { "command": "for i in $(seq 1 40); do echo \"src/f$i.c:$i:1: error: something is badly wrong with symbol number $i in this very long line of compiler output\"; done; exit 1" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync();
        await server.WaitForBuildAsync(id);

        var small = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none&excerpt_tokens=100")).GetProperty("build");
        var large = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none&excerpt_tokens=5000")).GetProperty("build");

        int Chars(System.Text.Json.JsonElement b) => b.GetProperty("failure_excerpt").EnumerateArray().Sum(r => r.GetProperty("text").GetString()!.Length);
        Assert.InRange(Chars(small), 1, 200 * 4);
        Assert.True(Chars(large) > Chars(small) * 3);
        Assert.Equal(40, large.GetProperty("log_summary").GetProperty("error_count").GetInt32());
        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, $"llm/learning/build/{id}?excerpt_tokens=lots");
        Assert.Equal(400, status);
        Assert.Equal("excerpt_tokens", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Patterns_GroupTheSameErrorAcrossBuildsAndKeepDifferentOnesApart()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """
            { "profiles": {
                "a": { "command": "echo \"src/main.c:10:5: error: 'count' undeclared (first use in this function)\"; exit 1" },
                "b": { "command": "echo \"/home/runner/work/app/app/src/util.c:99:1: error: 'total' undeclared (first use in this function)\"; exit 1" },
                "c": { "command": "echo \"src/main.c:3:1: error: expected ';' before 'return'\"; exit 1" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        foreach (var profile in new[] { "a", "b", "c" })
        {
            await server.WaitForBuildAsync(await server.RunBuildAsync(profile));
        }

        var recurring = (await server.GetJsonAsync("llm/learning/patterns")).GetProperty("patterns");
        var all = (await server.GetJsonAsync("llm/learning/patterns?min_builds=1")).GetProperty("patterns");

        var pattern = Assert.Single(recurring.EnumerateArray());
        Assert.Equal(2, pattern.GetProperty("builds").GetInt32());
        Assert.Equal(2, pattern.GetProperty("occurrences").GetInt32());
        Assert.Equal("<q> undeclared (first use in this function)", pattern.GetProperty("template").GetString());
        Assert.Equal("gcc", pattern.GetProperty("tool").GetString());
        Assert.Equal(2, all.GetArrayLength());

        var project = Path.GetFileName(workspace.Path);
        Assert.Equal(1, (await server.GetJsonAsync($"llm/learning/patterns?project={project}")).GetProperty("patterns").GetArrayLength());
        Assert.Equal(0, (await server.GetJsonAsync("llm/learning/patterns?project=other")).GetProperty("patterns").GetArrayLength());
        Assert.Equal(0, (await server.GetJsonAsync("llm/learning/patterns?since=2999-01-01")).GetProperty("patterns").GetArrayLength());
        Assert.Equal(1, (await server.GetJsonAsync("llm/learning/patterns?days=1")).GetProperty("patterns").GetArrayLength());
    }

    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("days=0", "days")]
    [InlineData("min_builds=0", "min_builds")]
    [InlineData("limit=1000", "limit")]
    [InlineData("severity=fatal", "severity")]
    public async Task Patterns_BadQuery_Returns400(string query, string field)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, $"llm/learning/patterns?{query}");

        Assert.Equal(400, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task RunBuild_RedactsSecretsBeforeTheLogIsStored()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """
            { "profiles": { "leaky": {
                "command": "echo token ghp_abcdefghijklmnopqrstuvwxyz0123456789; echo \"deploy key $DEPLOY_TOKEN\"; echo configured s3cr3t-literal-value; echo url https://bob:hunter22@example.invalid/x; echo ok",
                "env": { "DEPLOY_TOKEN": "deploy-value-1234" } } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?>
        {
            ["BuildLore:Redaction:Literals:0"] = "s3cr3t-literal-value",
        });

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        var log = build.GetProperty("log").GetString()!;
        Assert.DoesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789", log, StringComparison.Ordinal);
        Assert.DoesNotContain("deploy-value-1234", log, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-literal-value", log, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", log, StringComparison.Ordinal);
        Assert.Contains("ok\n", log, StringComparison.Ordinal);
        Assert.Equal(4, build.GetProperty("redactions").GetInt32());
    }

    [Fact]
    public async Task RunBuild_AppliesTheWorkspacesProblemMatchersAndFailureCauses()
    {
        using var workspace = new TempDirectory();
        workspace.Write("ci/matchers.json", """
            { "problemMatcher": [ { "owner": "house-lint", "severity": "warning",
                "pattern": [ { "regexp": "^LINT (\\S+):(\\d+) (.*)$", "file": 1, "line": 2, "message": 3 } ] } ] }
            """);
        workspace.Write("ci/causes.json", """
            { "causes": [ { "name": "Database went away", "description": "The test database dropped the connection (${1,1}).",
                "categories": ["infrastructure"], "indications": [ { "pattern": ".*connection to db lost: (\\w+).*" } ] } ] }
            """);
        WriteProfiles(workspace, """
            { "problem_matchers": ["ci/matchers.json"], "failure_causes": ["ci/causes.json"],
              "profiles": { "b": { "command": "echo 'LINT src/app.py:12 line too long'; echo 'fatal: connection to db lost: ECONNRESET'; exit 1" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        var lint = build.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("tool").GetString() == "house-lint");
        Assert.Equal("warning", lint.GetProperty("severity").GetString());
        Assert.Equal("src/app.py", lint.GetProperty("file").GetString());
        Assert.Equal(12, lint.GetProperty("line").GetInt32());
        Assert.Equal("infrastructure", build.GetProperty("category").GetString());
        // The owner's cause first; the built-in one the same line shows (ECONNRESET) after it.
        var causes = build.GetProperty("failure_causes").EnumerateArray().ToList();
        Assert.Equal(["Database went away", "Network failure"], causes.Select(c => c.GetProperty("name").GetString()));
        var cause = causes[0];
        Assert.Equal("The test database dropped the connection (ECONNRESET).", cause.GetProperty("description").GetString());
        Assert.Equal([2L], cause.GetProperty("log_lines").EnumerateArray().Select(l => l.GetInt64()));
    }

    [Fact]
    public async Task RunBuild_WithAnInvalidRuleFile_StillBuildsWithTheBuiltInRules()
    {
        using var workspace = new TempDirectory();
        workspace.Write("ci/matchers.json", """{ "problemMatcher": [ { "owner": "", "pattern": [] } ] }""");
        WriteProfiles(workspace, """
            { "problem_matchers": ["ci/matchers.json"], "profiles": { "b": { "command": "echo 'main.c:1:1: error: boom'; exit 1" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal("gcc", build.GetProperty("diagnostics")[0].GetProperty("tool").GetString());
    }
}
