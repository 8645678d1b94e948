using System.Globalization;
using System.Text;
using BuildLore.Core.Builds;

namespace BuildLore.Storage.Tests;

public class BuildLogTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_PiecesComeBackInOrderAndLogCharsGrows(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        var other = await store.CreateBuildAsync(new NewBuild("app", "runner"));
        string[] pieces = ["Restoring packages\n", "Building", " (no newline yet)", "\n", "  error CS0246: type not found\r\n", "Done.\n"];
        var expectedChars = 0L;

        foreach (var piece in pieces)
        {
            await store.AppendLogAsync(build.Id, piece);
            await store.AppendLogAsync(other.Id, "other build\n");
            expectedChars += piece.Length;
            Assert.Equal(expectedChars, (await store.GetBuildAsync(build.Id))?.LogChars);
        }

        Assert.Equal(pieces, await store.ReadLogAsync(build.Id).ToListAsync());
        Assert.Equal(pieces.Length * "other build\n".Length, (await store.GetBuildAsync(other.Id))?.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_EmptyTextStoresNothing(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        await fixture.Store.AppendLogAsync(build.Id, "a\n");
        await fixture.Store.AppendLogAsync(build.Id, "");

        Assert.Equal(["a\n"], await fixture.Store.ReadLogAsync(build.Id).ToListAsync());
        Assert.Equal(2, (await fixture.Store.GetBuildAsync(build.Id))?.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_UnknownBuild_ThrowsKeyNotFound(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var unknown = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => fixture.Store.AppendLogAsync(unknown, "orphan line\n"));

        Assert.Empty(await fixture.Store.ReadLogAsync(unknown).ToListAsync());
        Assert.Equal(new LogTail("", false), await fixture.Store.ReadLogTailAsync(unknown, 100));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_ConcurrentWritersToOneBuild_LoseNothingAndKeepPiecesWhole(string provider)
    {
        const int Writers = 8;
        const int PiecesPerWriter = 25;
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner"));

        // Pieces differ in length so a piece cut short or merged with another cannot pass for a whole one.
        static string Piece(int writer, int index) =>
            $"[w{writer}:p{index:D3}]{new string((char)('a' + writer), 1 + ((writer * 7) + index) % 40)}\n";

        using var start = new ManualResetEventSlim(false);
        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            start.Wait();
            for (var index = 0; index < PiecesPerWriter; index++)
            {
                await store.AppendLogAsync(build.Id, Piece(writer, index));
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(writers);

        var stored = await store.ReadLogAsync(build.Id).ToListAsync();
        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, PiecesPerWriter).Select(i => Piece(w, i))).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        // Each writer appended in sequence, so its own pieces must read back in that sequence.
        for (var writer = 0; writer < Writers; writer++)
        {
            var prefix = $"[w{writer}:";
            Assert.Equal(
                Enumerable.Range(0, PiecesPerWriter).Select(i => Piece(writer, i)),
                stored.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)));
        }

        Assert.Equal(expected.Sum(p => (long)p.Length), (await store.GetBuildAsync(build.Id))?.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_UnicodeRoundTrips(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        string[] pieces =
        [
            "🚀 deploy ✅ done 👩‍💻\n",
            "构建失败：找不到类型 日本語のエラー 한국어\n",
            "Ünïcödé “quotes” — dash, zero\u200Bwidth, combining e\u0301\n",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP 😀😀\n",
        ];

        foreach (var piece in pieces)
        {
            await fixture.Store.AppendLogAsync(build.Id, piece);
        }

        Assert.Equal(pieces, await fixture.Store.ReadLogAsync(build.Id).ToListAsync());
        // LogChars counts UTF-16 code units, not bytes or code points.
        Assert.Equal(pieces.Sum(p => (long)p.Length), (await fixture.Store.GetBuildAsync(build.Id))?.LogChars);
        var tail = await fixture.Store.ReadLogTailAsync(build.Id, 10_000);
        Assert.Equal(new LogTail(string.Concat(pieces), false), tail);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_LargeChunksAreStoredCompressed_AndReadBackExactlyEveryWay(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var build = await store.CreateBuildAsync(new NewBuild("app", "runner", Status: BuildStatus.Running));
        var line = "  Restored /home/runner/work/app/app/src/Api/Api.csproj (in 1.21 sec). 🚀 构建 𝔘\n";
        var large = string.Concat(Enumerable.Repeat(line, 20_000)); // about 1.6 M characters
        string[] pieces = ["small first piece\n", large, "small middle\n", large[..5000] + "unfinished"];
        foreach (var piece in pieces)
        {
            await store.AppendLogAsync(build.Id, piece);
        }

        Assert.Equal(pieces, await store.ReadLogAsync(build.Id).ToListAsync());
        Assert.Equal(pieces, (await store.ReadLogWithTimesAsync(build.Id).ToListAsync()).Select(p => p.Text));
        Assert.Equal(pieces[1..], (await store.ReadLogPiecesAsync(build.Id, 1).ToListAsync()).Select(p => p.Text));
        Assert.Equal(new LogTail(string.Concat(pieces)[^100_000..], true) with { Text = "" }, (await store.ReadLogTailAsync(build.Id, 100_000)) with { Text = "" });
        Assert.EndsWith(large[..5000] + "unfinished", (await store.ReadLogTailAsync(build.Id, 100_000)).Text, StringComparison.Ordinal);
        Assert.Equal(pieces.Sum(p => (long)p.Length), (await store.GetBuildAsync(build.Id))!.LogChars);
        if (fixture.DatabaseFile is { } file)
        {
            // Two copies of 1.6 M characters (3.5 MB of UTF-8) take far less room than that.
            Assert.True(new FileInfo(file).Length + new FileInfo(file + "-wal").Length < 1_500_000, "log chunks are stored compressed");
        }
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ReadLogTail_ShortLog_ReturnsTheWholeText(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        var empty = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        await fixture.Store.AppendLogAsync(build.Id, "line one\nline ");
        await fixture.Store.AppendLogAsync(build.Id, "two\nline three\n");
        const string Log = "line one\nline two\nline three\n";

        Assert.Equal(new LogTail(Log, false), await fixture.Store.ReadLogTailAsync(build.Id, 64 * 1024));
        // Exactly the maximum still fits whole.
        Assert.Equal(new LogTail(Log, false), await fixture.Store.ReadLogTailAsync(build.Id, Log.Length));
        Assert.Equal(new LogTail("", false), await fixture.Store.ReadLogTailAsync(empty.Id, 100));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Store.ReadLogTailAsync(build.Id, 0));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ReadLogTail_LongLogInManyChunks_ReturnsTruncatedSuffixFromALineStart(string provider)
    {
        const int Max = 64 * 1024;
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        var log = MakeLog(300 * 1024);
        // Chunk edges deliberately fall in the middle of lines.
        var chunkSizes = new[] { 997, 4093, 61, 12_289, 2_003 };
        for (int offset = 0, i = 0; offset < log.Length; i++)
        {
            var size = Math.Min(chunkSizes[i % chunkSizes.Length], log.Length - offset);
            await fixture.Store.AppendLogAsync(build.Id, log.Substring(offset, size));
            offset += size;
        }

        var tail = await fixture.Store.ReadLogTailAsync(build.Id, Max);

        AssertIsLineStartSuffix(log, tail, Max);
        Assert.Equal(log.Length, (await fixture.Store.GetBuildAsync(build.Id))?.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ReadLogTail_OneChunkLongerThanMax_ReturnsTruncatedSuffixFromALineStart(string provider)
    {
        const int Max = 64 * 1024;
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        var log = MakeLog(200 * 1024);
        await fixture.Store.AppendLogAsync(build.Id, log);

        AssertIsLineStartSuffix(log, await fixture.Store.ReadLogTailAsync(build.Id, Max), Max);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ReadLogTail_LogOneCharOverMax_IsTruncated(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        await fixture.Store.AppendLogAsync(build.Id, "x\n");
        await fixture.Store.AppendLogAsync(build.Id, "line two\nline three\n");

        var tail = await fixture.Store.ReadLogTailAsync(build.Id, 21);

        Assert.True(tail.Truncated);
        Assert.Equal("line two\nline three\n", tail.Text);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task ReadLogTail_NewestChunksExactlyFillMax_IsStillTruncated(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));
        await fixture.Store.AppendLogAsync(build.Id, "older line\n");
        await fixture.Store.AppendLogAsync(build.Id, "01234");
        await fixture.Store.AppendLogAsync(build.Id, "56789\n");

        // The kept text is exactly max long, yet older text was left out.
        Assert.Equal(new LogTail("0123456789\n", true), await fixture.Store.ReadLogTailAsync(build.Id, 11));
    }

    private static string MakeLog(int minimumChars)
    {
        var log = new StringBuilder();
        for (var line = 0; log.Length < minimumChars; line++)
        {
            log.Append(CultureInfo.InvariantCulture, $"{line:D6} ")
                .Append(line % 17 == 0 ? "error CS1002: ; expected in src/Very/Long/Path/File.cs" : "compiling")
                .Append('.', line % 53)
                .Append('\n');
        }

        return log.ToString();
    }

    private static void AssertIsLineStartSuffix(string log, LogTail tail, int max)
    {
        Assert.True(tail.Truncated);
        Assert.InRange(tail.Text.Length, max / 2, max);
        Assert.EndsWith(tail.Text, log, StringComparison.Ordinal);
        Assert.Equal('\n', log[log.Length - tail.Text.Length - 1]);
    }
}
