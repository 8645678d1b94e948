using BuildLore.Core.Analysis;

namespace BuildLore.Core.Tests.Analysis;

/// <summary>The cheap scan that decides which lines the parsers read.</summary>
public sealed class LineBlockTests
{
    [Theory]
    [InlineData("gcc -O2 -Wall -Werror=format -c src/ErrorHandler.c -o build/ErrorHandler.o")]
    [InlineData("PASSED tests/test_api.py::test_error_handling")]
    [InlineData("tests/test_api.py::test_timeout_retry PASSED [ 42%]")]
    [InlineData("  Compiling src/Middleware/ErrorHandler.cs")]
    [InlineData("  FailFastPolicy -> /app/bin/FailFastPolicy.dll")]
    [InlineData("Restored /src/PanicButton/PanicButton.csproj")]
    public void HasLabel_IsFalseForLabelWordsInsideNames(string line)
    {
        Assert.False(LineBlock.HasLabel(line));
        Assert.False(FlagsOfScanned(line).HasFlag(LineFlags.Keyword));
    }

    [Theory]
    [InlineData("src/ErrorHandler.c:10:5: error: expected ';' before '}' token")]
    [InlineData("error[E0308]: mismatched types")]
    [InlineData("TypeError: Cannot read properties of undefined (reading 'x')")]
    [InlineData("Exception in thread \"main\" java.lang.NullPointerException")]
    [InlineData("org.junit.ComparisonFailure: expected:<a> but was:<b>")]
    [InlineData("terminate called after throwing an instance of 'std::runtime_error'")]
    [InlineData("FAILED tests/test_api.py::test_login - AssertionError")]
    [InlineData("    0 Error(s)")]
    [InlineData("ERRORS:")]
    [InlineData("thread 'main' panicked at src/main.rs:2:5:")]
    [InlineData("--- FAIL: TestParse (0.00s)")]
    [InlineData("Traceback (most recent call last):")]
    [InlineData("warning: unused variable: `x`")]
    [InlineData("ErrorHandler.cs(3,1): error CS1002: ; expected")]
    public void HasLabel_IsTrueForLabels(string line)
    {
        Assert.True(LineBlock.HasLabel(line));
        Assert.True(FlagsOfScanned(line).HasFlag(LineFlags.Keyword));
    }

    [Fact]
    public void Scan_FlagsTheSameLinesAsTheGeneralPath()
    {
        // The block scan searches across lines; the general path asks each line alone. They must agree.
        var random = new Random(7);
        string[] pieces = ["error", "Error", "ERROR", "_", "W", "x", " ", ":", "Handler", "warning", "fail", "Exception", "test", "9", "-", "timeout", "/", "."];
        for (var round = 0; round < 200; round++)
        {
            var lines = Enumerable.Range(0, 30)
                .Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => pieces[random.Next(pieces.Length)])))
                .ToList();
            using var block = BlockOf(string.Concat(lines.Select(l => l + "\n")));
            for (var i = 0; i < lines.Count; i++)
            {
                Assert.True(
                    LineBlock.HasKeyword(lines[i]) == block[i].Flags.HasFlag(LineFlags.Keyword),
                    $"line {i} of round {round}: '{lines[i]}'");
            }
        }
    }

    [Fact]
    public void Newlines_FindsEveryNewlineAsIndexOfDoes()
    {
        var random = new Random(11);
        for (var round = 0; round < 300; round++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 400)).Select(_ => random.Next(6) == 0 ? '\n' : (char)random.Next(32, 0x3000))]);
            var expected = new List<int>();
            for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
            {
                expected.Add(i);
            }

            var found = new List<int>();
            var newlines = new Newlines(text);
            for (var next = newlines.Next(); next < text.Length; next = newlines.Next())
            {
                found.Add(next);
            }

            Assert.Equal(expected, found);
        }
    }

    [Fact]
    public void Scan_TakesACiTimestampOffItsLine()
    {
        using var block = BlockOf("2026-11-25T10:00:00.1234567Z src/app.c:3:1: error: expected ';'\r\n2026-11-25T10:00:01Z Build succeeded.\n");

        Assert.Equal("src/app.c:3:1: error: expected ';'", block.LineText(0).ToString());
        Assert.True(block[0].Flags.HasFlag(LineFlags.Keyword));
        Assert.Equal("Build succeeded.", block.LineText(1).ToString());
        Assert.Equal(LineFlags.None, block[1].Flags);
    }

    [Theory]
    [InlineData("    0 Error(s)", true)]
    [InlineData("    12 Warning(s)", true)]
    [InlineData("0 Error(s)", true)]
    [InlineData("    Error(s)", false)]
    [InlineData("    x Error(s)", false)]
    [InlineData("Program.cs(1,1): error CS1002: 2 Error(s)", false)]
    public void IsSummaryCount_KnowsMsBuildsClosingCounts(string line, bool expected) =>
        Assert.Equal(expected, BuildLore.Core.Analysis.Parsers.MsBuildParser.IsSummaryCount(line));

    private static LineFlags FlagsOfScanned(string line)
    {
        using var block = BlockOf("first\n" + line + "\nlast\n");
        return block[1].Flags;
    }

    private static LineBlock BlockOf(string text)
    {
        var block = new LineBlock(text.Length);
        text.CopyTo(block.Text);
        block.Length = text.Length;
        block.Scan(LogAnalyzer.MaxLineLength);
        return block;
    }
}
