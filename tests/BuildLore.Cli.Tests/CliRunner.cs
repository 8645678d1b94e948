using Spectre.Console.Testing;

namespace BuildLore.Cli.Tests;

/// <summary>Runs the <c>buildlore</c> command tree in-process with a console the test can read.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(250);
        var exitCode = await CliApp.RunAsync(args, console);
        return (exitCode, console.Output);
    }
}
