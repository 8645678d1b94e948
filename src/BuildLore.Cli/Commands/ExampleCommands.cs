using System.ComponentModel;
using System.Text.Json;
using BuildLore.Cli.Examples;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary><c>buildlore example classify</c>: the quick-start's Example 1.</summary>
internal sealed class ClassifyCommand(IAnsiConsole console) : AsyncCommand<ClassifyCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandArgument(0, "[BUILD-ID]")]
        [Description("The build to classify. Without it, every failed build that has no report yet.")]
        public string? BuildId { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        try
        {
            IEnumerable<string> ids;
            if (settings.BuildId is not null)
            {
                ids = [settings.BuildId];
            }
            else
            {
                var page = await client.GetBuildsAsync(200, 0, LogDetail.None, cancellationToken);
                var pending = new List<string>();
                foreach (var build in page.Builds.Where(b => b.Status is BuildStatuses.Failed or BuildStatuses.Error or BuildStatuses.Timeout))
                {
                    var detail = await client.GetBuildAsync(build.Id, LogDetail.None, cancellationToken);
                    if (detail.LlmReports.Count == 0)
                    {
                        pending.Add(build.Id);
                    }
                }

                ids = pending;
            }

            var table = new Table().AddColumns("Build", "Classified as", "Confidence", "Report");
            foreach (var id in ids)
            {
                var (result, reportId) = await FailureClassifier.ClassifyAndReportAsync(client, id, cancellationToken);
                table.AddRow(Markup.Escape(id), Markup.Escape(result.Category), result.Confidence.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), reportId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return 0;
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }
}

/// <summary><c>buildlore example health</c>: the quick-start's Example 2.</summary>
internal sealed class HealthCommand(IAnsiConsole console) : AsyncCommand<HealthCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandOption("--limit <N>")]
        [Description("How many recent builds to score (default 100).")]
        [DefaultValue(100)]
        public int Limit { get; init; } = 100;

        [CommandOption("--json")]
        [Description("Print the scorecard as JSON.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        try
        {
            var score = await HealthScorecard.GenerateAsync(client, Math.Clamp(settings.Limit, 1, 200), cancellationToken);
            if (settings.Json)
            {
                console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["health_score"] = score.HealthScore,
                    ["success_rate"] = score.SuccessRate,
                    ["total_builds"] = score.TotalBuilds,
                    ["has_tests"] = score.HasTests,
                }));
                return 0;
            }

            var table = new Table().AddColumns("Measure", "Value")
                .AddRow("Health score", $"{score.HealthScore:0.0} / 100")
                .AddRow("Success rate", $"{score.SuccessRate:0.0}% ({score.SuccessfulBuilds} of {score.FinishedBuilds} finished)")
                .AddRow("Total builds", score.TotalBuilds.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .AddRow("Has tests", score.HasTests ? "yes" : "no");
            console.Write(table);
            console.MarkupLine("[grey]score = success rate × 0.8 + 0.2 when the project has tests[/]");
            return 0;
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }
}

/// <summary><c>buildlore example learn</c>: the quick-start's Example 3 and its full learning loop.</summary>
internal sealed class LearnCommand(IAnsiConsole console) : AsyncCommand<LearnCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandOption("--once")]
        [Description("Analyze what is pending, then exit (for cron and CI).")]
        public bool Once { get; init; }

        [CommandOption("--interval <SECONDS>")]
        [Description("Seconds between checks (default 300).")]
        [DefaultValue(300)]
        public int Interval { get; init; } = 300;

        [CommandOption("--limit <N>")]
        [Description("How many recent builds each check looks at (default 50).")]
        [DefaultValue(50)]
        public int Limit { get; init; } = 50;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var loop = new LearningLoop(client, message => console.WriteLine(message));
        try
        {
            if (settings.Once)
            {
                var submitted = await loop.RunOnceAsync(Math.Clamp(settings.Limit, 1, 200), cancellationToken);
                console.WriteLine($"Submitted {submitted} report(s).");
            }
            else
            {
                await loop.RunAsync(Math.Clamp(settings.Limit, 1, 200), TimeSpan.FromSeconds(Math.Max(1, settings.Interval)), cancellationToken);
            }
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        foreach (var (pattern, count) in loop.LearnedPatterns)
        {
            console.WriteLine($"  learned: {pattern} × {count}");
        }

        return 0;
    }
}
