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

            await foreach (var item in client.StreamLogAsync(settings.BuildId, cancellationToken))
            {
                switch (item.Event)
                {
                    case "log":
                        output.Write(item.Data.Text);
                        output.Flush();
                        break;
                    case "end":
                        console.MarkupLineInterpolated($"[bold]build {item.Data.Status}[/]{(item.Data.ExitCode is { } code ? $" (exit code {code})" : "")}{(item.Data.Category is { } category ? $": {category}" : "")}");
                        return item.Data.Status == BuildStatuses.Success ? 0 : 1;
                }
            }

            return 1; // the stream ended without the build ending (the server went away)
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }
}
