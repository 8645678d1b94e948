using System.Text;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>Test reports attached to builds, failed tests in the detail, and flaky tests across builds.</summary>
public sealed class TestResultsApiTests
{
    private static string JUnit(params (string Name, bool Passed)[] tests)
    {
        var xml = new StringBuilder("<testsuites><testsuite name=\"suite\">");
        foreach (var (name, passed) in tests)
        {
            xml.Append($"<testcase classname=\"app.Tests\" name=\"{name}\" time=\"0.01\">");
            xml.Append(passed ? "" : $"<failure message=\"{name} went wrong\">stack</failure>");
            xml.Append("</testcase>");
        }

        return xml.Append("</testsuite></testsuites>").ToString();
    }

    private static async Task<string> PushAsync(TestServer server, string commit, string report)
    {
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"shop","branch":"main","commit":"{{commit}}"}""");
        var id = created.GetProperty("build_id").GetString()!;
        var (status, _) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/tests", report, "application/xml");
        Assert.Equal(200, status);
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed"}""");
        return id;
    }

    [Fact]
    public async Task UploadedReport_ShowsInTheBuildsDetail()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var id = await PushAsync(server, "c1", JUnit(("adds", true), ("divides", false)));
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");

        var tests = build.GetProperty("tests");
        Assert.Equal(2, tests.GetProperty("total").GetInt32());
        Assert.Equal(1, tests.GetProperty("failed").GetInt32());
        var failed = Assert.Single(tests.GetProperty("failed_tests").EnumerateArray());
        Assert.Equal("app.Tests.divides", failed.GetProperty("name").GetString());
        Assert.Equal("divides went wrong", failed.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Flaky_FindsFlippingTestsAndTestsThatFailedAndPassedOnOneCommit()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        await PushAsync(server, "c1", JUnit(("flips", true), ("broke_once", true), ("same_commit", false)));
        await PushAsync(server, "c1", JUnit(("flips", false), ("broke_once", true), ("same_commit", true)));
        await PushAsync(server, "c2", JUnit(("flips", true), ("broke_once", false), ("same_commit", true)));

        var flaky = (await server.GetJsonAsync("llm/learning/tests/flaky?project=shop")).GetProperty("tests");

        var names = flaky.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("app.Tests.flips", names);
        Assert.Contains("app.Tests.same_commit", names);
        Assert.DoesNotContain("app.Tests.broke_once", names);
        var flips = flaky.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "app.Tests.flips");
        Assert.Equal(1.0, flips.GetProperty("flip_rate").GetDouble());
        Assert.Equal(3, flips.GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Upload_NotAReport_IsRefused()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var id = created.GetProperty("build_id").GetString()!;

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/tests", "<html/>", "application/xml");
        var (missing, _) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/build/nope/tests", JUnit(("a", true)), "application/xml");

        Assert.Equal(400, status);
        Assert.Equal("body", error.GetProperty("field").GetString());
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Flaky_FlipsOverCodeChangesAreNot_AFlipOverADocumentationChangeIs()
    {
        using var workspace = new TempDirectory();
        Git.Init(workspace.Path);
        string Commit(string file, string text)
        {
            workspace.Write(file, text);
            Git.CommitAll(workspace.Path, $"change {file}");
            return Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        }

        var a = Commit("src/cart.c", "int total;\n");
        var b = Commit("README.md", "# Shop\n");
        var c = Commit("src/cart.c", "int total = 0;\n");
        var d = Commit("src/cart.c", "long total = 0;\n");
        var e = Commit("src/cart.c", "long total;\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        // break_fix_break breaks, is fixed and breaks again over code changes; docs_flip fails right after a README edit.
        await PushAsync(server, a, JUnit(("break_fix_break", true), ("docs_flip", true)));
        await PushAsync(server, b, JUnit(("break_fix_break", true), ("docs_flip", false)));
        await PushAsync(server, c, JUnit(("break_fix_break", false), ("docs_flip", false)));
        await PushAsync(server, d, JUnit(("break_fix_break", true), ("docs_flip", false)));
        await PushAsync(server, e, JUnit(("break_fix_break", false), ("docs_flip", false)));

        var flaky = (await server.GetJsonAsync("llm/learning/tests/flaky?project=shop")).GetProperty("tests");

        var test = Assert.Single(flaky.EnumerateArray());
        Assert.Equal("app.Tests.docs_flip", test.GetProperty("name").GetString());
        Assert.Equal(1, test.GetProperty("flips").GetInt32());
        Assert.False(test.GetProperty("failed_and_passed_on_one_commit").GetBoolean());
    }
}
