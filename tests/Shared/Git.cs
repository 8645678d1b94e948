using System.Diagnostics;

namespace BuildLore.Tests;

/// <summary>Runs the real git command line to build test repositories.</summary>
public static class Git
{
    public static void Init(string directory)
    {
        Run(directory, "init", "--quiet");
        Run(directory, "config", "user.name", "BuildLore Tests");
        Run(directory, "config", "user.email", "tests@buildlore.invalid");
        Run(directory, "config", "commit.gpgsign", "false");
    }

    public static void CommitAll(string directory, string message = "test commit")
    {
        Run(directory, "add", "--all");
        Run(directory, "commit", "--quiet", "--no-verify", "-m", message);
    }

    public static string Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.GetAwaiter().GetResult()}");
        }

        return stdout;
    }
}
