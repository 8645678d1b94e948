using System.ComponentModel;
using System.Globalization;
using BuildLore.Core.Codebase;
using BuildLore.Server.Codebase;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore codebase</c>: the view of a folder that <c>GET /llm/learning/codebase</c> gives an LLM,
/// offline: a readable tree and summary, or with <c>--json</c> the API's own response body.
/// </summary>
internal sealed class CodebaseCommand(IAnsiConsole console) : AsyncCommand<CodebaseCommand.Settings>
{
    private const int DefaultPrintedDepth = 3;

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("The workspace (default: the current folder).")]
        public string? Directory { get; init; }

        [CommandOption("--json")]
        [Description("Print the API's JSON response (GET /llm/learning/codebase) instead of the tree.")]
        public bool Json { get; init; }

        [CommandOption("--max-tokens <N>")]
        [Description("Fit the view into N o200k tokens, as ?max_tokens= does, and say what was left out.")]
        public int? MaxTokens { get; init; }

        [CommandOption("--depth <N>")]
        [Description("Folder levels of the tree (the API's ?depth=); the readable tree shows 3 unless given.")]
        public int? Depth { get; init; }

        [CommandOption("--include <GLOB>")]
        [Description("Only files matching this glob (gitignore-style: src/**/*.cs, *.test.ts); repeat or separate with commas.")]
        public string[] Include { get; init; } = [];

        [CommandOption("--exclude <GLOB>")]
        [Description("Leave out files matching this glob; repeat or separate with commas.")]
        public string[] Exclude { get; init; } = [];

        public override ValidationResult Validate()
        {
            if (Directory is not null && !System.IO.Directory.Exists(Directory))
            {
                return ValidationResult.Error($"No such folder: {Directory}");
            }

            if (MaxTokens is < CodebaseView.MinTokens or > CodebaseView.MaxTokens)
            {
                return ValidationResult.Error($"--max-tokens must be a whole number from {CodebaseView.MinTokens} to {CodebaseView.MaxTokens}.");
            }

            if (Depth is < 1 or > 1000)
            {
                return ValidationResult.Error("--depth must be a whole number from 1 to 1000.");
            }

            try
            {
                _ = CodebaseFilter.Create(Include, Exclude);
                return ValidationResult.Success();
            }
            catch (CodebaseFilterException e)
            {
                return ValidationResult.Error($"--{e.Field}: {e.Message}");
            }
        }
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var filter = CodebaseFilter.Create(settings.Include, settings.Exclude);
        var root = settings.Directory ?? System.IO.Directory.GetCurrentDirectory();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var index = new CodebaseScanner().Index(root, cancellationToken);
        var snapshot = index.Snapshot(filter, cancellationToken);
        var scanned = clock.Elapsed;
        var view = CodebaseView.Shape(snapshot.ToDto(), settings.MaxTokens ?? 0, settings.Depth ?? int.MaxValue);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(CodebaseView.ToJson(view));
            return Task.FromResult(0);
        }

        var tree = new Tree($"[bold]{Markup.Escape(view.WorkspaceRoot)}[/] ({Number(view.FileCount)} files)");
        AddChildren(tree, view.FileTree, settings.Depth ?? DefaultPrintedDepth);
        console.Write(tree);
        WriteSummary(view);
        console.MarkupLineInterpolated($"[grey]scanned in {Seconds(scanned)} (listing and reading {Seconds(index.Timings.Reading)}, tokens {Seconds(index.Timings.Tokens)}, view {Seconds(scanned - index.Timings.Total)})[/]");
        return Task.FromResult(0);
    }

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";

    private void WriteSummary(CodebaseDto view)
    {
        var s = view.StructureSummary;
        var estimate = view.TokenEstimate is { } e ? $" ({e.Encoding}, {e.Method})" : "";
        console.MarkupLineInterpolated($"tokens: {Number(view.TotalTokens)}{estimate}");
        console.MarkupLineInterpolated($"backend: {s.HasBackend}  frontend: {s.HasFrontend}  tests: {s.HasTests}");
        Line("languages", s.Languages.OrderByDescending(l => l.Value).Select(l => $"{l.Key} {Number(l.Value)} lines"));
        Line("frameworks", s.Frameworks);
        Line("build", s.BuildSystems);
        Line("test frameworks", s.TestFrameworks);
        Line("CI", s.CiSystems);
        Line("dependencies", view.Dependencies.GroupBy(d => d.Ecosystem).Select(g => $"{g.Key} {g.Count()}"));
        var manifests = view.DependencyManifests;
        Line("manifests not read whole", [
            .. manifests.Cut.Select(p => $"{p} (cut)"),
            .. manifests.Unparsable.Select(p => $"{p} (does not parse)"),
            .. manifests.SkippedCount > 0 ? [$"{manifests.SkippedCount} past the cap"] : Array.Empty<string>()]);
        Line("key config files", view.KeyConfigFiles.Keys);
        console.MarkupLineInterpolated($"source files: {Listed(view.BackendFiles.Count, view.BackendFilesTotal)} backend, {Listed(view.FrontendFiles.Count, view.FrontendFilesTotal)} frontend, {Listed(view.TestFiles.Count, view.TestFilesTotal)} test");
        if (view.KeyConfigFilesTruncated || view.KeyConfigFilesCut.Count > 0)
        {
            console.MarkupLineInterpolated($"key config files: {Listed(view.KeyConfigFiles.Count, view.KeyConfigFilesTotal)} shown, {view.KeyConfigFilesCut.Count} cut at the size cap");
        }
        if (view.ResponseTokens is { } used)
        {
            var left = view.Omitted is { Count: > 0 } omitted
                ? string.Join(", ", omitted.Select(o => o.Key switch
                {
                    "preview_chars_over" => $"previews cut to {o.Value} characters",
                    "tree_depth" => $"tree folders emptied from level {o.Value}",
                    "tree_folders" => $"the contents of {o.Value} tree folders",
                    _ => $"{o.Value} {o.Key.Replace('_', ' ')}",
                }))
                : "nothing";
            console.MarkupLineInterpolated($"fitted to the budget: {Number(used)} tokens; left out: {left}");
            if (view.LeftOut is { } names)
            {
                var more = names.NotNamed > 0 ? [$"{Number(names.NotNamed)} more"] : Array.Empty<string>();
                Line("left out by name", [.. names.SourceFiles, .. names.KeyConfigFiles, .. names.TreeFolders, .. more]);
            }
        }
    }

    private void Line(string label, IEnumerable<string> items)
    {
        var text = string.Join(", ", items);
        if (text.Length > 0)
        {
            console.MarkupLineInterpolated($"{label}: {text}");
        }
    }

    /// <summary>"12", or "300 of 1,204" when a list was capped.</summary>
    private static string Listed(int shown, int total) => shown < total ? $"{Number(shown)} of {Number(total)}" : Number(shown);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void AddChildren(IHasTreeNodes parent, FileTreeNodeDto node, int depth)
    {
        foreach (var child in node.Children ?? [])
        {
            if (child.Type == FileTreeNode.DirectoryType)
            {
                var branch = parent.AddNode($"[blue]{Markup.Escape(child.Name)}/[/]");
                if (depth > 1)
                {
                    AddChildren(branch, child, depth - 1);
                }
            }
            else
            {
                parent.AddNode($"{Markup.Escape(child.Name)} [grey]{child.Lines?.ToString(CultureInfo.InvariantCulture) ?? "-"} lines[/]");
            }
        }
    }
}
