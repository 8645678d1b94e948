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

    [Fact]
    public void Read_FromAStreamOnTwoThreads_GivesTheSameResultAsAppending()
    {
        var logs = Directory.EnumerateFiles(LogsRoot, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        // One long log of all the corpus, several blocks long, with a line far longer than the analyzer keeps.
        var all = string.Join("\n", logs.Select(f => Lenient.GetString(File.ReadAllBytes(f))))
                  + "\nerror: " + new string('y', 3 * LogAnalyzer.MaxLineLength) + "\r\nlast line without end";
        foreach (var text in logs.Select(f => Lenient.GetString(File.ReadAllBytes(f))).Append(all))
        {
            var expected = Describe(LogAnalyzer.Analyze(text));
            foreach (var encoding in new Encoding[] { new UTF8Encoding(false), new UTF8Encoding(true), new UnicodeEncoding(false, true) })
            {
                var analyzer = new LogAnalyzer();
                using (var stream = new MemoryStream([.. encoding.GetPreamble(), .. encoding.GetBytes(text)]))
                {
                    analyzer.Read(stream);
                }

                Assert.Equal(expected, Describe(analyzer.Complete()));
            }
        }
    }

    [Fact]
    public void Read_StreamThatFails_ReportsTheFailureRatherThanAShortAnalysis()
    {
        var analyzer = new LogAnalyzer();
        using var stream = new FailingStream(Encoding.UTF8.GetBytes(new string('a', 10_000) + "\nerror: x\n"));
        Assert.Throws<IOException>(() => analyzer.Read(stream));
    }

    [Fact]
    public void Read_Cancelled_StopsPromptlyWithTheCancellation()
    {
        // An endless log: only the cancellation can end the read.
        using var stream = new EndlessLogStream();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => new LogAnalyzer().Read(stream, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    private sealed class EndlessLogStream : Stream
    {
        private static readonly byte[] Lines = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"src/a.c:{i}:1: error: expected ';'\n")));
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, Lines.Length - _at);
            Array.Copy(Lines, _at, buffer, offset, n);
            _at = (_at + n) % Lines.Length;
            return n;
        }
    }

    /// <summary>
    /// Logs are concatenations of tools' outputs: a block one parser opens must never swallow what
    /// the next tool reports, nor merge it into its own. Every diagnostic a log yields alone, it also
    /// yields after any other log.
    /// </summary>
    [Fact]
    public void Analyze_AnyLogAfterAnother_StillYieldsEveryOneOfItsDiagnostics()
    {
        var logs = Directory.EnumerateFiles(LogsRoot, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetRelativePath(LogsRoot, f), Text: Lenient.GetString(File.ReadAllBytes(f)).TrimEnd('\n') + "\n"))
            .ToList();
        // Lines that only repeat that a step failed ("make: *** Error 1") are dropped once a log has a real
        // error: a log's own diagnostics are those it yields after a line that is surely an error.
        const string Sentinel = "##[error]an earlier step failed\n";
        var alone = logs.ToDictionary(
            l => l.Name,
            l => LogAnalyzer.Analyze(Sentinel + l.Text).Diagnostics.Select(Key).Where(k => !k.Contains("an earlier step failed", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal));
        var failures = new List<string>();
        foreach (var before in logs)
        {
            foreach (var after in logs.Where(l => alone[l.Name].Count > 0))
            {
                var together = LogAnalyzer.Analyze(before.Text + after.Text).Diagnostics.Select(Key).ToHashSet(StringComparer.Ordinal);
                var missing = alone[after.Name].Where(d => !together.Contains(d)).ToList();
                if (missing.Count > 0)
                {
                    failures.Add($"{after.Name} after {before.Name} lost: {string.Join(" | ", missing)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} pairs lost diagnostics:\n{string.Join('\n', failures.Take(60))}");

        static string Key(Diagnostic d) => $"{d.Severity}|{d.Tool}|{d.Code}|{d.Message}";
    }

    /// <summary>A stream that gives some bytes, then fails as a disk or a network can.</summary>
    private sealed class FailingStream(byte[] head) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == head.Length)
            {
                throw new IOException("disk gone");
            }

            var n = Math.Min(count, head.Length - _position);
            head.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
