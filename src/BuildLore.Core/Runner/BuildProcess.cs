using System.Diagnostics;
using System.Text;

namespace BuildLore.Core.Runner;

/// <summary>How a build process ended.</summary>
public sealed record ProcessOutcome(int? ExitCode, bool TimedOut, bool Cancelled);

/// <summary>
/// Runs one build profile as a child process. Standard error is merged into standard output by the
/// shell itself (<c>exec 2>&amp;1</c>), so the log keeps the real order of both streams. Cancellation
/// and the profile's timeout kill the whole process tree; on Unix the build runs in a session and
/// process group of its own (<c>setsid</c>), and the whole group is killed, so that a process the
/// build left behind (a daemonized grandchild, no longer in the tree) dies with it.
/// </summary>
public static class BuildProcess
{
    // After the build's own process exits, children it left behind (build servers, daemons) may still
    // hold the output pipe open; wait this long for the last output, then stop reading.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary><c>setsid</c>, when the system has it: the build then leads a process group of its own.</summary>
    private static readonly string? Setsid = OperatingSystem.IsWindows() ? null
        : new[] { "/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid" }.FirstOrDefault(File.Exists);

    /// <summary>Environment variables of the server that a build must not see.</summary>
    private static readonly string[] ScrubbedPrefixes = ["BUILDLORE_", "ASPNETCORE_", "DOTNET_RUNNING_IN_CONTAINER"];

    public static Task<ProcessOutcome> RunAsync(
        BuildProfile profile,
        string workspaceRoot,
        TimeSpan timeout,
        Func<string, CancellationToken, Task> onOutput,
        CancellationToken cancellationToken = default) =>
        RunAsync(profile, workspaceRoot, timeout, onOutput, onGroupStarted: null, cancellationToken);

    /// <param name="profile">What to run.</param>
    /// <param name="workspaceRoot">The folder the profile's working folder is relative to.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="onOutput">Takes each piece of output, in order.</param>
    /// <param name="onGroupStarted">
    /// Told the id of the process group the build leads, once it has started (only where it leads one of its
    /// own: Unix with <c>setsid</c>), before any output is read; a failure here kills the build.
    /// </param>
    /// <param name="cancellationToken">Kills the build.</param>
    public static async Task<ProcessOutcome> RunAsync(
        BuildProfile profile,
        string workspaceRoot,
        TimeSpan timeout,
        Func<string, CancellationToken, Task> onOutput,
        Func<int, Task>? onGroupStarted,
        CancellationToken cancellationToken = default)
    {
        var workingDirectory = Path.GetFullPath(Path.Combine(workspaceRoot, profile.WorkingDirectory));
        if (!Directory.Exists(workingDirectory))
        {
            throw new DirectoryNotFoundException($"The profile's working folder '{profile.WorkingDirectory}' does not exist in the workspace.");
        }

        // Before the process starts: a timeout the timer cannot take must not leave a build running unsupervised.
        // CancellationTokenSource takes at most uint.MaxValue - 1 ms (about 49.7 days); longer means no limit.
        using var timeoutSource = timeout > MaxTimer || timeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(timeout);
        var start = CreateStartInfo(profile, workingDirectory);
        using var process = new Process { StartInfo = start };
        process.Start();
        process.StandardInput.Close();
        if (onGroupStarted is not null && Setsid is not null)
        {
            try
            {
                await onGroupStarted(process.Id).ConfigureAwait(false);
            }
            catch
            {
                KillAll(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var stopForwarding = new CancellationTokenSource();
        var pump = PumpAsync(process.StandardOutput, onOutput, stopForwarding.Token);

        bool timedOut = false, cancelled = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            cancelled = !timedOut;
            KillAll(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (await Task.WhenAny(pump, Task.Delay(DrainTimeout, CancellationToken.None)).ConfigureAwait(false) != pump)
        {
            // A leftover child still holds the pipe: keep what we have and stop forwarding.
            await stopForwarding.CancelAsync().ConfigureAwait(false);
        }
        else
        {
            await pump.ConfigureAwait(false);
            stopForwarding.Dispose();
        }

        return new ProcessOutcome(timedOut || cancelled ? null : process.ExitCode, timedOut, cancelled);
    }

    private static ProcessStartInfo CreateStartInfo(BuildProfile profile, string workingDirectory)
    {
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo("cmd.exe");
            start.ArgumentList.Add("/d");
            start.ArgumentList.Add("/s");
            start.ArgumentList.Add("/c");
            start.ArgumentList.Add($"{profile.Command} 2>&1");
        }
        else
        {
            // setsid execs the shell in place (a child of ours leads no group yet, so it need not fork):
            // the shell's pid is also its process group's id.
            start = new ProcessStartInfo(Setsid ?? "/bin/sh");
            if (Setsid is not null)
            {
                start.ArgumentList.Add("/bin/sh");
            }

            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("exec 2>&1\n" + profile.Command);
        }

        start.WorkingDirectory = workingDirectory;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardInput = true;
        start.StandardOutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (ScrubbedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in profile.Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static async Task PumpAsync(StreamReader output, Func<string, CancellationToken, Task> onOutput, CancellationToken stop)
    {
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await output.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }

            await onOutput(new string(buffer, 0, read), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void KillAll(Process process)
    {
        if (Setsid is not null)
        {
            // The group first: it holds what left the tree (double forks, daemons that did not setsid themselves).
            ProcessGroups.Signal(process.Id, SigKill);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }
    }

    private const int SigKill = 9;
}
