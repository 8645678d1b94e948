using BuildLore.Core.Codebase;

namespace BuildLore.Core.Tests.Codebase;

public sealed class BoundedLineReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void SplitsLinesExactlyAsReadLineDoes_WhateverWhereTheBufferEnds(int seed)
    {
        // Texts of up to 300,000 characters, with \n, \r\n and lone \r falling on and around the
        // reader's 64 K buffer boundaries, some long lines and an unterminated last line.
        var random = new Random(seed);
        var pieces = new[] { "\n", "\r\n", "\r", "\r\r\n", "\n\n", "" };
        var text = new System.Text.StringBuilder();
        while (text.Length < 300_000)
        {
            text.Append('x', random.Next(4) == 0 ? random.Next(70_000) : random.Next(40)).Append(pieces[random.Next(pieces.Length)]);
        }

        var expected = new List<string>();
        using (var plain = new StringReader(text.ToString()))
        {
            while (plain.ReadLine() is { } line)
            {
                expected.Add(line);
            }
        }

        var bounded = new BoundedLineReader(new StringReader(text.ToString()));
        var actual = new List<(string Kept, long Length)>();
        while (bounded.ReadLine(1_000, out var length) is { } line)
        {
            actual.Add((line, length));
        }

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Select(l => l.Length), actual.Select(a => (int)a.Length));
        Assert.Equal(expected.Select(l => l.Length <= 1_000 ? l : l[..1_000]), actual.Select(a => a.Kept));
    }

    [Fact]
    public void KeepsNothingWhenAskedForNoCharacters_ButStillCountsTheLine()
    {
        var reader = new BoundedLineReader(new StringReader("abc\r\ndef"));

        Assert.Equal("", reader.ReadLine(0, out var first));
        Assert.Equal(3, first);
        Assert.Equal("def", reader.ReadLine(10, out var second));
        Assert.Equal(3, second);
        Assert.Null(reader.ReadLine(10, out _));
    }

    [Fact]
    public void AnEmptyTextHasNoLines()
    {
        Assert.Null(new BoundedLineReader(new StringReader("")).ReadLine(10, out var length));
        Assert.Equal(0, length);
    }
}
