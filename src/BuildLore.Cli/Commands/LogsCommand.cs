using System.ComponentModel;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary><c>buildlore logs [-f] ID</c>: prints a build's log, or follows it live until the build ends.</summary>
internal sealed class LogsCommand(IAnsiConsole console) : AsyncCommand<LogsCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "<BUILD-ID>")]
        [Description("The build.")]
        public string BuildId { get; init; } = "";

        [CommandOption("-f|--follow")]
        [Description("Follow the log as the build runs, until it ends (exit code 0 when it succeeded, 1 otherwise).")]
        public bool Follow { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var output = console.Profile.Out.Writer;
        try
        {
            if (!settings.Follow)
            {
                var build = await client.GetBuildAsync(settings.BuildId, LogDetail.Full, cancellationToken);
                output.Write(build.Log);
                return 0;
            }

            if (await FollowAsync(client, settings.BuildId, output, cancellationToken) is not { } end)
            {
                return 1; // the stream ended without the build ending (the server went away)
            }

            console.MarkupLineInterpolated($"[bold]build {end.Status}[/]{(end.ExitCode is { } code ? $" (exit code {code})" : "")}{(end.Category is { } category ? $": {category}" : "")}");
            return end.Status == BuildStatuses.Success ? 0 : 1;
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }

    /// <summary>Writes a build's log to <paramref name="output"/> as it comes; returns the end event, or null when the stream stopped before it.</summary>
    internal static async Task<LogStreamData?> FollowAsync(LLMClient client, string buildId, TextWriter output, CancellationToken cancellationToken)
    {
        await foreach (var item in client.StreamLogAsync(buildId, cancellationToken))
        {
            switch (item.Event)
            {
                case "log":
                    output.Write(item.Data.Text);
                    output.Flush();
                    break;
                case "end":
                    return item.Data;
            }
        }

        return null;
    }
}
