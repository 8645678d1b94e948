using System.ComponentModel;
using BuildLore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary><c>buildlore serve</c>: runs the server until Ctrl+C.</summary>
internal sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--host <ADDRESS>")]
        [Description("Address to listen on (default 127.0.0.1; BUILDLORE_HOST).")]
        public string? Host { get; init; }

        [CommandOption("-p|--port <PORT>")]
        [Description("Port to listen on; 0 picks a free port and prints it (default 8000; BUILDLORE_PORT).")]
        public int? Port { get; init; }

        [CommandOption("-w|--workspace <DIR>")]
        [Description("Project folder that builds run in and /codebase shows (default: current folder; BUILDLORE_WORKSPACE).")]
        public string? Workspace { get; init; }

        [CommandOption("--data-dir <DIR>")]
        [Description("Where the SQLite store lives (default: <workspace>/.buildlore; BUILDLORE_DATA_DIR).")]
        public string? DataDir { get; init; }

        [CommandOption("--store <PROVIDER>")]
        [Description("sqlite (default) or postgres (BUILDLORE_STORE).")]
        public string? Store { get; init; }

        [CommandOption("--connection-string <CS>")]
        [Description("ADO.NET connection string of the store, e.g. Host=db;Database=buildlore;Username=bl (BUILDLORE_CONNECTION_STRING).")]
        public string? ConnectionString { get; init; }

        [CommandOption("--max-concurrent-builds <N>")]
        [Description("Builds run at the same time by /build/run (default 1).")]
        public int? MaxConcurrentBuilds { get; init; }

        [CommandOption("--token <SECRET>")]
        [Description("API token every request but /health must send as 'Authorization: Bearer <token>' (BUILDLORE_TOKEN, which keeps it out of the process list). Several named tokens: BuildLore:Auth:Tokens:<name> in --config. Without any, the API is open.")]
        public string? Token { get; init; }

        [CommandOption("-c|--config <FILE>")]
        [Description("Extra JSON configuration file (same keys as appsettings.json).")]
        public string? Config { get; init; }

        public override ValidationResult Validate()
        {
            if (Port is < 0 or > 65535)
            {
                return ValidationResult.Error($"--port must be from 0 to 65535 (got {Port}).");
            }

            if (Workspace is not null && !Directory.Exists(Workspace))
            {
                return ValidationResult.Error($"--workspace '{Workspace}' is not a folder.");
            }

            if (Config is not null && !File.Exists(Config))
            {
                return ValidationResult.Error($"--config '{Config}' does not exist.");
            }

            return ValidationResult.Success();
        }

        public Dictionary<string, string?> ToConfiguration()
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            void Set(string key, object? value)
            {
                if (value is not null)
                {
                    values[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            Set("BuildLore:Host", Host);
            Set("BuildLore:Port", Port);
            Set("BuildLore:Workspace", Workspace is null ? null : Path.GetFullPath(Workspace));
            Set("BuildLore:DataDir", DataDir is null ? null : Path.GetFullPath(DataDir));
            Set("BuildLore:Store:Provider", Store);
            Set("BuildLore:Store:ConnectionString", ConnectionString);
            Set("BuildLore:Runner:MaxConcurrentBuilds", MaxConcurrentBuilds);
            Set("BuildLore:Auth:Tokens:default", Token);
            return values;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = BuildLoreServer.Create(settings.ToConfiguration(), settings.Config);
            await app.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException e)
        {
            console.MarkupLineInterpolated($"[red]Invalid configuration:[/] {string.Join("; ", e.Failures)}");
            return 2;
        }
        catch (IOException e)
        {
            console.MarkupLineInterpolated($"[red]Could not start the server:[/] {e.Message}");
            return 1;
        }

        var options = app.Services.GetService(typeof(IOptions<BuildLore.Server.Hosting.BuildLoreOptions>)) as IOptions<BuildLore.Server.Hosting.BuildLoreOptions>;
        foreach (var address in app.ListeningAddresses())
        {
            // Tests and scripts read this line to learn the port picked for --port 0.
            console.WriteLine($"BuildLore listening on {address}");
        }

        if (options is not null)
        {
            console.MarkupLineInterpolated($"[grey]workspace: {options.Value.ResolveWorkspace()}  data: {options.Value.ResolveDataDir()}  API reference: /docs[/]");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }
}
