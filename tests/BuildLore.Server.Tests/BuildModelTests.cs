using System.Text.Json;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>
/// Every field of the build model (project, branch, commit, its message, author, CI provider, job name
/// and URL, trigger, times, duration, exit code, status) from ingestion to the list and the detail;
/// and the time of each line of a log.
/// </summary>
public sealed class BuildModelTests
{
    private static readonly string[] OriginFields = ["project", "branch", "commit", "commit_message", "author", "ci_provider", "job_name", "job_url", "trigger"];

    [Fact]
    public async Task PushedBuild_EveryFieldOfTheModel_IsInTheListAndTheDetail()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var sent = new Dictionary<string, string>
        {
            ["project"] = "shop", ["branch"] = "feature/cart", ["commit"] = "3f2a9c1d", ["commit_message"] = "Fix the cart total",
            ["author"] = "ada", ["ci_provider"] = "gitlab", ["job_name"] = "build (linux)", ["job_url"] = "https://ci.example/jobs/7", ["trigger"] = "pull_request",
        };

        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", JsonSerializer.Serialize(sent));
        var id = created.GetProperty("build_id").GetString()!;
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", "compiling\n", "text/plain");
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed","exit_code":2}""");

        var listed = (await server.GetJsonAsync("llm/learning/builds?log=none")).GetProperty("builds")[0];
        var detail = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");
        foreach (var build in new[] { created.GetProperty("build"), listed, detail })
        {
            foreach (var field in OriginFields)
            {
                Assert.Equal(sent[field], build.GetProperty(field).GetString());
            }
        }

        foreach (var build in new[] { listed, detail })
        {
            Assert.Equal("failed", build.GetProperty("status").GetString());
            Assert.Equal(2, build.GetProperty("exit_code").GetInt32());
            var started = build.GetProperty("started_at").GetDateTimeOffset();
            var finished = build.GetProperty("finished_at").GetDateTimeOffset();
            Assert.True(finished >= started);
            Assert.Equal((finished - started).TotalSeconds, build.GetProperty("duration_seconds").GetDouble(), 3);
        }
    }

    [Fact]
    public async Task Upload_TakesTheTriggerFromTheQuery()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds/upload?project=shop&trigger=schedule&exit_code=0", "nightly ok\n", "text/plain");

        Assert.Equal(201, status);
        Assert.Equal("schedule", created.GetProperty("build").GetProperty("trigger").GetString());
    }

    [Theory]
    [InlineData("""{"trigger":"Pull Request"}""")]
    [InlineData("""{"trigger":"push;drop"}""")]
    [InlineData("""{"trigger":"push "}""")]
    public async Task CreateBuild_ATriggerThatIsNotOneWord_IsRefusedWithTheField(string body)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", body);

        Assert.Equal(400, status);
        Assert.Equal("trigger", error.GetProperty("field").GetString());
        Assert.Contains("pull_request", error.GetProperty("allowed").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunnerBuild_IsTriggeredByTheApi_OnTheCheckedOutBranchAndCommit()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo ok" } } }""");
        const string Commit = "0123456789abcdef0123456789abcdef01234567";
        workspace.Write(".git/HEAD", "ref: refs/heads/main\n");
        workspace.Write(".git/packed-refs", $"# pack-refs with: peeled fully-peeled sorted\n{Commit} refs/heads/main\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        Assert.Equal("api", build.GetProperty("trigger").GetString());
        Assert.Equal("main", build.GetProperty("branch").GetString());
        Assert.Equal(Commit, build.GetProperty("commit").GetString());
    }

    [Fact]
    public async Task RunnerBuild_TimesEachLineAsTheProcessPrintsIt_AndKeepsTheTextRaw()
    {
        using var workspace = new TempDirectory();
        // Four lines, 0.8 s apart, on both streams.
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "for i in 1 2 3 4; do echo \"line $i\"; echo \"warn $i\" >&2; sleep 0.8; done" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());
        var log = await server.GetJsonAsync($"llm/learning/build/{build.GetProperty("id").GetString()}/log?timestamps=true");
        var plain = await server.GetJsonAsync($"llm/learning/build/{build.GetProperty("id").GetString()}/log");

        Assert.Equal("line 1\nwarn 1\nline 2\nwarn 2\nline 3\nwarn 3\nline 4\nwarn 4\n", build.GetProperty("log").GetString());
        var lines = log.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(8, lines.Count);
        var times = lines.Select(l => l.GetProperty("time").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        var started = build.GetProperty("started_at").GetDateTimeOffset();
        var finished = build.GetProperty("finished_at").GetDateTimeOffset();
        Assert.All(times, t => Assert.InRange(t, started.AddSeconds(-1), finished.AddSeconds(1)));
        // Each pair was printed 0.8 s after the one before; the loose bound tolerates a busy machine.
        for (var i = 2; i < times.Count; i += 2)
        {
            Assert.True(times[i] - times[i - 2] >= TimeSpan.FromSeconds(0.4), $"line {i + 1} came {(times[i] - times[i - 2]).TotalSeconds:0.000} s after line {i - 1}");
        }

        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(2), $"the lines span {(times[^1] - times[0]).TotalSeconds:0.000} s");
        Assert.All(plain.GetProperty("lines").EnumerateArray(), l => Assert.False(l.TryGetProperty("time", out _)));
    }

    [Fact]
    public async Task PushedChunks_TimeTheirLinesWhenTheyArrive()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var id = created.GetProperty("build_id").GetString()!;

        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=1", "one\ntwo\nthr", "text/plain");
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(300);
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/log?seq=2", "ee\nfour\n", "text/plain");
        var after = DateTimeOffset.UtcNow.AddMilliseconds(1);

        var lines = (await server.GetJsonAsync($"llm/learning/build/{id}/log?timestamps=true")).GetProperty("lines").EnumerateArray().ToList();

        Assert.Equal(["one", "two", "three", "four"], lines.Select(l => l.GetProperty("text").GetString()));
        var times = lines.Select(l => l.GetProperty("time").GetDateTimeOffset()).ToList();
        // "three" began in the first chunk, so it has the first chunk's time.
        Assert.All(times.Take(3), t => Assert.InRange(t, before, between.AddMilliseconds(1)));
        Assert.InRange(times[3], between.AddMilliseconds(299), after);
    }

    [Fact]
    public async Task Log_TimestampsMustBeTrueOrFalse()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");

        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, $"llm/learning/build/{created.GetProperty("build_id").GetString()}/log?timestamps=yes");

        Assert.Equal(400, status);
        Assert.Equal("timestamps", error.GetProperty("field").GetString());
    }
}
