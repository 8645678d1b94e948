using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>.buildloreignore hides files from clients even when git tracks them.</summary>
public sealed class BuildLoreIgnoreTests
{
    [Fact]
    public void BuildLoreIgnore_HidesTrackedAndUntrackedFilesFromScanReadAndSearch()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print('visible')\n");
        workspace.Write("internal/notes.md", "INTERNAL-ONLY plans\n");
        workspace.Write(".buildloreignore", "internal/\n*.draft\n");
        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path);
        workspace.Write("ideas.draft", "INTERNAL-ONLY idea\n");

        var scanner = new CodebaseScanner();
        var files = scanner.ListVisibleFiles(workspace.Path);
        var files2 = new WorkspaceFiles(workspace.Path);

        Assert.Contains("src/app.py", files);
        Assert.DoesNotContain("internal/notes.md", files);
        Assert.DoesNotContain("ideas.draft", files);
        Assert.False(scanner.IsVisible(workspace.Path, "internal/notes.md"));
        Assert.Throws<WorkspacePathException>(() => files2.Read("internal/notes.md"));
        Assert.Empty(files2.Search("INTERNAL-ONLY", regex: false, maxHits: 10, context: 0).Hits);
    }
}
