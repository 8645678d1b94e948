using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BuildLore.Server.Runner;

/// <summary>What the workspace's git checkout says about itself.</summary>
internal static partial class GitInfo
{
    private const string RefPrefix = "ref: ";
    private const string BranchPrefix = "refs/heads/";
    private const int MaxChangedFiles = 500;
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The checked-out branch, or null (not a repository, detached HEAD, unreadable).</summary>
    public static string? CurrentBranch(string workspace) =>
        ReadHead(workspace) is { Ref: { } reference } && reference.StartsWith(BranchPrefix, StringComparison.Ordinal) ? reference[BranchPrefix.Length..] : null;

    /// <summary>The commit checked out (a 40-character hash), or null (not a repository, a branch without commits, unreadable).</summary>
    public static string? CurrentCommit(string workspace)
    {
        try
        {
            var head = ReadHead(workspace);
            if (head is null)
            {
                return null;
            }

            if (head.Value.Ref is not { } reference)
            {
                return IsHash(head.Value.Text) ? head.Value.Text : null;
            }

            // A loose ref, else the packed one.
            var loose = Path.Combine(head.Value.CommonDirectory, reference);
            if (File.Exists(loose) && File.ReadAllText(loose).Trim() is var hash && IsHash(hash))
            {
                return hash;
            }

            var packed = Path.Combine(head.Value.CommonDirectory, "packed-refs");
            if (File.Exists(packed))
            {
                foreach (var line in File.ReadLines(packed))
                {
                    if (line.Length > 41 && line[40] == ' ' && line.AsSpan(41).SequenceEqual(reference) && IsHash(line[..40]))
                    {
                        return line[..40];
                    }
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>HEAD's content (a ref or a hash), and the folder that holds refs (worktrees keep theirs in the main repository's).</summary>
    private static (string Text, string? Ref, string CommonDirectory)? ReadHead(string workspace)
    {
        try
        {
            var gitDirectory = Path.Combine(workspace, ".git");
            if (File.Exists(gitDirectory))
            {
                // A worktree or submodule: ".git" is a file saying where the repository is.
                var pointer = File.ReadAllText(gitDirectory).Trim();
                if (!pointer.StartsWith("gitdir: ", StringComparison.Ordinal))
                {
                    return null;
                }

                gitDirectory = Path.GetFullPath(Path.Combine(workspace, pointer["gitdir: ".Length..].Trim()));
            }

            var head = Path.Combine(gitDirectory, "HEAD");
            if (!File.Exists(head))
            {
                return null;
            }

            var commonDirectory = gitDirectory;
            var common = Path.Combine(gitDirectory, "commondir");
            if (File.Exists(common))
            {
                commonDirectory = Path.GetFullPath(Path.Combine(gitDirectory, File.ReadAllText(common).Trim()));
            }

            var text = File.ReadAllText(head).Trim();
            return (text, text.StartsWith(RefPrefix, StringComparison.Ordinal) ? text[RefPrefix.Length..].Trim() : null, commonDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsHash(string text) => text.Length == 40 && text.All(char.IsAsciiHexDigitLower);
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
