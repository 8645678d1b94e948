using System.Text;
using Spectre.Console.Testing;

namespace BuildLore.Cli.Tests;

/// <summary>Runs the <c>buildlore</c> command tree in-process with a console the test can read.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var (exitCode, output, _) = await RunWithInputAsync([], args);
        return (exitCode, output);
    }

    /// <summary>
    /// Runs with <paramref name="stdin"/> as standard input. Output is standard output: the bytes passed
    /// through (ingest --tee) and then the console's text; Error is standard error.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(byte[] stdin, params string[] args)
    {
        var console = new TestConsole().Width(250);
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var streams = new StandardStreams(() => new MemoryStream(stdin, writable: false), () => stdout, TextWriter.Synchronized(stderr));
        var exitCode = await CliApp.RunAsync(args, console, streams);
        return (exitCode, Encoding.UTF8.GetString(stdout.ToArray()) + console.Output, stderr.ToString());
    }
}
