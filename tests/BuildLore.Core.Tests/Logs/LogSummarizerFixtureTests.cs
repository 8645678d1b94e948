using BuildLore.Core.Logs;
using BuildLore.Core.Tests.Support;

namespace BuildLore.Core.Tests.Logs;

/// <summary>The summarizer on real logs from real toolchains (see Fixtures/README.md).</summary>
public class LogSummarizerFixtureTests
{
    private const string Cs0103 =
        "/work/app/Program.cs(1,19): error CS0103: The name 'undefinedVariable' does not exist in the current context [/work/app/app.csproj]";

    public static TheoryData<string> AllLogs => new(Fixtures.AllLogs);

    [Fact]
    public void Summarize_CountsTheDotnetCompileErrorOnceDespiteMsBuildSummaryRepetition()
    {
        var log = Fixtures.Read(Fixtures.DotnetError);
        Assert.Equal(2, CountOccurrences(log, Cs0103)); // the real log does repeat it

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal([Cs0103], summary.Errors);
        Assert.Equal(0, summary.WarningCount);
        Assert.Equal(CountLines(log), summary.TotalLines);
    }

    [Fact]
    public void Summarize_DoesNotCountMsBuildTotalsAsErrorsInCleanBuild()
    {
        var log = Fixtures.Read(Fixtures.DotnetClean);
        Assert.Contains("0 Error(s)", log, StringComparison.Ordinal);
        Assert.Contains("0 Warning(s)", log, StringComparison.Ordinal);
        Assert.Contains("Build succeeded", log, StringComparison.Ordinal);

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal(0, summary.WarningCount);
        Assert.Empty(summary.Errors);
        Assert.Empty(summary.Warnings);
        Assert.Equal(CountLines(log), summary.TotalLines);
    }

    [Fact]
    public void Summarize_CountsOneWarningAndOneErrorOfDotnetBuild()
    {
        var log = Fixtures.Read(Fixtures.DotnetWarningAndError);

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(1, summary.WarningCount);
        var error = Assert.Single(summary.Errors);
        Assert.Contains("error CS0103", error, StringComparison.Ordinal);
        var warning = Assert.Single(summary.Warnings);
        Assert.StartsWith("/work/app/ErrorHandler.cs(5,13): warning CS0168:", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_CountsGccErrorAndMakeFailureButNotWerrorFlagOrNote()
    {
        var log = Fixtures.Read(Fixtures.GccCompileError);
        Assert.Contains("-Werror=format", log, StringComparison.Ordinal);

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(2, summary.ErrorCount);
        Assert.Equal(2, summary.Errors.Count);
        Assert.StartsWith("broken.c:5:20: error: ", summary.Errors[0], StringComparison.Ordinal);
        Assert.Contains("undeclared_count", summary.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("make: *** [Makefile:4: broken.o] Error 1", summary.Errors[1], StringComparison.Ordinal);
        Assert.DoesNotContain(summary.Errors, e => e.Contains("-Werror", StringComparison.Ordinal));
        Assert.Equal(0, summary.WarningCount);
        Assert.Equal(7, summary.TotalLines);
    }

    [Fact]
    public void Summarize_StripsRealGccColourCodesFromListedLines()
    {
        var colored = Fixtures.Read(Fixtures.GccCompileErrorColor);
        Assert.Contains('\u001b', colored);

        var summary = LogSummarizer.Summarize(colored);
        var plain = LogSummarizer.Summarize(Fixtures.Read(Fixtures.GccCompileError));

        Assert.Equal(2, summary.ErrorCount);
        Assert.All(summary.Errors, e => Assert.DoesNotContain('\u001b', e));
        Assert.Equal(plain.Errors, summary.Errors);
    }

    [Fact]
    public void Summarize_CountsLinkerUndefinedReference()
    {
        var log = Fixtures.Read(Fixtures.GccLinkError);

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(
            [
                "main.c:(.text+0x5): undefined reference to `missing_function'",
                "collect2: error: ld returned 1 exit status",
                "make: *** [Makefile:2: app] Error 1",
            ],
            summary.Errors);
        Assert.Equal(3, summary.ErrorCount);
        Assert.Equal(0, summary.WarningCount);
    }

    [Fact]
    public void Summarize_CountsPythonTracebackOnce()
    {
        var log = Fixtures.Read(Fixtures.PythonTraceback);

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(["Traceback (most recent call last):"], summary.Errors);
        Assert.Equal(0, summary.WarningCount);
        Assert.Equal(CountLines(log), summary.TotalLines);
    }

    [Fact]
    public void Summarize_CountsRustcDiagnosticsOfCargoBuild()
    {
        var log = Fixtures.Read(Fixtures.CargoError);

        var summary = LogSummarizer.Summarize(log);

        Assert.Contains("error[E0425]: cannot find value `missing_value` in this scope", summary.Errors);
        Assert.Contains("warning: unnecessary parentheses around assigned value", summary.Warnings);
        Assert.DoesNotContain(summary.Errors, e => e.StartsWith("For more information", StringComparison.Ordinal));
    }

    [Fact]
    public void Summarize_DoesNotCountCargoTotalsLines()
    {
        var summary = LogSummarizer.Summarize(Fixtures.Read(Fixtures.CargoError));

        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(1, summary.WarningCount);
    }

    [Theory]
    [MemberData(nameof(AllLogs))]
    public void Append_GivesSameSummaryForAnySplitOfTheLog(string fixture)
    {
        var log = Fixtures.Read(fixture);
        var whole = LogSummarizer.Summarize(log);

        SummaryAssert.Equal(whole, SummarizeInPieces(log, _ => 1));
        SummaryAssert.Equal(whole, SummarizeInPieces(log, _ => 7));
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            SummaryAssert.Equal(whole, SummarizeInPieces(log, r => random.Next(1, 64)));
        }
    }

    [Theory]
    [MemberData(nameof(AllLogs))]
    public void Summarize_GivesSameCountsForCrLfCopyOfTheLog(string fixture)
    {
        var log = Fixtures.Read(fixture);
        var crlf = log.Replace("\n", "\r\n", StringComparison.Ordinal);

        var expected = LogSummarizer.Summarize(log);
        var actual = LogSummarizer.Summarize(crlf);

        SummaryAssert.Equal(expected, actual);
        SummaryAssert.Equal(expected, SummarizeInPieces(crlf, _ => 3));
        Assert.All(actual.Errors, e => Assert.DoesNotContain('\r', e));
    }

    [Theory]
    [MemberData(nameof(AllLogs))]
    public void Summarize_CountsFixtureLastLineWhenItsNewlineIsMissing(string fixture)
    {
        var log = Fixtures.Read(fixture).TrimEnd('\n');

        var summary = LogSummarizer.Summarize(log);

        Assert.Equal(CountLines(log), summary.TotalLines);
        SummaryAssert.Equal(LogSummarizer.Summarize(log + "\n"), summary);
    }

    private static LogSummary SummarizeInPieces(string log, Func<int, int> nextSize)
    {
        var summarizer = new LogSummarizer();
        var offset = 0;
        var index = 0;
        while (offset < log.Length)
        {
            var size = Math.Min(nextSize(index++), log.Length - offset);
            summarizer.Append(log.AsSpan(offset, size));
            offset += size;
        }

        return summarizer.GetSummary();
    }

    /// <summary>Lines as a reader sees them: a last line without newline counts.</summary>
    private static long CountLines(string log) =>
        log.Length == 0 ? 0 : log.Count(c => c == '\n') + (log.EndsWith('\n') ? 0 : 1);

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
