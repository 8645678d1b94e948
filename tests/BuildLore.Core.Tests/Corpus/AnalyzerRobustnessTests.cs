using System.Diagnostics;
using System.Text;
using BuildLore.Core.Analysis;

namespace BuildLore.Core.Tests.Corpus;

/// <summary>
/// Property and fuzz tests: whatever bytes a log holds and however it arrives, the analyzer finishes
/// quickly, never throws, and keeps its memory bounded.
/// </summary>
public sealed class AnalyzerRobustnessTests
{
    private static readonly string LogsRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Logs");
    private static readonly UTF8Encoding Lenient = new(false, false);

    private static LogAnalysis AnalyzeInPieces(string text, Random random, int maxPiece)
    {
        var analyzer = new LogAnalyzer();
        for (var offset = 0; offset < text.Length;)
        {
            var length = Math.Min(text.Length - offset, random.Next(1, maxPiece + 1));
            analyzer.Append(text.AsSpan(offset, length));
            offset += length;
        }

        return analyzer.Complete();
    }

    private static string Describe(LogAnalysis analysis) =>
        string.Join('\n', analysis.Diagnostics.Select(d => $"{d.LogLine}|{d.EndLogLine}|{d.Display()}|{d.Tool}|{d.Fingerprint}"))
        + $"\n{analysis.TotalLines}|{analysis.ErrorCount}|{analysis.WarningCount}|{analysis.Category}";

    [Fact]
    public void Analyze_GivesTheSameResultHoweverTheLogIsSplit()
    {
        var random = new Random(20261125);
        foreach (var file in Directory.EnumerateFiles(LogsRoot, "*.log", SearchOption.AllDirectories))
        {
            var text = Lenient.GetString(File.ReadAllBytes(file));
            var whole = Describe(LogAnalyzer.Analyze(text));
            foreach (var maxPiece in new[] { 1, 7, 64, 4096 })
            {
                Assert.True(whole == Describe(AnalyzeInPieces(text, random, maxPiece)), $"{file} split in pieces of up to {maxPiece} chars");
            }
        }
    }

    [Fact]
    public void Analyze_RandomBytes_NeverThrowsAndFinishesQuickly()
    {
        var random = new Random(42);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 64 * 1024)];
            random.NextBytes(bytes);
            // Sprinkle newlines and tool-like fragments so parsers get started, then cut off mid-block.
            for (var j = 0; j < bytes.Length; j += random.Next(1, 200))
            {
                bytes[j] = (byte)'\n';
            }

            var text = Lenient.GetString(bytes);
            if (i % 3 == 0)
            {
                text = text.Insert(text.Length / 2, "\nTraceback (most recent call last):\n  File \"x.py\", line 1\nerror[E0308]: x\n --> a.rs:1:1\n");
            }

            var analysis = AnalyzeInPieces(text, random, 8192);
            Assert.True(analysis.Diagnostics.Count <= LogAnalyzer.MaxDiagnostics);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"300 random logs took {watch.Elapsed}");
    }

    [Fact]
    public void Analyze_MutatedRealLogs_NeverThrow()
    {
        var random = new Random(7);
        foreach (var file in Directory.EnumerateFiles(LogsRoot, "*.log", SearchOption.AllDirectories))
        {
            var lines = Lenient.GetString(File.ReadAllBytes(file)).Split('\n').ToList();
            for (var round = 0; round < 5; round++)
            {
                var mutated = new List<string>(lines);
                for (var k = 0; k < 10 && mutated.Count > 0; k++)
                {
                    var at = random.Next(mutated.Count);
                    switch (random.Next(3))
                    {
                        case 0: mutated.RemoveAt(at); break;
                        case 1: mutated.Insert(at, mutated[random.Next(mutated.Count)]); break;
                        default: mutated[at] = mutated[at][..random.Next(mutated[at].Length + 1)]; break;
                    }
                }

                _ = LogAnalyzer.Analyze(string.Join('\n', mutated));
            }
        }
    }

    [Fact]
    public void Analyze_FiftyMegabyteSingleLine_FinishesQuicklyInBoundedMemory()
    {
        var piece = new string('x', 1024 * 1024);
        var analyzer = new LogAnalyzer();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();

        analyzer.Append("error: the start of a very long line ");
        for (var i = 0; i < 50; i++)
        {
            analyzer.Append(piece);
        }

        analyzer.Append("\nnext line\n");
        var analysis = analyzer.Complete();
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(2, analysis.TotalLines);
        Assert.Equal(1, analysis.ErrorCount);
        Assert.True(grown < 16 * 1024 * 1024, $"analyzer kept {grown / 1024} KiB for one long line");
        GC.KeepAlive(analyzer);
    }

    [Fact]
    public void Analyze_EndlessBlocksAndFloodsOfErrors_StayBounded()
    {
        var log = new StringBuilder();
        log.Append("Traceback (most recent call last):\n");
        for (var i = 0; i < 100_000; i++)
        {
            log.Append("  File \"/app/deep.py\", line ").Append(i).Append(", in f\n    f()\n");
        }

        log.Append("RecursionError: maximum recursion depth exceeded\n");
        for (var i = 0; i < 50_000; i++)
        {
            log.Append("src/gen").Append(i).Append(".c:1:1: error: generated error number ").Append(i).Append('\n');
        }

        var watch = Stopwatch.StartNew();
        var analysis = LogAnalyzer.Analyze(log.ToString());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(LogAnalyzer.MaxDiagnostics, analysis.Diagnostics.Count);
        Assert.Equal(50_001, analysis.ErrorCount);
        Assert.Equal("python", analysis.Diagnostics[0].Tool);
        Assert.Equal("deep.py", Path.GetFileName(analysis.Diagnostics[0].File));
        Assert.True(analysis.FailureExcerpt.Sum(r => r.Text.Length) <= 2000 * 4);
    }
}
