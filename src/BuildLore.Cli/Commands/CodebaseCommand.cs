using System.ComponentModel;
using System.Text.Json;
using BuildLore.Core.Codebase;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary><c>buildlore codebase</c>: the view of the current folder the server gives an LLM, offline.</summary>
internal sealed class CodebaseCommand(IAnsiConsole console) : AsyncCommand<CodebaseCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("The workspace (default: the current folder).")]
        public string? Directory { get; init; }

        [CommandOption("--json")]
        [Description("Print the snapshot as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--depth <N>")]
        [Description("Folder levels of the tree to print (default 3).")]
        [DefaultValue(3)]
        public int Depth { get; init; } = 3;

        public override ValidationResult Validate() =>
            Directory is not null && !System.IO.Directory.Exists(Directory) ? ValidationResult.Error($"No such folder: {Directory}") : ValidationResult.Success();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var snapshot = new CodebaseScanner().Scan(settings.Directory ?? System.IO.Directory.GetCurrentDirectory(), cancellationToken);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(snapshot, CodebaseJson.Default.CodebaseSnapshot));
            return Task.FromResult(0);
        }

        var tree = new Tree($"[bold]{Markup.Escape(snapshot.WorkspaceName)}[/] ({snapshot.FileCount} files)");
        AddChildren(tree, snapshot.FileTree, settings.Depth);
        console.Write(tree);
        var s = snapshot.StructureSummary;
        console.MarkupLineInterpolated($"backend: {s.HasBackend}  frontend: {s.HasFrontend}  tests: {s.HasTests}");
        if (snapshot.KeyConfigFiles.Count > 0)
        {
            console.MarkupLineInterpolated($"key config files: {string.Join(", ", snapshot.KeyConfigFiles.Keys)}");
        }

        return Task.FromResult(0);
    }

    private static void AddChildren(IHasTreeNodes parent, FileTreeNode node, int depth)
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
                parent.AddNode($"{Markup.Escape(child.Name)} [grey]{child.Lines?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} lines[/]");
            }
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CodebaseSnapshot))]
internal sealed partial class CodebaseJson : System.Text.Json.Serialization.JsonSerializerContext;
