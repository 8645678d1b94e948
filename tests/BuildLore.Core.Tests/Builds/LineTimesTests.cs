using BuildLore.Core.Builds;

namespace BuildLore.Core.Tests.Builds;

public class LineTimesTests
{
    private static List<long> ReadAll(LineTimes times, int max = 1000)
    {
        var cursor = times.GetCursor();
        var read = new List<long>();
        while (read.Count < max && cursor.Next() is { } time)
        {
            read.Add(time.ToUnixTimeMilliseconds());
        }

        return read;
    }

    [Fact]
    public void PerLine_RoundTripsThroughTheStoredForm_IncludingAClockThatGoesBack()
    {
        long[] times = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_249, 1_700_000_090_000, 4_102_444_800_000];

        var stored = LineTimes.PerLine(times).ToArray();
        var read = ReadAll(LineTimes.FromStored(stored)!);

        Assert.Equal(times, read);
    }

    [Fact]
    public void PerLine_TakesAboutOneByteALineForLinesWrittenCloseTogether()
    {
        var times = Enumerable.Range(0, 10_000).Select(i => 1_700_000_000_000L + (i * 7)).ToList();

        var stored = LineTimes.PerLine(times).ToArray();

        Assert.InRange(stored.Length, 10_000, 10_020);
        Assert.Equal(times, ReadAll(LineTimes.FromStored(stored)!, 20_000));
    }

    [Fact]
    public void Uniform_GivesTheSameTimeToEveryLine()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_123_456);

        var cursor = LineTimes.FromStored(LineTimes.Uniform(at).ToArray())!.GetCursor();

        Assert.Equal(at, cursor.Next());
        Assert.Equal(at, cursor.Next());
        Assert.Equal(at, cursor.Next());
    }

    [Fact]
    public void FromStored_NothingOrSomethingElse_IsNoTimes()
    {
        Assert.Null(LineTimes.FromStored(null));
        Assert.Null(LineTimes.FromStored([]));
        Assert.Null(LineTimes.FromStored([9, 1, 2]));
    }

    [Fact]
    public void Cursor_OnATruncatedForm_StopsInsteadOfInventingTimes()
    {
        var stored = LineTimes.PerLine([1_700_000_000_000, 1_700_000_000_300, 1_700_000_000_600]).ToArray();

        var read = ReadAll(LineTimes.FromStored(stored[..^1])!);

        Assert.Equal([1_700_000_000_000, 1_700_000_000_300], read);
    }
}
