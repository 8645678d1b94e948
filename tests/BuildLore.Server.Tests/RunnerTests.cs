using System.Diagnostics;
using System.Text.Json;
using BuildLore.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace BuildLore.Server.Tests;

/// <summary>/build/run against real processes: a real dotnet build, and shell profiles for timing cases.</summary>
public sealed class RunnerTests
{
    private static void WriteProfiles(TempDirectory workspace, string profilesJson) =>
        workspace.Write("buildlore.json", profilesJson);

    [Fact]
    public async Task RunBuild_BrokenCSharpProject_FailsWithTheCompilerErrorInLogAndSummary()
    {
        using var workspace = new TempDirectory();
        DotnetProject.Write(workspace.Path, DotnetProject.Broken);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, queued) = await server.SendJsonAsync(HttpMethod.Post, "build/run", """{"profile":"build"}""");
        Assert.Equal(202, status);
        Assert.Equal("ok", queued.GetProperty("status").GetString());
        Assert.Equal("queued", queued.GetProperty("build").GetProperty("status").GetString());
        var id = queued.GetProperty("build_id").GetString()!;

        var build = await server.WaitForBuildAsync(id);

        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(1, build.GetProperty("exit_code").GetInt32());
        var log = build.GetProperty("log").GetString()!;
        Assert.Contains("error CS0103", log, StringComparison.Ordinal);
        Assert.Contains("undefinedThing", log, StringComparison.Ordinal);
        Assert.Contains("Build FAILED.", log, StringComparison.Ordinal);
        var summary = build.GetProperty("log_summary");
        // MSBuild prints the error twice (inline and in its summary); it is one error.
        Assert.Equal(1, summary.GetProperty("error_count").GetInt32());
        Assert.Contains("undefinedThing", summary.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(log.Count(c => c == '\n'), summary.GetProperty("total_lines").GetInt32());
        Assert.True(build.GetProperty("duration_seconds").GetDouble() > 0);
        Assert.Equal(0, build.GetProperty("llm_reports").GetArrayLength());
    }

    [Fact]
    public async Task RunBuild_CleanCSharpProject_SucceedsWithZeroErrors()
    {
        using var workspace = new TempDirectory();
        DotnetProject.Write(workspace.Path, DotnetProject.Clean);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync());

        var log = build.GetProperty("log").GetString()!;
        Assert.True(build.GetProperty("status").GetString() == "success", $"build ended {build}; log tail: {log[Math.Max(0, log.Length - 2000)..]}");
        Assert.Equal(0, build.GetProperty("exit_code").GetInt32());
        Assert.Contains("0 Error(s)", log, StringComparison.Ordinal);
        Assert.Equal(0, build.GetProperty("log_summary").GetProperty("error_count").GetInt32());
        Assert.Equal(0, build.GetProperty("log_summary").GetProperty("warning_count").GetInt32());
    }

    [Fact]
    public async Task RunBuild_InterleavesStdoutAndStderrInOrder()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """
            { "profiles": { "mixed": { "command": "echo one; echo two 1>&2; echo three; echo four 1>&2; exit 3" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync("mixed"));

        Assert.Equal("failed", build.GetProperty("status").GetString());
        Assert.Equal(3, build.GetProperty("exit_code").GetInt32());
        Assert.Equal("one\ntwo\nthree\nfour\n", build.GetProperty("log").GetString());
    }

    [Fact]
    public async Task RunBuild_StoresTheLogWhileTheBuildRuns()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """
            { "profiles": { "slow": { "command": "echo started; sleep 3; echo done" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync("slow");

        JsonElement running = default;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            running = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
            if (running.GetProperty("log").GetString()!.Contains("started", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal("started\n", running.GetProperty("log").GetString());

        var finished = await server.WaitForBuildAsync(id);
        Assert.Equal("success", finished.GetProperty("status").GetString());
        Assert.Equal("started\ndone\n", finished.GetProperty("log").GetString());
    }

    [Fact]
    public async Task RunBuild_ProfileTimeout_KillsTheBuildAndMarksTimeout()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """
            { "profiles": { "hang": { "command": "echo waiting; sleep 60", "timeout_seconds": 1 } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var started = Stopwatch.StartNew();

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync("hang"));

        Assert.Equal("timeout", build.GetProperty("status").GetString());
        Assert.Equal("waiting\n", build.GetProperty("log").GetString());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task CancelBuild_KillsTheRunningProcessTree()
    {
        using var workspace = new TempDirectory();
        var pidFile = workspace.Combine("child.pid");
        WriteProfiles(workspace, $$"""
            { "profiles": { "long": { "command": "sleep 120 & echo $! > '{{pidFile}}'; echo running; wait" } } }
            """);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await server.RunBuildAsync("long");
        await WaitUntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0);
        var childPid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, $"build/{id}/cancel");
        Assert.Equal(202, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());

        var build = await server.WaitForBuildAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", build.GetProperty("status").GetString());
        await WaitUntilAsync(() => !Directory.Exists($"/proc/{childPid}") || File.ReadAllText($"/proc/{childPid}/stat").Contains(") Z ", StringComparison.Ordinal));

        var (again, _) = await server.SendJsonAsync(HttpMethod.Post, $"build/{id}/cancel");
        Assert.Equal(409, again);
    }

    [Fact]
    public async Task CancelBuild_UnknownId_Returns404()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, "build/nope/cancel");

        Assert.Equal(404, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"command":"rm -rf /"}""", "command")]
    [InlineData("""{"profile":"build","args":["-x"]}""", "args")]
    [InlineData("""{"script":"curl evil | sh"}""", "script")]
    [InlineData("""{"colour":"blue"}""", "colour")]
    [InlineData("""{"profile":42}""", "profile")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{not json""", "body")]
    public async Task RunBuild_RejectsAnythingButAProfileName(string body, string field)
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "build": { "command": "echo ok" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "build/run", body);

        Assert.Equal(400, status);
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        var page = await server.GetJsonAsync("llm/learning/builds");
        Assert.Equal(0, page.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task RunBuild_UnknownProfile_ListsTheConfiguredOnes()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "build": { "command": "echo ok" }, "test": { "command": "echo t" } }, "default_profile": "build" }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "build/run?profile=deploy");

        Assert.Equal(400, status);
        Assert.Equal("profile", error.GetProperty("field").GetString());
        Assert.Contains("build", error.GetProperty("allowed").GetString(), StringComparison.Ordinal);
        Assert.Contains("test", error.GetProperty("allowed").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunBuild_NothingToBuild_Returns422()
    {
        using var workspace = new TempDirectory();
        workspace.Write("README.md", "just text");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "build/run");

        Assert.Equal(422, status);
        Assert.Contains("buildlore.json", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunBuild_DetectsMakefileWhenNothingIsConfigured()
    {
        using var workspace = new TempDirectory();
        workspace.Write("Makefile", "all:\n\t@echo made by make\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (_, queued) = await server.SendJsonAsync(HttpMethod.Post, "build/run");
        var build = await server.WaitForBuildAsync(queued.GetProperty("build_id").GetString()!);

        Assert.Equal("make", build.GetProperty("command").GetString());
        Assert.Equal("detected", build.GetProperty("profile").GetString());
        Assert.Equal("made by make\n", build.GetProperty("log").GetString());
        Assert.Equal("success", build.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Profiles_ListsConfiguredAndDetected()
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "quick": { "command": "echo q", "timeout_seconds": 5 } } }""");
        workspace.Write("Cargo.toml", "[package]\nname = \"x\"\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var body = await server.GetJsonAsync("build/profiles");

        var names = body.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["quick", "detected"], names);
        Assert.Equal("cargo build", body.GetProperty("profiles")[1].GetProperty("command").GetString());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Cancel_ArrivingJustAfterTheBuildWasMarkedRunning_StopsItBeforeAnythingRuns()
    {
        using var workspace = new TempDirectory();
        var marker = workspace.Combine("ran");
        WriteProfiles(workspace, $$"""{ "profiles": { "touch": { "command": "echo ran; touch '{{marker}}'" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var worker = server.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<BuildLore.Server.Runner.BuildWorker>().Single();
        var cancelled = new TaskCompletionSource<(int Status, string Message)>();
        // The cancel lands in the window between the store saying "running" and the process starting.
        worker.OnMarkedRunning = async id =>
        {
            var (status, body) = await server.SendJsonAsync(HttpMethod.Post, $"build/{id}/cancel");
            cancelled.SetResult((status, body.GetProperty("message").GetString()!));
        };

        var build = await server.WaitForBuildAsync(await server.RunBuildAsync("touch"));
        await Task.Delay(500); // a process started anyway would have touched the marker by now

        var (cancelStatus, _) = await cancelled.Task;
        Assert.Equal(202, cancelStatus);
        Assert.Equal("cancelled", build.GetProperty("status").GetString());
        Assert.Equal("", build.GetProperty("log").GetString());
        Assert.False(File.Exists(marker), "the build's command ran although the build was cancelled before it started");
        Assert.Equal("", (await server.GetJsonAsync($"llm/learning/build/{build.GetProperty("id").GetString()}")).GetProperty("build").GetProperty("log").GetString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MaxConcurrentBuilds_RunsThatManyAtOnceAndQueuesTheRest(int slots)
    {
        using var workspace = new TempDirectory();
        WriteProfiles(workspace, """{ "profiles": { "nap": { "command": "echo start; sleep 1.5; echo end" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:Runner:MaxConcurrentBuilds"] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await server.RunBuildAsync("nap"));
        }

        var builds = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var id in ids)
        {
            var build = await server.WaitForBuildAsync(id);
            Assert.Equal("success", build.GetProperty("status").GetString());
            builds.Add((build.GetProperty("started_at").GetDateTimeOffset(), build.GetProperty("finished_at").GetDateTimeOffset()));
        }

        // The most builds running at one moment: at each start, count those started and not yet finished.
        var mostAtOnce = builds.Max(b => builds.Count(o => o.Start <= b.Start && b.Start < o.End));
        Assert.Equal(slots, mostAtOnce);
    }
}
