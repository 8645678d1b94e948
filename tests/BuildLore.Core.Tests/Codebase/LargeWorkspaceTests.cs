using System.Diagnostics;
using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>A 5,000-file git repository, and files that must not stall a scan.</summary>
public sealed class LargeWorkspaceTests
{
    private const string SecretMarker = "SECRET-MARKER-5k";

    [Fact]
    public void Scan_FiveThousandFileRepository_ShowsExactlyGitsFilesLessSecrets_InBothModes()
    {
        using var workspace = new TempDirectory("buildlore-5k");
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5_000; i++)
        {
            // 50 packages of 100 files: sources, tests, and files the nested .gitignore files hide.
            var package = $"packages/pkg{i / 100:D2}";
            var (relative, visible) = (i % 100) switch
            {
                < 70 => ($"{package}/src/module{i % 10}/file{i}.ts", true),
                < 90 => ($"{package}/test/file{i}.test.ts", true),
                < 95 => ($"{package}/build/out{i}.js", false), // "build/" in the root .gitignore
                < 99 => ($"{package}/src/gen{i}.generated.ts", false), // "*.generated.ts" in each package's .gitignore
                _ => ($"{package}/.env", false), // a secret file
            };
            workspace.Write(relative, i % 100 == 99 ? $"TOKEN={SecretMarker}\n" : $"export const value{i} = {i};\n");
            if (visible)
            {
                expected.Add(relative);
            }
        }

        workspace.Write(".gitignore", "build/\n");
        expected.Add(".gitignore");
        for (var p = 0; p < 50; p++)
        {
            workspace.Write($"packages/pkg{p:D2}/.gitignore", "*.generated.ts\n");
            expected.Add($"packages/pkg{p:D2}/.gitignore");
        }

        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path); // .env files are committed too: tracked secrets must still be hidden

        var stopwatch = Stopwatch.StartNew();
        var listed = new CodebaseScanner().Scan(workspace.Path);
        var elapsed = stopwatch.Elapsed;
        var walked = new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).Scan(workspace.Path);

        foreach (var snapshot in new[] { listed, walked })
        {
            Assert.Equal(expected.Count, snapshot.FileCount);
            Assert.Equal(expected, new SortedSet<string>(FilePaths(snapshot.FileTree), StringComparer.Ordinal));
            Assert.False(snapshot.TreeTruncated);
            Assert.Equal(300, snapshot.BackendFiles.Count); // capped lists
            Assert.Equal(300, snapshot.TestFiles.Count);
            Assert.True(snapshot.StructureSummary.HasTests);
            Assert.Equal(4_500, snapshot.Facts.Languages["typescript"]); // one line per visible source and test file
            Assert.True(snapshot.TotalTokens > 4_500);
            Assert.DoesNotContain(snapshot.BackendFiles.Concat(snapshot.TestFiles), f => f.Preview.Contains(SecretMarker, StringComparison.Ordinal));
        }

        // Generous: a bound that still catches per-file work gone quadratic on a loaded machine.
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"scanning 5,000 files took {elapsed}");
    }

    [Fact]
    public async Task Scan_FifoInTheWorkspace_IsListedWithoutBlockingTheScanOrAFileRead()
    {
        using var workspace = new TempDirectory("buildlore-fifo");
        workspace.Write("src/app.py", "print('hi')\n");
        using (var mkfifo = Process.Start("mkfifo", [workspace.Combine("src", "pipe.py")]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO for reading waits for a writer that never comes: the scan must not try.
        var scan = Task.Run(() => new CodebaseScanner().Scan(workspace.Path));
        var read = Task.Run(() => new WorkspaceFiles(workspace.Path).Read("src/pipe.py"));
        var search = Task.Run(() => new WorkspaceFiles(workspace.Path).Search("hi", regex: false, maxHits: 10, context: 0));

        await Task.WhenAll(scan, read, search).WaitAsync(TimeSpan.FromSeconds(30)); // a TimeoutException: a FIFO blocked one of them
        Assert.Contains("src/app.py", FilePaths((await scan).FileTree));
        Assert.Equal("", (await read).Content);
        Assert.Equal("src/app.py", Assert.Single((await search).Hits).Path);
    }

    private static IEnumerable<string> FilePaths(FileTreeNode node, string? prefix = null)
    {
        foreach (var child in node.Children ?? [])
        {
            var path = prefix is null ? child.Name : $"{prefix}/{child.Name}";
            if (child.Type == FileTreeNode.DirectoryType)
            {
                foreach (var nested in FilePaths(child, path))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
