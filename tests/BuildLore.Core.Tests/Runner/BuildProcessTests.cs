using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BuildLore.Core.Runner;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Runner;

/// <summary>BuildProcess with real /bin/sh processes.</summary>
public sealed partial class BuildProcessTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _workspace = new("buildlore-process");

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task RunAsync_KeepsStdoutAndStderrInTheirRealOrder()
    {
        var output = new OutputRecorder();

        var outcome = await BuildProcess.RunAsync(Profile("echo out; echo err 1>&2; echo out2"), _workspace.Path, Generous, output.OnOutput);

        Assert.Equal("out\nerr\nout2\n", output.Text);
        Assert.Equal(new ProcessOutcome(0, TimedOut: false, Cancelled: false), outcome);
    }

    [Fact]
    public async Task RunAsync_KeepsInterleavingOfManyAlternatingWrites()
    {
        var output = new OutputRecorder();
        const string command = """i=0; while [ $i -lt 300 ]; do echo "o$i"; echo "e$i" 1>&2; i=$((i+1)); done""";

        await BuildProcess.RunAsync(Profile(command), _workspace.Path, Generous, output.OnOutput);

        var expected = string.Concat(Enumerable.Range(0, 300).Select(i => $"o{i}\ne{i}\n"));
        Assert.Equal(expected, output.Text);
    }

    [Fact]
    public async Task RunAsync_DeliversLargeOutputCompletelyAndInOrder()
    {
        var output = new OutputRecorder();

        var outcome = await BuildProcess.RunAsync(Profile("seq 1 100000"), _workspace.Path, Generous, output.OnOutput);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(1, 100000).Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n")), output.Text);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("true", 0)]
    [InlineData("false", 1)]
    [InlineData("echo partial; exit 255", 255)]
    [InlineData("definitely-not-a-command-buildlore", 127)]
    public async Task RunAsync_PropagatesExitCode(string command, int expected)
    {
        var outcome = await BuildProcess.RunAsync(Profile(command), _workspace.Path, Generous, (_, _) => Task.CompletedTask);

        Assert.Equal(expected, outcome.ExitCode);
        Assert.False(outcome.TimedOut);
        Assert.False(outcome.Cancelled);
    }

    [Fact]
    public async Task RunAsync_ClosesStandardInput()
    {
        var output = new OutputRecorder();

        var outcome = await BuildProcess.RunAsync(Profile("cat; echo after-cat"), _workspace.Path, TimeSpan.FromSeconds(10), output.OnOutput);

        Assert.False(outcome.TimedOut);
        Assert.Equal("after-cat\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_TimesOutAndReturnsWithinSeconds()
    {
        var output = new OutputRecorder();
        var watch = Stopwatch.StartNew();

        var outcome = await BuildProcess.RunAsync(Profile("echo started; sleep 30"), _workspace.Path, TimeSpan.FromSeconds(1), output.OnOutput);

        watch.Stop();
        Assert.True(outcome.TimedOut);
        Assert.False(outcome.Cancelled);
        Assert.Null(outcome.ExitCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
        Assert.Equal("started\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_TimeoutKillsTheWholeProcessTree()
    {
        const string command = "sleep 300 & echo $! > grandchild.pid; wait";

        var outcome = await BuildProcess.RunAsync(Profile(command), _workspace.Path, TimeSpan.FromSeconds(1), (_, _) => Task.CompletedTask);

        Assert.True(outcome.TimedOut);
        var pid = int.Parse(File.ReadAllText(_workspace.Combine("grandchild.pid")).Trim(), CultureInfo.InvariantCulture);
        Assert.True(await IsGoneWithinAsync(pid, TimeSpan.FromSeconds(2)), $"grandchild sleep (pid {pid}) survived the timeout");
    }

    [Fact]
    public async Task RunAsync_CancellationKillsTheWholeProcessTree()
    {
        using var cancel = new CancellationTokenSource();
        var output = new OutputRecorder();
        int? grandchild = null;
        var grandchildWasAlive = false;
        var watch = Stopwatch.StartNew();

        var outcome = await BuildProcess.RunAsync(
            Profile("""sh -c 'sleep 300 & echo "pid:$!"; wait'; echo never"""),
            _workspace.Path,
            Generous,
            async (text, ct) =>
            {
                await output.OnOutput(text, ct);
                if (grandchild is null && PidLine().Match(output.Text) is { Success: true } match)
                {
                    grandchild = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    grandchildWasAlive = IsAlive(grandchild.Value);
                    cancel.CancelAfter(TimeSpan.FromMilliseconds(100));
                }
            },
            cancel.Token);

        watch.Stop();
        Assert.True(outcome.Cancelled);
        Assert.False(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        Assert.NotNull(grandchild);
        Assert.True(grandchildWasAlive);
        Assert.True(await IsGoneWithinAsync(grandchild.Value, TimeSpan.FromSeconds(2)), $"great-grandchild sleep (pid {grandchild}) survived the cancellation");
        Assert.DoesNotContain("never", output.Text, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_RunsTheBuildInAProcessGroupOfItsOwn()
    {
        var output = new OutputRecorder();

        await BuildProcess.RunAsync(Profile("""echo "pid:$$ group:$(cut -d' ' -f5 /proc/$$/stat)" """), _workspace.Path, Generous, output.OnOutput);

        var match = Regex.Match(output.Text, @"pid:(\d+) group:(\d+)");
        Assert.True(match.Success, output.Text);
        Assert.Equal(match.Groups[1].Value, match.Groups[2].Value);
        var ownGroup = File.ReadAllText("/proc/self/stat").Split(' ')[4];
        Assert.NotEqual(ownGroup, match.Groups[2].Value);
    }

    [Fact]
    public async Task RunAsync_CancellationAlsoKillsAProcessThatLeftTheTreeHoldingTheOutput()
    {
        using var cancel = new CancellationTokenSource();
        var output = new OutputRecorder();
        int? orphan = null;
        var orphanWasAlive = false;

        // The subshell starts sleep and exits at once: sleep is re-parented away from the build's tree
        // (a daemon does the same), yet keeps the output pipe open.
        var outcome = await BuildProcess.RunAsync(
            Profile("""( sleep 300 & echo "pid:$!" ); sleep 300; echo never"""),
            _workspace.Path,
            Generous,
            async (text, ct) =>
            {
                await output.OnOutput(text, ct);
                if (orphan is null && PidLine().Match(output.Text) is { Success: true } match)
                {
                    orphan = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    orphanWasAlive = IsAlive(orphan.Value);
                    cancel.CancelAfter(TimeSpan.FromMilliseconds(200));
                }
            },
            cancel.Token);

        Assert.True(outcome.Cancelled);
        Assert.NotNull(orphan);
        Assert.True(orphanWasAlive);
        try
        {
            Assert.True(await IsGoneWithinAsync(orphan.Value, TimeSpan.FromSeconds(2)), $"the orphaned sleep (pid {orphan}) survived the cancellation");
        }
        finally
        {
            if (IsAlive(orphan.Value))
            {
                using var sleep = Process.GetProcessById(orphan.Value);
                sleep.Kill();
            }
        }
    }

    [Fact]
    public async Task RunAsync_ReturnsAfterExitEvenWhenALeftoverChildHoldsTheOutput()
    {
        var output = new OutputRecorder();
        var watch = Stopwatch.StartNew();
        int? leftover = null;
        try
        {
            var outcome = await BuildProcess.RunAsync(Profile("""sleep 20 & echo "pid:$!"; echo done"""), _workspace.Path, Generous, output.OnOutput);

            watch.Stop();
            leftover = int.Parse(PidLine().Match(output.Text).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(0, outcome.ExitCode);
            Assert.EndsWith("done\n", output.Text, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"RunAsync took {watch.Elapsed}");
        }
        finally
        {
            if (leftover is { } pid && IsAlive(pid))
            {
                using var sleep = Process.GetProcessById(pid);
                sleep.Kill();
            }
        }
    }

    [Fact]
    public async Task RunAsync_PassesProfileEnvironment()
    {
        var output = new OutputRecorder();
        var profile = Profile("""printf '%s|%s\n' "$BUILD_GREETING" "$CI" """) with
        {
            Environment = new Dictionary<string, string> { ["BUILD_GREETING"] = "hello from profile", ["CI"] = "true" },
        };

        await BuildProcess.RunAsync(profile, _workspace.Path, Generous, output.OnOutput);

        Assert.Equal("hello from profile|true\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_HidesServerEnvironmentVariablesFromTheBuild()
    {
        var id = Guid.NewGuid().ToString("N");
        string secret = $"BUILDLORE_TEST_SECRET_{id}", lowerSecret = $"buildlore_test_lower_{id}", aspnet = $"ASPNETCORE_TEST_{id}", visible = $"BUILD_TEST_VISIBLE_{id}";
        Environment.SetEnvironmentVariable(secret, "s3cret-value");
        Environment.SetEnvironmentVariable(lowerSecret, "lower-value");
        Environment.SetEnvironmentVariable(aspnet, "aspnet-value");
        Environment.SetEnvironmentVariable(visible, "visible-value");
        try
        {
            var output = new OutputRecorder();

            await BuildProcess.RunAsync(Profile("env"), _workspace.Path, Generous, output.OnOutput);

            Assert.Contains($"{visible}=visible-value", output.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, output.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-value", output.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(lowerSecret, output.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(aspnet, output.Text, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(secret, null);
            Environment.SetEnvironmentVariable(lowerSecret, null);
            Environment.SetEnvironmentVariable(aspnet, null);
            Environment.SetEnvironmentVariable(visible, null);
        }
    }

    [Fact]
    public async Task RunAsync_RunsInTheProfileWorkingDirectory()
    {
        _workspace.Write("src/App/marker.txt", "in src/App\n");
        var output = new OutputRecorder();

        await BuildProcess.RunAsync(Profile("cat marker.txt; basename \"$(pwd -P)\"") with { WorkingDirectory = "src/App" }, _workspace.Path, Generous, output.OnOutput);

        Assert.Equal("in src/App\nApp\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_RunsInTheWorkspaceRootByDefault()
    {
        _workspace.Write("root-marker.txt", "at the root\n");
        var output = new OutputRecorder();

        await BuildProcess.RunAsync(Profile("cat root-marker.txt"), _workspace.Path, Generous, output.OnOutput);

        Assert.Equal("at the root\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_ThrowsWhenWorkingDirectoryIsMissing()
    {
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            BuildProcess.RunAsync(Profile("true") with { WorkingDirectory = "missing" }, _workspace.Path, Generous, (_, _) => Task.CompletedTask));
    }

    [Fact]
    public async Task RunAsync_DecodesUtf8Output()
    {
        var output = new OutputRecorder();

        await BuildProcess.RunAsync(Profile("printf 'caf\\303\\251 \\342\\234\\223\\n'"), _workspace.Path, Generous, output.OnOutput);

        Assert.Equal("café ✓\n", output.Text);
    }

    [Fact]
    public async Task RunAsync_AcceptsVeryLongTimeouts()
    {
        var output = new OutputRecorder();

        var outcome = await BuildProcess.RunAsync(Profile("echo hi"), _workspace.Path, TimeSpan.FromDays(60), output.OnOutput);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("hi\n", output.Text);
    }

    private static BuildProfile Profile(string command) => new() { Name = "test", Command = command };

    /// <summary>True when the process is gone or a zombie (killed, waiting only to be reaped).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    private static async Task<bool> IsGoneWithinAsync(int pid, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (IsAlive(pid))
        {
            if (watch.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    [GeneratedRegex(@"pid:(\d+)")]
    private static partial Regex PidLine();

    private sealed class OutputRecorder
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return _text.ToString();
                }
            }
        }

        public Task OnOutput(string text, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _text.Append(text);
            }

            return Task.CompletedTask;
        }
    }
}
