using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/build/{id}/compare against the last green build.</summary>
public sealed class CompareTests
{
    [Fact]
    public async Task Compare_ListsWhatIsNewSinceTheLastGreenBuild()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        async Task<string> PushAsync(string commit, string log, string status)
        {
            var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"shop","branch":"main","commit":"{{commit}}"}""");
            var id = created.GetProperty("build_id").GetString()!;
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", log, "text/plain");
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", $$"""{"status":"{{status}}"}""");
            return id;
        }

        var green = await PushAsync("aaa111", "src/a.c:1:1: warning: unused variable 'x'\nok\n", "success");
        var red = await PushAsync("bbb222", "src/b.c:9:3: error: 'y' undeclared (first use in this function)\n", "failed");

        var compare = await server.GetJsonAsync($"llm/learning/build/{red}/compare");
        var first = await server.GetJsonAsync($"llm/learning/build/{green}/compare");

        Assert.Equal(green, compare.GetProperty("baseline").GetProperty("id").GetString());
        var added = Assert.Single(compare.GetProperty("new_diagnostics").EnumerateArray());
        Assert.Equal("src/b.c", added.GetProperty("file").GetString());
        var resolved = Assert.Single(compare.GetProperty("resolved_diagnostics").EnumerateArray());
        Assert.Equal("warning", resolved.GetProperty("severity").GetString());
        Assert.Equal("aaa111", compare.GetProperty("commits").GetProperty("from").GetString());
        Assert.Equal("bbb222", compare.GetProperty("commits").GetProperty("to").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("baseline").ValueKind);
        // The workspace is no git repository: which files changed cannot be told.
        Assert.Equal(System.Text.Json.JsonValueKind.Null, compare.GetProperty("changed_files").ValueKind);
    }

    [Fact]
    public async Task Compare_ListsTheFilesChangedSinceTheLastGreenCommit()
    {
        using var workspace = new TempDirectory();
        Git.Init(workspace.Path);
        workspace.Write("src/a.c", "int a;\n");
        workspace.Write("src/b.c", "int b;\n");
        Git.CommitAll(workspace.Path, "green");
        var green = Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        workspace.Write("src/b.c", "int b = y;\n");
        workspace.Write("src/c.c", "int c;\n");
        Git.CommitAll(workspace.Path, "red");
        var red = Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        await using var server = await TestServer.StartAsync(workspace.Path);

        async Task<string> PushAsync(string commit, string status)
        {
            var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"shop","branch":"main","commit":"{{commit}}"}""");
            var id = created.GetProperty("build_id").GetString()!;
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", $$"""{"status":"{{status}}"}""");
            return id;
        }

        await PushAsync(green, "success");
        var failed = await PushAsync(red, "failed");
        await PushAsync("--output=/tmp/x", "success");
        var injected = await PushAsync(red, "failed");

        var compare = await server.GetJsonAsync($"llm/learning/build/{failed}/compare");
        var refused = await server.GetJsonAsync($"llm/learning/build/{injected}/compare");

        Assert.Equal(["src/b.c", "src/c.c"], compare.GetProperty("changed_files").EnumerateArray().Select(f => f.GetString()));
        // A commit id that is not hexadecimal never reaches git's command line.
        Assert.Equal(System.Text.Json.JsonValueKind.Null, refused.GetProperty("changed_files").ValueKind);
    }

    private static readonly string Reports = Path.Combine(AppContext.BaseDirectory, "Fixtures", "TestReports");

    [Fact]
    public async Task Compare_ListsTestsThatFailNowAndDidNotInTheLastGreenBuild_FromRealReports()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        async Task<string> PushAsync(string commit, string status, params string[] reports)
        {
            var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"shop","branch":"main","commit":"{{commit}}"}""");
            var id = created.GetProperty("build_id").GetString()!;
            foreach (var report in reports)
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(Reports, report)));
                using var response = await server.Http.PostAsync($"llm/learning/build/{id}/tests", content);
                Assert.True(response.IsSuccessStatusCode, $"{report}: {(int)response.StatusCode}");
            }

            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", $$"""{"status":"{{status}}"}""");
            return id;
        }

        // An older red build, then the green one the compare must use, then the new red build. The
        // jest suite fails in both (a job allowed to fail): not new.
        await PushAsync("c0", "failed", "xunit.trx", "node-test-junit.xml");
        var green = await PushAsync("c1", "success", "xunit-green.trx", "node-test-junit-green.xml", "jest-junit.xml");
        var red = await PushAsync("c2", "failed", "xunit.trx", "node-test-junit.xml", "jest-junit.xml");

        var compare = await server.GetJsonAsync($"llm/learning/build/{red}/compare");

        Assert.Equal(green, compare.GetProperty("baseline").GetProperty("id").GetString());
        var newlyFailing = compare.GetProperty("newly_failing_tests").EnumerateArray().ToList();
        Assert.Equal(2, newlyFailing.Count);
        var divide = Assert.Single(newlyFailing, t => t.GetProperty("name").GetString()!.EndsWith("Divide_RoundsDown", StringComparison.Ordinal));
        Assert.Contains("Assert.Equal() Failure", divide.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("passed", divide.GetProperty("baseline_outcome").GetString());
        var discount = Assert.Single(newlyFailing, t => t.GetProperty("name").GetString()!.Contains("total applies bulk discount", StringComparison.Ordinal));
        Assert.Equal("passed", discount.GetProperty("baseline_outcome").GetString());
        Assert.DoesNotContain(newlyFailing, t => t.GetProperty("name").GetString()!.Contains("strips punctuation", StringComparison.Ordinal));
        Assert.Equal("c1", compare.GetProperty("commits").GetProperty("from").GetString());
        Assert.Equal("c2", compare.GetProperty("commits").GetProperty("to").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, compare.GetProperty("duration_delta_seconds").ValueKind);
        // The green build has no green build before it: its one failure counts as new.
        var first = await server.GetJsonAsync($"llm/learning/build/{green}/compare");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("baseline").ValueKind);
        var jest = Assert.Single(first.GetProperty("newly_failing_tests").EnumerateArray());
        Assert.Contains("strips punctuation", jest.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, jest.GetProperty("baseline_outcome").ValueKind);
    }
}
