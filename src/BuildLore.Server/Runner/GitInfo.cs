using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BuildLore.Server.Runner;

/// <summary>What the workspace's git checkout says about itself.</summary>
internal static partial class GitInfo
{
    private const int MaxChangedFiles = 500;
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The checked-out branch, or null (not a repository, detached HEAD, unreadable).</summary>
    public static string? CurrentBranch(string workspace)
    {
        try
        {
            var head = Path.Combine(workspace, ".git", "HEAD");
            if (!File.Exists(head))
            {
                return null;
            }

            var text = File.ReadAllText(head).Trim();
            const string prefix = "ref: refs/heads/";
            return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The files (relative to the workspace) that differ between two commits, read with <c>git diff</c>; null
    /// when that cannot be told: no git, not a repository, a commit unknown to it, or not a commit id at all.
    /// </summary>
    /// <remarks>
    /// The commit ids come from CI requests, so only plain hexadecimal ids reach the command line (never an
    /// option), and git runs with external diff tools, text conversion and the file-system monitor off.
    /// </remarks>
    public static async Task<IReadOnlyList<string>?> ChangedFilesAsync(string workspace, string? from, string? to, CancellationToken cancellationToken)
    {
        if (from is null || to is null || !CommitId().IsMatch(from) || !CommitId().IsMatch(to) || !Directory.Exists(workspace))
        {
            return null;
        }

        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "core.fsmonitor=false", "-c", "core.quotepath=off", "diff", "--name-only", "--relative", "--no-ext-diff", "--no-textconv", from, to, "--"])
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(GitTimeout);
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var files = new List<string>();
            _ = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    if (line.Length > 0 && files.Count < MaxChangedFiles)
                    {
                        files.Add(line);
                    }
                }

                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return process.ExitCode == 0 ? files : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // git took too long
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{7,64}$")]
    private static partial Regex CommitId();
}
