using BuildLore.Server.Codebase;
using BuildLore.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace BuildLore.Server.Tests;

/// <summary>The server's cached codebase scan: what drops it, what does not, and how it recovers.</summary>
public sealed class CodebaseCacheTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cache_EditingBuildLoreIgnore_HidesTheFileItNowNames()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        workspace.Write("src/draft.py", "print(2)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        Assert.Contains("draft.py", await View(server), StringComparison.Ordinal);

        workspace.Write(".buildloreignore", "draft.py\n");

        await EventuallyGone(server, "draft.py", "a file newly named in .buildloreignore is still served");
    }

    [Fact]
    public async Task Cache_GitInfoExclude_HidesTheUntrackedFileItNowNames()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path);
        workspace.Write("scratch.py", "print(2)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        Assert.Contains("scratch.py", await View(server), StringComparison.Ordinal);

        File.AppendAllText(workspace.Combine(".git", "info", "exclude"), "scratch.py\n");

        await EventuallyGone(server, "scratch.py", "a file newly excluded in .git/info/exclude is still served");
    }

    [Fact]
    public async Task Cache_GitIndexChange_HidesAFileThatIsNoLongerTrackedAndIsIgnored()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        workspace.Write("generated.py", "print(2)\n");
        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path);
        // Ignored but tracked, so git still lists it; only the index decides.
        workspace.Write(".gitignore", "generated.py\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        Assert.Contains("generated.py", await View(server), StringComparison.Ordinal);

        Git.Run(workspace.Path, "rm", "--cached", "--quiet", "generated.py");

        await EventuallyGone(server, "generated.py", "a file untracked in the index (and ignored) is still served");
    }

    [Fact]
    public async Task Cache_WritesToTheDataFolderSkippedFoldersAndGitObjects_KeepTheScan()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path);
        await using var server = await TestServer.StartAsync(workspace.Path);
        var cache = server.Services.GetRequiredService<CodebaseCache>();
        await View(server);
        var scans = cache.Scans;

        workspace.Write(".buildlore/notes.txt", "server data\n");
        workspace.Write("bin/Debug/app.dll", "output\n");
        workspace.Write(".git/objects/ab/cdef", "object\n");
        // Events arrive within milliseconds; a second and a half is ample for any that would drop the scan.
        await Task.Delay(1500);
        await View(server);
        Assert.Equal(scans, cache.Scans);

        // Not the data folder, though its name starts the same: a real change.
        workspace.Write(".buildloreignore.bak", "backup\n");
        await Eventually(async () => (await View(server)).Contains(".buildloreignore.bak", StringComparison.Ordinal), "a change beside the data folder was missed");
    }

    [Fact]
    public async Task Cache_AfterAWatcherError_RescansOnceThenCachesAndWatchesAgain()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var cache = server.Services.GetRequiredService<CodebaseCache>();
        await View(server);
        var afterFirst = cache.Scans;

        cache.RaiseWatcherError(new InternalBufferOverflowException("too many changes at once"));
        await View(server);
        await View(server);
        await View(server);

        Assert.Equal(afterFirst + 1, cache.Scans);
        // Moved in whole: written in place, the file's creation and its write are separate events, and a
        // scan between them would rightly be dropped by the second, so the count below would depend on timing.
        MoveIn(workspace, "src/added.py", "print(2)\n");
        await Eventually(async () => (await View(server)).Contains("added.py", StringComparison.Ordinal), "the new watcher never reported the change");
        var afterChange = cache.Scans;
        await View(server);
        Assert.Equal(afterChange, cache.Scans);
    }

    [Fact]
    public async Task Cache_ConcurrentFirstRequests_ShareOneScan()
    {
        using var workspace = WorkspaceOf2000Files();
        await using var server = await StartWithoutIndexOnStart(workspace);
        var cache = server.Services.GetRequiredService<CodebaseCache>();
        Assert.Equal(0, cache.Scans);

        var views = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => View(server)));

        Assert.Equal(1, cache.Scans);
        Assert.All(views, v => Assert.Equal(views[0], v));
        Assert.Contains("f1999.py", views[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_IndexOnStart_ScansBeforeAnyRequest_AndTheFirstRequestRunsNoOtherScan()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var cache = server.Services.GetRequiredService<CodebaseCache>();

        await Eventually(() => Task.FromResult(cache.Scans == 1), "the server did not scan its workspace at start");
        Assert.Contains("app.py", await View(server), StringComparison.Ordinal);
        Assert.Equal(1, cache.Scans);
    }

    [Fact]
    public async Task Cache_ARequestThatGivesUp_LeavesTheScanToFinishForTheNext()
    {
        using var workspace = WorkspaceOf2000Files();
        await using var server = await StartWithoutIndexOnStart(workspace);
        var cache = server.Services.GetRequiredService<CodebaseCache>();
        using (var impatient = new CancellationTokenSource())
        {
            // Given up as soon as asked, not after a timer: a timer's callback can wait for a busy thread pool
            // until the 2,000-file scan has finished, and then nothing was given up.
            var wait = cache.GetAsync(server.Workspace, impatient.Token);
            impatient.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }

        Assert.Contains("f1999.py", await View(server), StringComparison.Ordinal);
        Assert.Equal(1, cache.Scans);
    }

    /// <summary>Enough files that a scan takes a while: requests sent together overlap it.</summary>
    private static TempDirectory WorkspaceOf2000Files()
    {
        var workspace = new TempDirectory();
        for (var i = 0; i < 2000; i++)
        {
            workspace.Write($"src/m{i / 100}/f{i}.py", $"value = {i}\n");
        }

        return workspace;
    }

    /// <summary>Writes <paramref name="text"/> beside the workspace and renames it in: the watcher sees one event.</summary>
    private static void MoveIn(TempDirectory workspace, string relativePath, string text)
    {
        var outside = workspace.Path + ".incoming";
        File.WriteAllText(outside, text);
        File.Move(outside, workspace.Combine(relativePath.Split('/')));
    }

    private static Task<TestServer> StartWithoutIndexOnStart(TempDirectory workspace) =>
        TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:Codebase:IndexOnStart"] = "false" });

    private static Task<string> View(TestServer server) => server.Http.GetStringAsync("llm/learning/codebase");

    private static Task EventuallyGone(TestServer server, string name, string failure) =>
        Eventually(async () => !(await View(server)).Contains(name, StringComparison.Ordinal), failure);

    private static async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}
