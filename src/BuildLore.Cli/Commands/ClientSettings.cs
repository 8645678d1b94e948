using System.ComponentModel;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>Options of every command that talks to a running server.</summary>
internal class ClientSettings : CommandSettings
{
    [CommandOption("-s|--server <URL>")]
    [Description("BuildLore server (default: BUILDLORE_URL, else http://127.0.0.1:8000).")]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("API token of the server, sent as 'Authorization: Bearer' (default: BUILDLORE_TOKEN).")]
    public string? Token { get; init; }

    [CommandOption("--session-id <ID>")]
    [Description("Session id sent with every request (BUILDLORE_SESSION_ID).")]
    public string? SessionId { get; init; }

    [CommandOption("--timeout <SECONDS>")]
    [Description("Per-request timeout in seconds (default 30).")]
    public int? TimeoutSeconds { get; init; }

    public LLMClient CreateClient() => new(
        Server,
        SessionId ?? Environment.GetEnvironmentVariable("BUILDLORE_SESSION_ID"),
        TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        Token);

    public override ValidationResult Validate() =>
        TimeoutSeconds is <= 0 ? ValidationResult.Error("--timeout must be a positive number of seconds.") : ValidationResult.Success();
}

/// <summary>Shared handling of client failures: one clear line, and an exit code scripts can test.</summary>
internal static class ClientErrors
{
    public const int Unreachable = 3;
    public const int Rejected = 4;

    public static int Report(IAnsiConsole console, LLMClientException error, Uri server)
    {
        if (error.StatusCode is null)
        {
            console.MarkupLineInterpolated($"[red]Cannot reach BuildLore at {server}[/]: {error.Message}");
            console.MarkupLine("Start the server first: [bold]buildlore serve[/] (or pass [bold]--server URL[/]).");
            return Unreachable;
        }

        console.MarkupLineInterpolated($"[red]The server refused the request ({(int)error.StatusCode}):[/] {error.ServerMessage ?? error.Message}");
        if (error.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            console.MarkupLine("Pass the server's API token with [bold]--token[/] or the [bold]BUILDLORE_TOKEN[/] environment variable.");
        }

        return Rejected;
    }
}
