using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using BuildLore.Core.Analysis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore analyze</c>: runs the server's log analyzer offline on a file or standard input, in
/// bounded memory whatever the log's size.
/// </summary>
internal sealed class AnalyzeCommand(IAnsiConsole console) : AsyncCommand<AnalyzeCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[LOGFILE]")]
        [Description("The build log to analyze; '-' or nothing reads standard input.")]
        public string? LogFile { get; init; }

        [CommandOption("--root <DIR>")]
        [Description("Workspace root that absolute paths in the log are made relative to (default: detected from CI checkout folders).")]
        public string? Root { get; init; }

        [CommandOption("--json")]
        [Description("Print the analysis as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--matcher <FILE>")]
        [Description("GitHub Actions problem-matcher JSON file to apply too (repeatable).")]
        public string[] Matchers { get; init; } = [];

        [CommandOption("--causes <FILE>")]
        [Description("Failure-cause knowledge base JSON (Build-Failure-Analyzer style) to apply too (repeatable).")]
        public string[] Causes { get; init; } = [];

        [CommandOption("--max-tokens <N>")]
        [Description("Token budget of the failure excerpt (default 2000).")]
        [DefaultValue(2000)]
        public int MaxTokens { get; init; } = 2000;

        public override ValidationResult Validate() =>
            LogFile is not null and not "-" && !File.Exists(LogFile) ? ValidationResult.Error($"No such file: {LogFile}")
            : Matchers.Concat(Causes).FirstOrDefault(f => !File.Exists(f)) is { } missing ? ValidationResult.Error($"No such file: {missing}")
            : MaxTokens <= 0 ? ValidationResult.Error("--max-tokens must be positive.")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        AnalysisRules rules;
        try
        {
            rules = AnalysisRules.Load(Directory.GetCurrentDirectory(), settings.Matchers, settings.Causes);
        }
        catch (Exception e) when (e is BuildLore.Core.Analysis.Matchers.ProblemMatcherException or BuildLore.Core.Analysis.Causes.FailureCauseException)
        {
            console.MarkupLineInterpolated($"[red]Invalid rule file:[/] {e.Message}");
            return 2;
        }

        var analysis = await Task.Run(() => Analyze(settings, rules, cancellationToken), cancellationToken);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(AnalysisJson.From(analysis), CliJson.Default.AnalysisJson));
            return 0;
        }

        Print(analysis);
        return 0;
    }

    /// <summary>Reads the log on two threads (decoding and scanning, analyzing): for one sequential file that is the fastest way through it.</summary>
    private static LogAnalysis Analyze(Settings settings, AnalysisRules rules, CancellationToken cancellationToken)
    {
        var analyzer = new LogAnalyzer(settings.Root, rules);
        using (var input = settings.LogFile is null or "-" ? Console.OpenStandardInput() : new FileStream(settings.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan))
        {
            analyzer.Read(input, cancellationToken);
        }

        return analyzer.Complete(excerptTokens: settings.MaxTokens);
    }

    private void Print(LogAnalysis analysis)
    {
        console.MarkupLineInterpolated($"[bold]{analysis.TotalLines}[/] lines, [red]{analysis.ErrorCount} error(s)[/], [yellow]{analysis.WarningCount} warning(s)[/]");
        if (analysis.Category is not null)
        {
            console.MarkupLineInterpolated($"Failure category: [bold]{analysis.Category}[/] (confidence {analysis.CategoryConfidence:0.00})");
        }

        foreach (var cause in analysis.Causes)
        {
            console.MarkupLineInterpolated($"Cause: [bold]{cause.Name}[/] — {cause.Description} [grey](log line {string.Join(", ", cause.LogLines)})[/]");
        }

        if (analysis.Diagnostics.Count > 0)
        {
            var table = new Table().AddColumns("Line", "Severity", "Location", "Code", "Message", "Tool");
            foreach (var d in analysis.Diagnostics.Take(50))
            {
                var location = d.File is null ? "" : d.Line is null ? d.File : $"{d.File}:{d.Line}{(d.Column is null ? "" : $":{d.Column}")}";
                table.AddRow(
                    d.LogLine.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    d.Severity == DiagnosticSeverity.Error ? "[red]error[/]" : "[yellow]warning[/]",
                    Markup.Escape(location),
                    Markup.Escape(d.Code ?? ""),
                    Markup.Escape(d.Message.Length > 120 ? d.Message[..120] + "…" : d.Message),
                    Markup.Escape(d.Tool ?? ""));
            }

            console.Write(table);
            if (analysis.Diagnostics.Count > 50)
            {
                console.MarkupLineInterpolated($"[grey]… and {analysis.Diagnostics.Count - 50} more (use --json for all)[/]");
            }
        }

        foreach (var range in analysis.FailureExcerpt)
        {
            console.Write(new Rule($"[grey]log lines {range.StartLine}–{range.EndLine}[/]").LeftJustified());
            console.WriteLine(range.Text);
        }
    }
}

/// <summary>The JSON shape of <c>buildlore analyze --json</c>, the same field names the server uses.</summary>
internal sealed record AnalysisJson(
    long TotalLines,
    long ErrorCount,
    long WarningCount,
    string? Category,
    double CategoryConfidence,
    IReadOnlyList<EvidenceJson> CategoryEvidence,
    IReadOnlyList<DiagnosticJson> Diagnostics,
    IReadOnlyList<ExcerptJson> FailureExcerpt,
    IReadOnlyList<FailureCauseJson> FailureCauses,
    string? Root)
{
    public static AnalysisJson From(LogAnalysis analysis) => new(
        analysis.TotalLines,
        analysis.ErrorCount,
        analysis.WarningCount,
        analysis.Category,
        analysis.CategoryConfidence,
        [.. analysis.Evidence.Select(e => new EvidenceJson(e.LogLine, e.Text))],
        [.. analysis.Diagnostics.Select(d => new DiagnosticJson(d.Severity, d.File, d.Line, d.Column, d.Code, d.Message, d.Tool, d.LogLine, d.EndLogLine, d.Fingerprint, d.Context))],
        [.. analysis.FailureExcerpt.Select(r => new ExcerptJson(r.StartLine, r.EndLine, r.Text))],
        [.. analysis.Causes.Select(c => new FailureCauseJson(c.Name, c.Description, c.Categories, c.LogLines))],
        analysis.Root);
}

/// <summary>A diagnostic as <c>--json</c> prints it; <c>context</c> is its whole block as it appeared in the log (notes, spans, stack), at most 4,096 characters.</summary>
internal sealed record DiagnosticJson(string Severity, string? File, int? Line, int? Column, string? Code, string Message, string? Tool, long LogLine, long EndLogLine, string Fingerprint,
    string Context);

internal sealed record ExcerptJson(long StartLine, long EndLine, string Text);

/// <summary>A log line that supports the category, as the server's <c>category_evidence</c>.</summary>
internal sealed record EvidenceJson(long LogLine, string Text);

/// <summary>A failure cause found in the log (configured or built in), as the server's <c>failure_causes</c>.</summary>
internal sealed record FailureCauseJson(string Name, string Description, IReadOnlyList<string> Categories, IReadOnlyList<long> LogLines);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AnalysisJson))]
internal sealed partial class CliJson : JsonSerializerContext;
