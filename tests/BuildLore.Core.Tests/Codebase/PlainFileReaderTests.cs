using System.Diagnostics;
using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>
/// The scan's direct reader: what it opens itself and what it leaves to the general path (links,
/// folders, FIFOs), and that the scan gives the same answers through it.
/// </summary>
public sealed class PlainFileReaderTests
{
    [Fact]
    public void IsSupported_OnLinux_SoTheScanUsesIt()
    {
        // Were libc not found, every scan would quietly take the slower general path.
        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, PlainFileReader.IsSupported);
    }

    [Fact]
    public void TryOpen_APlainFile_OpensItWithItsSize()
    {
        RequireSupport();
        using var workspace = new TempDirectory();
        workspace.Write("a.txt", "hello\nworld\n");

        Assert.Equal(PlainFileReader.Outcome.Opened, PlainFileReader.TryOpen(workspace.Combine("a.txt"), out var descriptor, out var length));
        try
        {
            Assert.Equal(12, length);
            var buffer = new byte[64];
            Assert.Equal(12, PlainFileReader.Read(descriptor, buffer, 0));
            Assert.Equal(6, PlainFileReader.Read(descriptor, buffer, 6));
            Assert.Equal(0, PlainFileReader.Read(descriptor, buffer, 12));
        }
        finally
        {
            PlainFileReader.Close(descriptor);
        }
    }

    [Fact]
    public void TryOpen_ALink_IsLeftToTheGeneralPath()
    {
        RequireSupport();
        using var workspace = new TempDirectory();
        workspace.Write("real.txt", "x\n");
        File.CreateSymbolicLink(workspace.Combine("link.txt"), workspace.Combine("real.txt"));
        File.CreateSymbolicLink(workspace.Combine("outside.txt"), "/etc/hostname");

        Assert.Equal(PlainFileReader.Outcome.Undecided, PlainFileReader.TryOpen(workspace.Combine("link.txt"), out _, out _));
        Assert.Equal(PlainFileReader.Outcome.Undecided, PlainFileReader.TryOpen(workspace.Combine("outside.txt"), out _, out _));
    }

    [Fact]
    public void TryOpen_NothingThere_IsNotAFile()
    {
        RequireSupport();
        using var workspace = new TempDirectory();

        Assert.Equal(PlainFileReader.Outcome.NotAFile, PlainFileReader.TryOpen(workspace.Combine("gone.txt"), out _, out _));
        Assert.Equal(PlainFileReader.Outcome.NotAFile, PlainFileReader.TryOpen(workspace.Combine("gone", "deeper.txt"), out _, out _));
    }

    [Fact]
    public void TryOpen_AFolder_IsNeverReadAsAFile()
    {
        RequireSupport();
        using var workspace = new TempDirectory();
        workspace.Write("sub/inner.txt", "x\n");

        var outcome = PlainFileReader.TryOpen(workspace.Combine("sub"), out var descriptor, out _);
        if (outcome == PlainFileReader.Outcome.Opened)
        {
            try
            {
                Assert.Equal(-1, PlainFileReader.Read(descriptor, new byte[64], 0));
            }
            finally
            {
                PlainFileReader.Close(descriptor);
            }
        }
        else
        {
            Assert.Equal(PlainFileReader.Outcome.Undecided, outcome);
        }
    }

    [Fact]
    public async Task TryOpen_AFifo_OpensAtOnceWithNoSize()
    {
        RequireSupport();
        using var workspace = new TempDirectory();
        MakeFifo(workspace.Combine("pipe"));

        var open = Task.Run(() => (Outcome: PlainFileReader.TryOpen(workspace.Combine("pipe"), out var descriptor, out var length), descriptor, length));
        var (outcome, opened, size) = await open.WaitAsync(TimeSpan.FromSeconds(30)); // a TimeoutException: the open waited for a writer
        PlainFileReader.Close(opened);
        Assert.Equal(PlainFileReader.Outcome.Opened, outcome);
        Assert.Equal(0, size);
    }

    [Fact]
    public async Task Scan_GitRepository_TrackedPathsThatAreNoLongerPlainFiles_AreNotReadAsFiles()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        workspace.Write("src/pipe.py", "print(2)\n");
        workspace.Write("docs/readme.md", "# docs\n");
        Git.Init(workspace.Path);
        Git.CommitAll(workspace.Path);
        // A tracked file replaced by a FIFO, a submodule (git lists its folder as one entry), and a
        // tracked folder replaced by a link that leaves the workspace.
        File.Delete(workspace.Combine("src", "pipe.py"));
        MakeFifo(workspace.Combine("src", "pipe.py"));
        var head = Git.Run(workspace.Path, "rev-parse", "HEAD").Trim();
        Directory.CreateDirectory(workspace.Combine("vendor", "lib"));
        Git.Run(workspace.Path, "update-index", "--add", "--cacheinfo", $"160000,{head},vendor/lib");
        using var outside = new TempDirectory();
        outside.Write("readme.md", "outside the workspace\n");
        Directory.Delete(workspace.Combine("docs"), recursive: true);
        Directory.CreateSymbolicLink(workspace.Combine("docs"), outside.Path);

        var index = await Task.Run(() => new CodebaseScanner().Index(workspace.Path)).WaitAsync(TimeSpan.FromSeconds(60));

        var files = index.Files.ToDictionary(f => f.Path);
        Assert.Equal(["src/app.py", "src/pipe.py"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((9L, 1L), (files["src/app.py"].Size, files["src/app.py"].Lines!.Value));
        Assert.Equal(0, files["src/pipe.py"].Size);
    }

    // The suite runs on Linux (as CI does), where the reader must be in use.
    private static void RequireSupport() => Assert.True(PlainFileReader.IsSupported, "the direct reader runs on 64-bit Linux only");

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
