using BuildLore.Tests;
using System.Diagnostics;
using System.Reflection;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using BuildLore.Core.Tests.Support;

namespace BuildLore.Core.Tests.Builds;

[Collection(TimingSensitive.Name)]
public class BuildLogWriterTests
{
    private const string BuildId = "b-123";

    [Fact]
    public async Task WriteAsync_SmallWriteIsStoredWithinASecondWithoutMoreOutput()
    {
        var store = new RecordingStore();
        await using var writer = new BuildLogWriter(store.Store, BuildId);

        await writer.WriteAsync("compiling\n");
        // Timed from the write's return: the first write also pays for building the redactor's regexes.
        var watch = Stopwatch.StartNew();

        while (store.Text.Length == 0 && watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(10);
        }

        Assert.Equal("compiling\n", store.Text);
        Assert.All(store.Appends, a => Assert.Equal(BuildId, a.BuildId));
    }

    [Fact]
    public async Task WriteAsync_KeepsFlushingPeriodicallyWhileTheBuildRuns()
    {
        var store = new RecordingStore();
        await using var writer = new BuildLogWriter(store.Store, BuildId);

        await writer.WriteAsync("first\n");
        await WaitUntilAsync(() => store.Text == "first\n");
        await writer.WriteAsync("second\n");
        await WaitUntilAsync(() => store.Text == "first\nsecond\n");

        Assert.Equal(2, store.Appends.Count);
    }

    [Fact]
    public async Task WriteAsync_StoresAtOnceWhenManyCharactersGather()
    {
        var store = new RecordingStore();
        await using var writer = new BuildLogWriter(store.Store, BuildId);
        var big = new string('x', 70 * 1024);

        await writer.WriteAsync(big);

        // No waiting: the threshold flush happens inside WriteAsync.
        Assert.Equal(big, store.Text);
    }

    [Fact]
    public async Task OverlappedStores_KeepOrderAndAreAllDoneWhenCompleteReturns()
    {
        var store = new RecordingStore { Delay = TimeSpan.FromMilliseconds(30) };
        var writer = new BuildLogWriter(store.Store, BuildId, flushThreshold: 1000, overlapStores: true);
        var expected = new System.Text.StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            var piece = string.Concat(Enumerable.Range(0, 30).Select(n => $"piece {i} line {n}\n"));
            expected.Append(piece);
            await writer.WriteAsync(piece);
        }

        await writer.CompleteAsync();

        Assert.True(store.Appends.Count > 5, $"{store.Appends.Count} chunks");
        Assert.Equal(expected.ToString(), store.Text);
        Assert.Equal(40 * 30, (await writer.GetAnalysisAsync(true)).TotalLines);
        await writer.DisposeAsync();
    }

    [Theory]
    [InlineData(Fixtures.DotnetWarningAndError)]
    [InlineData(Fixtures.GccLinkError)]
    public async Task OverlappedStores_RedactAndAnalyzeAsTheLiveWriterDoes(string fixture)
    {
        // A secret in every few lines, split across writes and chunks anywhere.
        var log = string.Concat(Enumerable.Repeat(Fixtures.Read(fixture), 3).SelectMany(text => text.Split('\n')).Select((line, i) => i % 7 == 3 ? $"export API_TOKEN=ghp_{new string('x', 36)} {line}\n" : line + "\n"));
        var live = new RecordingStore();
        var bulk = new RecordingStore { Delay = TimeSpan.FromMilliseconds(2) };
        var liveWriter = new BuildLogWriter(live.Store, BuildId);
        var bulkWriter = new BuildLogWriter(bulk.Store, BuildId, flushThreshold: 100, overlapStores: true);
        var random = new Random(3);
        for (var offset = 0; offset < log.Length;)
        {
            var size = Math.Min(random.Next(1, 300), log.Length - offset);
            await liveWriter.WriteAsync(log.Substring(offset, size));
            await bulkWriter.WriteAsync(log.AsMemory(offset, size));
            offset += size;
        }

        await liveWriter.CompleteAsync();
        await bulkWriter.CompleteAsync();

        Assert.True(bulk.Appends.Count > 3, $"{bulk.Appends.Count} chunks");
        Assert.DoesNotContain("ghp_", bulk.Text, StringComparison.Ordinal);
        Assert.Equal(live.Text, bulk.Text);
        Assert.Equal(liveWriter.Redactions, bulkWriter.Redactions);
        Assert.True(bulkWriter.Redactions > 0);
        var expected = await liveWriter.GetAnalysisAsync(false);
        var actual = await bulkWriter.GetAnalysisAsync(false);
        Assert.Equal(expected.TotalLines, actual.TotalLines);
        Assert.Equal(expected.Diagnostics.Select(d => d.Display()), actual.Diagnostics.Select(d => d.Display()));
    }

    [Fact]
    public async Task OverlappedStores_AFailedStoreSurfacesAndNothingAfterItIsStored()
    {
        var store = new RecordingStore { FailAfter = 2 };
        var writer = new BuildLogWriter(store.Store, BuildId, flushThreshold: 100, overlapStores: true);

        var failure = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await writer.WriteAsync(string.Concat(Enumerable.Range(0, 10).Select(n => $"chunk {i} line {n}\n")));
            }

            await writer.CompleteAsync();
        });

        Assert.Equal("disk full", failure.Message);
        Assert.Equal(2, store.Appends.Count);
    }

    [Fact]
    public async Task CompleteAsync_WhileAPeriodicFlushIsStoring_LetsItFinishAndLosesNothing()
    {
        // The store honours cancellation, as a database driver does; completing must not cancel the write under way.
        var store = new RecordingStore { Delay = TimeSpan.FromMilliseconds(600) };
        var writer = new BuildLogWriter(store.Store, BuildId);
        await writer.WriteAsync("compiling\n");
        await Task.Delay(BuildLogWriter.FlushInterval + TimeSpan.FromMilliseconds(150)); // the periodic flush is now storing
        await writer.WriteAsync("error: boom\n");

        await writer.CompleteAsync();

        Assert.Equal("compiling\nerror: boom\n", store.Text);
        Assert.Equal(1, (await writer.GetAnalysisAsync(false)).ErrorCount);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_StoresWhatIsLeft()
    {
        var store = new RecordingStore();
        var writer = new BuildLogWriter(store.Store, BuildId);
        await writer.WriteAsync("line 1\n");
        await writer.WriteAsync("line 2 without newline");

        await writer.DisposeAsync();

        Assert.Equal("line 1\nline 2 without newline", store.Text);
        var analysis = await writer.GetAnalysisAsync(succeeded: true);
        Assert.Equal(2, analysis.TotalLines);
    }

    [Fact]
    public async Task DisposeAsync_CanBeCalledAfterCompleteAsync()
    {
        var store = new RecordingStore();
        var writer = new BuildLogWriter(store.Store, BuildId);
        await writer.WriteAsync("error: boom\n");

        await writer.CompleteAsync();
        await writer.DisposeAsync();

        Assert.Equal(1, (await writer.GetAnalysisAsync(succeeded: false)).ErrorCount);
        Assert.Equal("error: boom\n", store.Text);
        Assert.Single(store.Appends);
    }

    [Fact]
    public async Task WriteAsync_ReplacesNulCharacters()
    {
        var store = new RecordingStore();
        var writer = new BuildLogWriter(store.Store, BuildId);

        await writer.WriteAsync("binary\0junk\0\nerror: after\0nul\n");
        await writer.DisposeAsync();

        Assert.DoesNotContain('\0', store.Text);
        Assert.Equal("binary\uFFFDjunk\uFFFD\nerror: after\uFFFDnul\n", store.Text);
        var analysis = await writer.GetAnalysisAsync(succeeded: false);
        Assert.Equal(2, analysis.TotalLines);
        Assert.Equal(1, analysis.ErrorCount);
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Message.Contains('\0', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Fixtures.DotnetWarningAndError)]
    [InlineData(Fixtures.GccLinkError)]
    [InlineData(Fixtures.CargoError)]
    public async Task GetAnalysisAsync_MatchesAnalysisOfTheWholeTextAndTheExactLogIsStored(string fixture)
    {
        var log = Fixtures.Read(fixture);
        var store = new RecordingStore();
        var writer = new BuildLogWriter(store.Store, BuildId);
        var random = new Random(42);
        for (var offset = 0; offset < log.Length;)
        {
            var size = Math.Min(random.Next(1, 50), log.Length - offset);
            await writer.WriteAsync(log.Substring(offset, size));
            offset += size;
        }

        await writer.CompleteAsync();
        var analysis = await writer.GetAnalysisAsync(succeeded: false);
        await writer.DisposeAsync();

        Assert.Equal(log, store.Text);
        var whole = LogAnalyzer.Analyze(log, root: null, succeeded: false);
        Assert.Equal(Summaries.Of(log).TotalLines, analysis.TotalLines);
        Assert.Equal(whole.TotalLines, analysis.TotalLines);
        Assert.Equal(whole.ErrorCount, analysis.ErrorCount);
        Assert.Equal(whole.WarningCount, analysis.WarningCount);
        Assert.True(analysis.ErrorCount > 0);
        Assert.Equal(whole.Diagnostics.Select(d => d.Display()), analysis.Diagnostics.Select(d => d.Display()));
        Assert.Equal(whole.Category, analysis.Category);
    }

    [Fact]
    public async Task WriteAsync_KeepsOrderWhenWritesRaceThePeriodicFlush()
    {
        var store = new RecordingStore { Delay = TimeSpan.FromMilliseconds(5) };
        var writer = new BuildLogWriter(store.Store, BuildId);
        var expected = new System.Text.StringBuilder();
        var watch = Stopwatch.StartNew();
        // Keep writing until the periodic flush has stored several chunks in the middle of it.
        for (var i = 0; store.Appends.Count < 3; i++)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the periodic flush never stored anything while writing went on");
            var line = $"line {i}\n";
            expected.Append(line);
            await writer.WriteAsync(line);
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }

        await writer.WriteAsync("last\n");
        expected.Append("last\n");
        await writer.DisposeAsync();

        Assert.Equal(expected.ToString(), store.Text);
        Assert.Equal(expected.ToString().Split('\n').Length - 1, (await writer.GetAnalysisAsync(succeeded: true)).TotalLines);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), "timed out waiting for the periodic flush");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// A store that only records appended log text; the writer uses nothing else. Built with
    /// DispatchProxy so that members added to IBuildStore later need no change here: any other
    /// call fails the test.
    /// </summary>
    [Fact]
    public async Task WriteAsync_StoresOneTimePerLineBeginningInEachChunk_InOrder()
    {
        var store = new RecordingStore();
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        await using (var writer = new BuildLogWriter(store.Store, BuildId))
        {
            await writer.WriteAsync("one\ntw");
            await writer.WriteAsync("o\n\nthree\n");
            await writer.FlushAsync();
            await writer.WriteAsync("four\n");
        }

        var after = DateTimeOffset.UtcNow.AddMilliseconds(1);
        var times = new List<DateTimeOffset>();
        foreach (var (_, text, lineTimes) in store.Appends)
        {
            Assert.NotNull(lineTimes);
            var cursor = lineTimes.GetCursor();
            var lines = text.Count(c => c == '\n'); // every chunk here ends a line
            for (var i = 0; i < lines; i++)
            {
                times.Add(Assert.NotNull(cursor.Next()));
            }

            Assert.Null(cursor.Next());
        }

        Assert.Equal("one\ntwo\n\nthree\nfour\n", store.Text);
        Assert.Equal(5, times.Count); // one, two, the empty line, three, four
        Assert.All(times, t => Assert.InRange(t, before, after));
        Assert.Equal(times.Order(), times);
    }

    private sealed class RecordingStore
    {
        private readonly Lock _lock = new();
        private readonly List<(string BuildId, string Text, LineTimes? Times)> _appends = [];

        public RecordingStore()
        {
            Store = DispatchProxy.Create<IBuildStore, StoreProxy>();
            ((StoreProxy)(object)Store).Owner = this;
        }

        public IBuildStore Store { get; }

        public TimeSpan Delay { get; init; }

        /// <summary>After this many appends, every further one fails.</summary>
        public int FailAfter { get; init; } = int.MaxValue;

        public IReadOnlyList<(string BuildId, string Text, LineTimes? Times)> Appends
        {
            get
            {
                lock (_lock)
                {
                    return [.. _appends];
                }
            }
        }

        public string Text => string.Concat(Appends.Select(a => a.Text));

        private async Task AppendLogAsync(string id, string text, LineTimes? times, CancellationToken cancellationToken)
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            lock (_lock)
            {
                if (_appends.Count >= FailAfter)
                {
                    throw new IOException("disk full");
                }

                _appends.Add((id, text, times));
            }
        }

        public class StoreProxy : DispatchProxy
        {
            internal RecordingStore? Owner { get; set; }

            protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
            {
                if (targetMethod?.Name == nameof(IBuildStore.AppendLogAsync) && args is [string id, string text, var times, CancellationToken token])
                {
                    return Owner!.AppendLogAsync(id, text, (LineTimes?)times, token);
                }

                throw new NotSupportedException($"BuildLogWriter should only append log text, but it called {targetMethod?.Name}.");
            }
        }
    }
}
