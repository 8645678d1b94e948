using System.Globalization;

namespace BuildLore.Core.Runner;

/// <summary>What became of a build's process group found left over after a restart.</summary>
public enum LeftoverOutcome
{
    /// <summary>Its processes were still running and were killed.</summary>
    Killed,

    /// <summary>Nothing of it runs any more (or the machine has rebooted since).</summary>
    Gone,

    /// <summary>The server process that started it still runs (another server sharing the store): left alone.</summary>
    OwnerAlive,

    /// <summary>It cannot be told on this system (no <c>/proc</c>): left alone.</summary>
    Unknown,
}

/// <summary>
/// Finds and kills the process group of a build whose server died (<c>kill -9</c>) without a chance to
/// kill it. A process id alone can be reused, so a build's group is recorded with a guard: the boot it
/// ran in, its leader's start time, and the pid and start time of the server that started it (all read
/// from Linux's <c>/proc</c>). A group is killed only in the same boot, when that server is gone, and when
/// the leader still is the process recorded, or (the leader having died) when processes started after it
/// are still in its group: a pid that leads a group is not reused while the group has members.
/// </summary>
public static class ProcessGroups
{
    private const string Proc = "/proc";
    private const int SigKill = 9;

    /// <summary>The guard for a group led by <paramref name="leaderPid"/> started by this process; null without <c>/proc</c>.</summary>
    public static string? Guard(int leaderPid)
    {
        if (BootId() is not { } boot || ReadStat(leaderPid) is not { } leader || ReadStat(Environment.ProcessId) is not { } server)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{boot} {leader.StartTime} {Environment.ProcessId} {server.StartTime}");
    }

    /// <summary>Kills what is left of a build's process group, when the guard says it is that build's.</summary>
    public static LeftoverOutcome KillLeftover(int processGroup, string guard)
    {
        var parts = guard.Split(' ');
        if (parts.Length != 4 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var leaderStart)
            || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var serverPid) || !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var serverStart)
            || processGroup <= 1)
        {
            return LeftoverOutcome.Unknown;
        }

        if (BootId() is not { } boot)
        {
            return LeftoverOutcome.Unknown;
        }

        if (boot != parts[0])
        {
            return LeftoverOutcome.Gone; // rebooted since: nothing of it runs
        }

        if (ReadStat(serverPid) is { State: not 'Z' } server && server.StartTime == serverStart)
        {
            return LeftoverOutcome.OwnerAlive;
        }

        var ours = ReadStat(processGroup) is { State: not 'Z' } leader
            ? leader.StartTime == leaderStart && leader.ProcessGroup == processGroup
            : HasMembers(processGroup, leaderStart);
        if (!ours)
        {
            return LeftoverOutcome.Gone;
        }

        Signal(processGroup, SigKill);
        return LeftoverOutcome.Killed;
    }

    /// <summary>Sends a signal to every process of a group (kill(2) with the negated group id).</summary>
    public static void Signal(int processGroup, int signal) => _ = Kill(-processGroup, signal);

    private static bool HasMembers(int processGroup, long startedFrom)
    {
        foreach (var folder in Directory.EnumerateDirectories(Proc))
        {
            if (int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid)
                && ReadStat(pid) is { State: not 'Z' } stat && stat.ProcessGroup == processGroup && stat.StartTime >= startedFrom)
            {
                return true;
            }
        }

        return false;
    }

    private static string? BootId()
    {
        try
        {
            return File.ReadAllText($"{Proc}/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private readonly record struct Stat(char State, int ProcessGroup, long StartTime);

    /// <summary>Fields 3 (state), 5 (process group) and 22 (start time, in clock ticks since boot) of <c>/proc/PID/stat</c>.</summary>
    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"{Proc}/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var group) && long.TryParse(fields[19], CultureInfo.InvariantCulture, out var start)
            ? new Stat(fields[0][0], group, start)
            : null;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
