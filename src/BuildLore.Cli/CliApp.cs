using BuildLore.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli;

/// <summary>The <c>buildlore</c> command tree. Tests run it in-process with their own console.</summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, IAnsiConsole? console = null) =>
        RunAsync(args, console ?? AnsiConsole.Console, StandardStreams.Process());

    /// <summary>Runs with the given standard streams as well (tests: what is piped in, passed through, warned).</summary>
    internal static Task<int> RunAsync(string[] args, IAnsiConsole console, StandardStreams streams)
    {
        var app = new CommandApp(new TypeRegistrar(console, streams));
        app.Configure(config => config.ConfigureConsole(console));
        Configure(app);
        return app.RunAsync(args);
    }

    /// <summary>The version <c>buildlore --version</c> prints: the assembly's informational version, without the source hash.</summary>
    internal static string Version { get; } =
        (typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute attribute, ..]
            ? attribute.InformationalVersion
            : "0.0.0").Split('+')[0];

    private static void Configure(CommandApp app) => app.Configure(config =>
    {
        config.SetApplicationName("buildlore");
        config.SetApplicationVersion(Version);
        config.AddCommand<ServeCommand>("serve")
            .WithDescription("Start the BuildLore server (SQLite in ./.buildlore and the current folder as workspace unless configured).")
            .WithExample("serve")
            .WithExample("serve", "--port", "0", "--workspace", "../my-app");
        config.AddCommand<AnalyzeCommand>("analyze")
            .WithDescription("Analyze a build log offline: diagnostics, failure category, failure excerpt.")
            .WithExample("analyze", "build.log")
            .WithExample("analyze", "build.log", "--root", "/home/runner/work/app/app", "--json");
        config.AddCommand<IngestCommand>("ingest")
            .WithDescription("Push a build log to the server (a file, or standard input as it is produced); prints the build id.")
            .WithExample("ingest", "--log", "build.log", "--status", "failed")
            .WithExample("ingest", "--tee", "--project", "shop", "--branch", "main");
        config.AddCommand<RunCommand>("run")
            .WithDescription("Build the server's workspace with a configured profile, follow the log live, exit with the outcome; prints the build id last.")
            .WithExample("run")
            .WithExample("run", "test", "--server", "http://build-host:8000", "--token", "...");
        config.AddCommand<LogsCommand>("logs")
            .WithDescription("Print a build's log; with -f, follow it live until the build ends.")
            .WithExample("logs", "-f", "0196f1c2-7a3b-7c4d-9e8f-001122334455");
        config.AddCommand<AgentCommand>("agent")
            .WithDescription("The learning agent: analyze failed builds nobody has reported on (built-in offline analyzer), submit reports, repeat.")
            .WithExample("agent", "--once", "--server", "http://127.0.0.1:8000");
        config.AddCommand<CodebaseCommand>("codebase")
            .WithDescription("Show the workspace as the server shows it to an LLM: tree, structure, key configuration (offline).")
            .WithExample("codebase", "--json")
            .WithExample("codebase", "--max-tokens", "8000", "--include", "src/**/*.cs", "--exclude", "**/*.Designer.cs");
        config.AddCommand<DemoCommand>("demo")
            .WithDescription("Walk through the API against a running server: builds, statistics, structure, a sample report.")
            .WithExample("demo")
            .WithExample("demo", "--run", "--server", "http://127.0.0.1:8000");
        config.AddBranch("example", example =>
        {
            example.SetDescription("The quick-start guide's integration examples, runnable.");
            example.AddCommand<ClassifyCommand>("classify")
                .WithDescription("Example 1: classify failed builds (Missing Dependency, Test Failure, Timeout, ...) and report it.");
            example.AddCommand<HealthCommand>("health")
                .WithDescription("Example 2: project health scorecard from recent builds and the codebase.");
            example.AddCommand<LearnCommand>("learn")
                .WithDescription("Example 3: the continuous learning loop: analyze failed builds nobody has reported on yet.");
        });
    });
}
