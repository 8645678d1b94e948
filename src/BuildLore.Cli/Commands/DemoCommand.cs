using System.ComponentModel;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore demo</c>: the quick-start's test script. Connects, shows recent builds and their
/// statistics, the project's structure, submits a sample report and prints how to use the API.
/// </summary>
internal sealed class DemoCommand(IAnsiConsole console) : AsyncCommand<DemoCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandOption("--run")]
        [Description("Start a build of the server's workspace first and wait for it, so there is something to show.")]
        public bool Run { get; init; }

        [CommandOption("--limit <N>")]
        [Description("How many recent builds to fetch (default 20).")]
        [DefaultValue(20)]
        public int Limit { get; init; } = 20;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        try
        {
            return await RunAsync(client, settings, cancellationToken);
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }

    private async Task<int> RunAsync(LLMClient client, Settings settings, CancellationToken cancellationToken)
    {
        console.Write(new Rule("[bold]1. Connect[/]").LeftJustified());
        var health = await client.GetHealthAsync(cancellationToken);
        console.MarkupLineInterpolated($"Connected to BuildLore {health.Version} at {client.BaseAddress} (store: {health.Store}).");

        if (settings.Run)
        {
            var run = await client.RunBuildAsync(cancellationToken: cancellationToken);
            console.MarkupLineInterpolated($"Started build {run.BuildId}: {run.Build.Command}");
            var finished = await console.Status().StartAsync("Building...", _ => client.WaitForBuildAsync(run.BuildId, TimeSpan.FromMilliseconds(500), cancellationToken));
            console.MarkupLineInterpolated($"Build {finished.Id} finished: {finished.Status}.");
        }

        console.Write(new Rule("[bold]2. Recent builds[/]").LeftJustified());
        var page = await client.GetBuildsAsync(settings.Limit, 0, LogDetail.None, cancellationToken);
        console.MarkupLineInterpolated($"Total builds: {page.Total}");
        if (page.Builds.Count == 0)
        {
            console.MarkupLine("No builds yet. Start one with [bold]curl -X POST http://127.0.0.1:8000/build/run[/] or [bold]buildlore demo --run[/].");
        }
        else
        {
            var table = new Table().AddColumn(new TableColumn("Build").NoWrap()).AddColumns("Status", "Command", "Started", "Duration", "Errors", "Warnings");
            var details = new List<BuildDetail>();
            foreach (var build in page.Builds)
            {
                var detail = await client.GetBuildAsync(build.Id, LogDetail.None, cancellationToken);
                details.Add(detail);
                table.AddRow(
                    Markup.Escape(build.Id),
                    StatusMarkup(build.Status),
                    Markup.Escape(build.Command ?? build.Source),
                    Markup.Escape(build.StartedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
                    build.DurationSeconds is { } d ? $"{d:0.0} s" : "-",
                    detail.LogSummary.ErrorCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    detail.LogSummary.WarningCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);

            console.Write(new Rule("[bold]3. Build statistics[/]").LeftJustified());
            var stats = new Table().AddColumns("Status", "Builds");
            foreach (var group in page.Builds.GroupBy(b => b.Status).OrderByDescending(g => g.Count()))
            {
                stats.AddRow(StatusMarkup(group.Key), group.Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(stats);
            var finished = page.Builds.Where(b => BuildStatuses.IsFinished(b.Status)).ToList();
            var successRate = finished.Count == 0 ? 0 : 100.0 * finished.Count(b => b.Status == BuildStatuses.Success) / finished.Count;
            var durations = finished.Where(b => b.DurationSeconds is not null).Select(b => b.DurationSeconds!.Value).ToList();
            console.MarkupLineInterpolated($"Success rate: {successRate:0.0}% of {finished.Count} finished build(s); average duration: {(durations.Count > 0 ? durations.Average() : 0):0.0} s; errors in total: {details.Sum(d => d.LogSummary.ErrorCount)}.");
        }

        console.Write(new Rule("[bold]4. Project structure[/]").LeftJustified());
        var codebase = await client.GetCodebaseAsync(cancellationToken);
        var structure = codebase.StructureSummary;
        console.MarkupLineInterpolated($"Workspace: {codebase.WorkspaceRoot} ({codebase.FileCount} files)");
        console.MarkupLineInterpolated($"Backend: {structure.HasBackend}   Frontend: {structure.HasFrontend}   Tests: {structure.HasTests}");
        if (codebase.KeyConfigFiles.Count > 0)
        {
            console.MarkupLineInterpolated($"Key config files: {string.Join(", ", codebase.KeyConfigFiles.Keys.Take(12))}");
        }

        foreach (var file in codebase.BackendFiles.OrderByDescending(f => f.Lines).Take(5))
        {
            console.MarkupLineInterpolated($"  {file.Path}: {file.Lines} lines");
        }

        console.Write(new Rule("[bold]5. Submit a sample report[/]").LeftJustified());
        var target = page.Builds.FirstOrDefault(b => b.Status is BuildStatuses.Failed or BuildStatuses.Error) ?? page.Builds.FirstOrDefault(b => BuildStatuses.IsFinished(b.Status));
        if (target is null)
        {
            console.MarkupLine("Skipped: a report is about a build, and there is no finished build yet.");
        }
        else
        {
            var detail = await client.GetBuildAsync(target.Id, LogDetail.None, cancellationToken);
            var failed = target.Status != BuildStatuses.Success;
            var reportId = await client.SubmitReportAsync(
                target.Id,
                failed ? ReportTypes.FailureAnalysis : ReportTypes.CodeImprovement,
                $"Sample report from buildlore demo: build {target.Status} with {detail.LogSummary.ErrorCount} error(s) and {detail.LogSummary.WarningCount} warning(s)."
                + (detail.LogSummary.Errors.Count > 0 ? $" First error: {detail.LogSummary.Errors[0]}" : ""),
                failed ? ["Fix the first error in the log summary, then rebuild"] : ["Keep the build warning-free"],
                0.5,
                cancellationToken);
            console.MarkupLineInterpolated($"Report submitted with ID: {reportId} (build {target.Id}).");
        }

        console.Write(new Rule("[bold]6. Usage examples[/]").LeftJustified());
        console.WriteLine($$"""
            C#:
              using var client = new LLMClient("{{client.BaseAddress.ToString().TrimEnd('/')}}");
              var builds = await client.GetBuildsAsync(limit: 20);
              var build = await client.GetBuildAsync(builds.Builds[0].Id);
              var errors = build.LogSummary.Errors;
              await client.SubmitReportAsync(build.Id, ReportTypes.FailureAnalysis, "Found missing imports", ["Fix missing imports"], 0.85);

            curl:
              curl {{client.BaseAddress}}llm/learning/builds?limit=5
              curl {{client.BaseAddress}}llm/learning/build/<id>
              curl {{client.BaseAddress}}llm/learning/codebase
              curl -X POST {{client.BaseAddress}}llm/learning/report -d '{"build_id":"<id>","type":"failure_analysis","analysis":"...","recommendations":["..."],"confidence":0.85}'

            More: buildlore example classify <build-id> | buildlore example health | buildlore example learn --once
            """);
        return 0;
    }

    private static string StatusMarkup(string status) => status switch
    {
        BuildStatuses.Success => "[green]success[/]",
        BuildStatuses.Failed or BuildStatuses.Error or BuildStatuses.Timeout => $"[red]{status}[/]",
        _ => $"[yellow]{Markup.Escape(status)}[/]",
    };
}
