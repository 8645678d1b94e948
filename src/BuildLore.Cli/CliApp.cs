using BuildLore.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli;

/// <summary>The <c>buildlore</c> command tree. Tests run it in-process with their own console.</summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        var app = new CommandApp(new TypeRegistrar(console ?? AnsiConsole.Console));
        Configure(app);
        return app.RunAsync(args);
    }

    private static void Configure(CommandApp app) => app.Configure(config =>
    {
        config.SetApplicationName("buildlore");
        config.AddCommand<ServeCommand>("serve")
            .WithDescription("Start the BuildLore server (SQLite in ./.buildlore and the current folder as workspace unless configured).")
            .WithExample("serve")
            .WithExample("serve", "--port", "0", "--workspace", "../my-app");
    });
}
