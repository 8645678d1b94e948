using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>
/// A path is checked and then opened: a link swapped in between must not be followed out of the
/// workspace or to a file clients may not see. What was opened is looked at, not only the path.
/// </summary>
public sealed class SwappedLinkTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly TempDirectory _outside = new();

    public SwappedLinkTests()
    {
        _workspace.Write("src/app.py", "print('app')\n");
        _workspace.Write("notes.txt", "harmless notes\n");
        _workspace.Write(".env", "API_HOST=db.internal.example\n");
        _outside.Write("secret.txt", "TOP-SECRET outside the workspace\n");
    }

    public void Dispose()
    {
        _workspace.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void Read_APathSwappedForALinkOutsideAfterItsCheck_IsRefused()
    {
        var files = new WorkspaceFiles(_workspace.Path) { BeforeOpen = _ => SwapForLink("notes.txt", _outside.Combine("secret.txt")) };

        var refused = Assert.Throws<WorkspacePathException>(() => files.Read("notes.txt"));

        Assert.Contains("outside the workspace", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_APathSwappedForALinkToASecretFileAfterItsCheck_IsRefused()
    {
        var files = new WorkspaceFiles(_workspace.Path) { BeforeOpen = _ => SwapForLink("notes.txt", _workspace.Combine(".env")) };

        var refused = Assert.Throws<WorkspacePathException>(() => files.Read("notes.txt"));

        Assert.Contains("a file clients may not see", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_APathWhoseContentChangedAfterItsCheck_GivesTheNewContent()
    {
        // Not an escape: the same path, still a plain file in the workspace.
        var files = new WorkspaceFiles(_workspace.Path) { BeforeOpen = _ => File.WriteAllText(_workspace.Combine("notes.txt"), "rewritten notes\n") };

        Assert.Equal("rewritten notes\n", files.Read("notes.txt").Content);
    }

    [Fact]
    public void Read_ALinkToAVisibleFile_IsRead()
    {
        File.CreateSymbolicLink(_workspace.Combine("alias.py"), _workspace.Combine("src", "app.py"));

        Assert.Equal("print('app')\n", new WorkspaceFiles(_workspace.Path).Read("alias.py").Content);
    }

    [Fact]
    public void Search_AFileSwappedForALinkOutsideWhileSearching_IsNotSearched()
    {
        var files = new WorkspaceFiles(_workspace.Path)
        {
            BeforeOpen = relative =>
            {
                if (relative == "notes.txt" && File.ResolveLinkTarget(_workspace.Combine("notes.txt"), returnFinalTarget: false) is null)
                {
                    SwapForLink("notes.txt", _outside.Combine("secret.txt"));
                }
            },
        };

        var (hits, _) = files.Search("TOP-SECRET", regex: false, maxHits: 10, context: 0);

        Assert.Empty(hits);
        Assert.Single(files.Search("app", regex: false, maxHits: 10, context: 0).Hits);
    }

    [Fact]
    public void View_ASourceFileReplacedByALinkToASecretFileAfterTheScan_ShowsNoPreviewOfIt()
    {
        _workspace.Write("src/settings.py", "DEBUG = True\n");
        var index = new CodebaseScanner().Index(_workspace.Path);

        SwapForLink("src/settings.py", _workspace.Combine(".env"));
        var view = index.Snapshot(null);

        var settings = Assert.Single(view.BackendFiles, f => f.Path == "src/settings.py");
        Assert.DoesNotContain("db.internal.example", settings.Preview, StringComparison.Ordinal);
        Assert.Contains("print('app')", Assert.Single(view.BackendFiles, f => f.Path == "src/app.py").Preview, StringComparison.Ordinal);
    }

    private void SwapForLink(string relative, string target)
    {
        var path = _workspace.Combine(relative.Split('/'));
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
    }
}
