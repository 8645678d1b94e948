using System.ComponentModel;
using System.Text.Json;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore run [PROFILE]</c>: asks the server to build its workspace with a configured profile
/// (<c>POST /build/run</c>), follows the log live, and exits with the build's outcome.
/// </summary>
internal sealed class RunCommand(IAnsiConsole console) : AsyncCommand<RunCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "[PROFILE]")]
        [Description("A profile of the server's buildlore.json (default: its default profile, or the command detected from the build files).")]
        public string? Profile { get; init; }

        [CommandOption("--no-follow")]
        [Description("Queue the build and print its id without waiting for it.")]
        public bool NoFollow { get; init; }

        [CommandOption("--json")]
        [Description("Print {\"id\", \"status\"} as the last line instead of the id alone.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var output = console.Profile.Out.Writer;
        try
        {
            var run = await client.RunBuildAsync(settings.Profile, cancellationToken);
            var status = run.Build.Status;
            if (!settings.NoFollow && await LogsCommand.FollowAsync(client, run.BuildId, output, cancellationToken) is { Status: { } final })
            {
                status = final;
            }

            // The id is the last line, so scripts can take it with `tail -n 1`.
            output.WriteLine(settings.Json ? JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = run.BuildId, ["status"] = status }) : run.BuildId);
            return settings.NoFollow || status == BuildStatuses.Success ? 0 : 1;
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }
}
