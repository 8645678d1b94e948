using System.Diagnostics;
using BuildLore.Tests;

namespace BuildLore.Cli.Tests;

/// <summary><c>buildlore serve</c> as users run it: a separate process, configured by flags or environment.</summary>
public sealed class ServeCommandTests
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "buildlore.dll");

    internal sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _output = [];

        public ServerProcess(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Executable);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output { get { lock (_output) return string.Join('\n', _output); } }

        public async Task<Uri> WaitForAddressAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                lock (_output)
                {
                    var line = _output.FirstOrDefault(l => l.StartsWith("BuildLore listening on ", StringComparison.Ordinal));
                    if (line is not null)
                    {
                        return new Uri(line["BuildLore listening on ".Length..].Trim() + "/");
                    }
                }

                Assert.False(_process.HasExited, $"serve exited early: {Output}");
                await Task.Delay(50);
            }

            throw new TimeoutException($"serve printed no address: {Output}");
        }

        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        /// <summary>Kills the server the hard way (SIGKILL): no shutdown code runs.</summary>
        public void KillHard()
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exitCode, output) = await CliRunner.RunAsync("--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task Serve_WithNoConfiguration_UsesTheCurrentFolderAndADataFolderInIt()
    {
        using var workspace = new TempDirectory();
        workspace.Write("main.py", "print('hi')\n");
        using var server = new ServerProcess(workspace.Path, ["serve", "--port", "0"]);

        var address = await server.WaitForAddressAsync();
        using var http = new HttpClient { BaseAddress = address };
        var health = await http.GetAsync("health");
        var codebase = await http.GetStringAsync("llm/learning/codebase");

        Assert.True(health.IsSuccessStatusCode);
        Assert.Equal("127.0.0.1", address.Host);
        Assert.Contains($"\"workspace_root\":\"{Path.GetFileName(workspace.Path)}\"", codebase, StringComparison.Ordinal);
        Assert.Contains("main.py", codebase, StringComparison.Ordinal);
        Assert.True(File.Exists(workspace.Combine(".buildlore", "buildlore.db")));
    }

    [Fact]
    public async Task Serve_FlagsOverrideWorkspaceAndDataFolder()
    {
        using var cwd = new TempDirectory();
        using var workspace = new TempDirectory();
        using var data = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "hello": { "command": "echo flags work" } } }""");
        using var server = new ServerProcess(cwd.Path, ["serve", "--port", "0", "--host", "127.0.0.1", "--workspace", workspace.Path, "--data-dir", data.Path]);

        var address = await server.WaitForAddressAsync();
        using var http = new HttpClient { BaseAddress = address };
        var run = await http.PostAsync("build/run", null);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, run.StatusCode);
        Assert.True(File.Exists(Path.Combine(data.Path, "buildlore.db")));
        Assert.False(Directory.Exists(cwd.Combine(".buildlore")));
        Assert.False(Directory.Exists(workspace.Combine(".buildlore")));
    }

    [Fact]
    public async Task Serve_EnvironmentVariablesConfigureIt()
    {
        using var workspace = new TempDirectory();
        using var data = new TempDirectory();
        var port = FreePort.Get();
        using var server = new ServerProcess(Path.GetTempPath(), ["serve"], new Dictionary<string, string>
        {
            ["BUILDLORE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BUILDLORE_WORKSPACE"] = workspace.Path,
            ["BUILDLORE_DATA_DIR"] = data.Path,
        });

        var address = await server.WaitForAddressAsync();

        Assert.Equal(port, address.Port);
        Assert.True(File.Exists(Path.Combine(data.Path, "buildlore.db")));
    }

    [Fact]
    public async Task Serve_InvalidPort_ExitsWithAnError()
    {
        using var workspace = new TempDirectory();
        using var server = new ServerProcess(workspace.Path, ["serve", "--port", "70000"]);

        var exitCode = await server.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--port", server.Output, StringComparison.Ordinal);
    }

    /// <summary>True while the process runs (a zombie waiting to be reaped counts as gone).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int ReadPid(string file) => int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<bool> GoneWithinAsync(int pid, TimeSpan time)
    {
        var deadline = DateTime.UtcNow + time;
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>Leaves nothing of a build behind, whatever the test found: its whole process group (the shell leads it).</summary>
    private static void KillGroup(int leader) => BuildLore.Core.Runner.ProcessGroups.Signal(leader, 9);

    private static async Task WaitForLogLineAsync(HttpClient http, string buildId, string line)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The log endpoint, not the detail: the detail's "command" field holds the line too.
        while (!(await http.GetStringAsync($"llm/learning/build/{buildId}/log")).Contains($"\"text\":\"{line}\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the build's line '{line}' was never stored");
            await Task.Delay(100);
        }
    }

    private static async Task<string> StartBuildAsync(HttpClient http, string profile)
    {
        var run = await http.PostAsync($"build/run?profile={profile}", null);
        return System.Text.Json.JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement.GetProperty("build_id").GetString()!;
    }

    [Fact]
    public async Task KillNine_DuringABuildAndAnIngestion_RestartKeepsEveryAcknowledgedLine_MarksThemInterrupted_AndKillsTheBuildsProcesses()
    {
        using var workspace = new TempDirectory();
        using var data = new TempDirectory();
        var leaderFile = workspace.Combine("leader.pid");
        var childFile = workspace.Combine("child.pid");
        // The shell (the group's leader) waits in the foreground; a child runs in the background with its output elsewhere.
        workspace.Write("buildlore.json", $$"""{ "profiles": { "long": { "command": "sleep 300 > /dev/null 2>&1 & echo $! > '{{childFile}}'; echo $$ > '{{leaderFile}}'; echo started; sleep 120; echo never" } } }""");
        string runnerBuild, pushedBuild;
        using (var first = new ServerProcess(workspace.Path, ["serve", "--port", "0", "--data-dir", data.Path]))
        {
            using var http = new HttpClient { BaseAddress = await first.WaitForAddressAsync() };
            runnerBuild = await StartBuildAsync(http, "long");
            var created = await http.PostAsync("llm/learning/builds", new StringContent("{}"));
            pushedBuild = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("build_id").GetString()!;
            for (var seq = 1; seq <= 50; seq++)
            {
                var ack = await http.PostAsync($"llm/learning/build/{pushedBuild}/log?seq={seq}", new StringContent($"acknowledged line {seq}\n"));
                Assert.True(ack.IsSuccessStatusCode);
            }

            // Wait until the runner's first line is stored, then kill without warning.
            await WaitForLogLineAsync(http, runnerBuild, "started");
            first.KillHard();
        }

        var (leader, child) = (ReadPid(leaderFile), ReadPid(childFile));
        try
        {
            Assert.True(IsRunning(leader) && IsRunning(child), "the build's processes should outlive the killed server (they run in a session of their own)");

            using var second = new ServerProcess(workspace.Path, ["serve", "--port", "0", "--data-dir", data.Path]);
            using var again = new HttpClient { BaseAddress = await second.WaitForAddressAsync() };
            var runner = System.Text.Json.JsonDocument.Parse(await again.GetStringAsync($"llm/learning/build/{runnerBuild}")).RootElement.GetProperty("build");
            var pushed = System.Text.Json.JsonDocument.Parse(await again.GetStringAsync($"llm/learning/build/{pushedBuild}")).RootElement.GetProperty("build");

            Assert.Equal("error", runner.GetProperty("status").GetString());
            Assert.Equal("interrupted", runner.GetProperty("reason").GetString());
            Assert.Equal("started\n", runner.GetProperty("log").GetString());
            Assert.Equal("error", pushed.GetProperty("status").GetString());
            Assert.Equal(string.Concat(Enumerable.Range(1, 50).Select(i => $"acknowledged line {i}\n")), pushed.GetProperty("log").GetString());
            Assert.True(await GoneWithinAsync(leader, TimeSpan.FromSeconds(10)), "the interrupted build's shell still runs after the restart");
            Assert.True(await GoneWithinAsync(child, TimeSpan.FromSeconds(10)), "the interrupted build's child still runs after the restart");
        }
        finally
        {
            if (IsRunning(leader) || IsRunning(child))
            {
                KillGroup(leader); // a group with members keeps its id: this is still the build's
            }
        }
    }

    [Fact]
    public async Task KillNine_ThenTheBuildsShellExits_RestartStillKillsTheChildItLeftInItsGroup()
    {
        using var workspace = new TempDirectory();
        using var data = new TempDirectory();
        var leaderFile = workspace.Combine("leader.pid");
        var childFile = workspace.Combine("child.pid");
        // The shell ends soon after the server dies (its parent is gone); the background child stays in the group.
        workspace.Write("buildlore.json", $$"""{ "profiles": { "orphan": { "command": "sleep 300 > /dev/null 2>&1 & echo $! > '{{childFile}}'; echo $$ > '{{leaderFile}}'; echo started; while kill -0 $PPID 2>/dev/null; do sleep 0.1; done" } } }""");
        using (var first = new ServerProcess(workspace.Path, ["serve", "--port", "0", "--data-dir", data.Path]))
        {
            using var http = new HttpClient { BaseAddress = await first.WaitForAddressAsync() };
            await WaitForLogLineAsync(http, await StartBuildAsync(http, "orphan"), "started");
            first.KillHard();
        }

        var (leader, child) = (ReadPid(leaderFile), ReadPid(childFile));
        try
        {
            Assert.True(await GoneWithinAsync(leader, TimeSpan.FromSeconds(10)), "the build's shell should end once its server is gone");
            Assert.True(IsRunning(child), "the child should outlive its shell");

            using var second = new ServerProcess(workspace.Path, ["serve", "--port", "0", "--data-dir", data.Path]);
            await second.WaitForAddressAsync();

            Assert.True(await GoneWithinAsync(child, TimeSpan.FromSeconds(10)), "the interrupted build's child still runs after the restart");
        }
        finally
        {
            if (IsRunning(leader) || IsRunning(child))
            {
                KillGroup(leader); // a group with members keeps its id: this is still the build's
            }
        }
    }
}
