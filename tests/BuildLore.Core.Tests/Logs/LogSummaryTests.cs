using BuildLore.Tests;
using BuildLore.Core.Analysis;
using System.Globalization;
using System.Text;
using BuildLore.Core.Logs;
using BuildLore.Core.Tests.Support;

namespace BuildLore.Core.Tests.Logs;

public class LogSummaryTests
{
    [Theory]
    [InlineData("    0 Error(s)")]
    [InlineData("    1 Error(s)")]
    [InlineData("    0 Warning(s)")]
    [InlineData("    3 Warning(s)")]
    [InlineData("gcc -Wall -Werror=format -c broken.c -o broken.o")]
    [InlineData("cc1: note: -Werror=format is on")]
    [InlineData("errors: 0")]
    [InlineData("Lint finished, errors: 0, warnings: 0")]
    [InlineData("no errors found")]
    [InlineData("  Compiling src/Middleware/ErrorHandler.cs")]
    [InlineData("ErrorHandler.cs")]
    [InlineData("src/lib/error.ts")]
    [InlineData("tests/test_api.py::test_error_handling PASSED")]
    [InlineData("test_error_handling PASSED")]
    [InlineData("Build succeeded.")]
    [InlineData("Build succeeded")]
    [InlineData("  my-error-page -> /work/app/bin/my-error-page.dll")]
    [InlineData("For more information about this error, try `rustc --explain E0425`.")]
    [InlineData("")]
    public void Summarize_DoesNotCountLinesThatOnlyMentionErrors(string line)
    {
        var summary = Summaries.Of(line + "\n");

        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal(0, summary.WarningCount);
        Assert.Empty(summary.Errors);
        Assert.Empty(summary.Warnings);
        Assert.Equal(1, summary.TotalLines);
    }

    [Theory]
    [InlineData("/work/app/Program.cs(1,19): error CS0103: The name 'x' does not exist in the current context [/work/app/app.csproj]")]
    [InlineData("broken.c:5:20: error: 'undeclared_count' undeclared (first use in this function)")]
    [InlineData("broken.c:1:10: fatal error: missing.h: No such file or directory")]
    [InlineData("error[E0425]: cannot find value `missing_value` in this scope")]
    [InlineData("src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.")]
    [InlineData("src/app.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.")]
    [InlineData("npm ERR! code ELIFECYCLE")]
    [InlineData("main.c:(.text+0x5): undefined reference to `missing_function'")]
    [InlineData("collect2: error: ld returned 1 exit status")]
    [InlineData("make: *** [Makefile:2: app] Error 1")]
    [InlineData("make[2]: *** [src/Makefile:10: all] Error 2")]
    [InlineData("thread 'main' panicked at src/main.rs:2:5:")]
    [InlineData("Traceback (most recent call last):")]
    [InlineData("FAILED tests/test_api.py::test_login - AssertionError")]
    [InlineData("Error: Cannot find module 'vite'")]
    [InlineData("ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully")]
    public void Summarize_CountsLinesLabelledAsErrors(string line)
    {
        var summary = Summaries.Of(line + "\n");

        Assert.Equal(1, summary.ErrorCount);
        // Listed as the analyzer renders a diagnostic: location, severity, code, message.
        Assert.Single(summary.Errors);
        Assert.Equal(0, summary.WarningCount);
    }

    [Theory]
    [InlineData("/work/app/ErrorHandler.cs(5,13): warning CS0168: The variable 'unused' is declared but never used [/work/app/app.csproj]")]
    [InlineData("broken.c:3:9: warning: unused variable 'x' [-Wunused-variable]")]
    [InlineData("warning: unnecessary parentheses around assigned value")]
    [InlineData("warning[E0001]: something odd")]
    [InlineData("CSC : warning CS8002: Referenced assembly does not have a strong name")]
    public void Summarize_CountsLinesLabelledAsWarnings(string line)
    {
        var summary = Summaries.Of(line + "\n");

        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal(1, summary.WarningCount);
        Assert.Single(summary.Warnings);
    }

    [Fact]
    public void Summarize_DoesNotCountMsBuildTotalsAsErrors()
    {
        var summary = Summaries.Of("Build succeeded.\n    0 Warning(s)\n    0 Error(s)\n\nTime Elapsed 00:00:02.84\n");

        Assert.Equal(0, summary.ErrorCount);
        Assert.Equal(0, summary.WarningCount);
        Assert.Equal(5, summary.TotalLines);
    }

    [Fact]
    public void Summarize_CountsIdenticalLinesOnce()
    {
        const string error = "/work/app/Program.cs(1,19): error CS0103: The name 'x' does not exist in the current context [/work/app/app.csproj]";
        const string other = "/work/app/Other.cs(2,1): error CS0103: The name 'y' does not exist in the current context [/work/app/app.csproj]";

        var summary = Summaries.Of($"{error}\n{other}\n\nBuild FAILED.\n\n{error}\n  {other}  \n");

        Assert.Equal(2, summary.ErrorCount);
        Assert.Equal(2, summary.Errors.Count);
        Assert.Contains("'y'", summary.Errors[1], StringComparison.Ordinal);
        Assert.Equal(7, summary.TotalLines);
    }

    [Fact]
    public void Summarize_CountsEmptyLogAsEmpty()
    {
        var summary = Summaries.Of("");

        Assert.Equal(0, summary.TotalLines);
        Assert.Equal(0, summary.ErrorCount);
        Assert.Empty(summary.Errors);
    }

    [Fact]
    public void Summarize_CountsLastLineWithoutNewline()
    {
        var summary = Summaries.Of("compiling\nbroken.c:5:20: error: 'x' undeclared");

        Assert.Equal(2, summary.TotalLines);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(["broken.c:5:20: error: 'x' undeclared"], summary.Errors);
    }

    [Fact]
    public void Summarize_CountsLastWarningWithoutNewline()
    {
        var summary = Summaries.Of("a\nb\nbroken.c:3:9: warning: unused variable 'x'");

        Assert.Equal(3, summary.TotalLines);
        Assert.Equal(1, summary.WarningCount);
        Assert.Equal(["broken.c:3:9: warning: unused variable 'x'"], summary.Warnings);
    }

    [Fact]
    public void Summarize_DoesNotCountLastLineTwiceWhenItRepeatsAnEarlierError()
    {
        var summary = Summaries.Of("error: boom\nerror: boom");

        Assert.Equal(2, summary.TotalLines);
        Assert.Equal(1, summary.ErrorCount);
    }

    [Fact]
    public void Summarize_HandlesCrLfLineEndings()
    {
        var summary = Summaries.Of("ok\r\nbroken.c:5:20: error: 'x' undeclared\r\n    0 Error(s)\r\nx.c:1:1: warning: y\r\n");

        Assert.Equal(4, summary.TotalLines);
        Assert.Equal(["broken.c:5:20: error: 'x' undeclared"], summary.Errors);
        Assert.Equal(["x.c:1:1: warning: y"], summary.Warnings);
    }

    [Fact]
    public void Append_GivesSameSummaryWhenCrLfIsSplitBetweenPieces()
    {
        const string log = "error: one\r\nerror: two\r\nwarning: three\r\n";
        var summarizer = new LogAnalyzer();
        summarizer.Append("error: one\r");
        summarizer.Append("\nerror: two\r\n");
        summarizer.Append("warning: three\r");
        summarizer.Append("\n");

        SummaryAssert.Equal(Summaries.Of(log), summarizer.Complete().ToLogSummary());
        Assert.Equal(["error: one", "error: two"], summarizer.Complete().ToLogSummary().Errors);
    }

    [Fact]
    public void Summarize_StripsAnsiColourCodesFromListedLines()
    {
        const string colored = "\u001b[01m\u001b[Kbroken.c:5:20:\u001b[m\u001b[K \u001b[01;31m\u001b[Kerror: \u001b[m\u001b[K'x' undeclared\n"
                               + "\u001b[33mwarning\u001b[0m: something\n";

        var summary = Summaries.Of(colored);

        Assert.Equal(["broken.c:5:20: error: 'x' undeclared"], summary.Errors);
        Assert.Equal(["warning: something"], summary.Warnings);
    }

    [Fact]
    public void Summarize_FoldsColouredAndPlainCopiesOfTheSameLine()
    {
        var summary = Summaries.Of("\u001b[31merror\u001b[0m: boom\nerror: boom\n");

        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(["error: boom"], summary.Errors);
    }

    [Fact]
    public void Summarize_CapsListedLinesButKeepsCounting()
    {
        var log = new StringBuilder();
        for (var i = 0; i < 350; i++)
        {
            log.Append(CultureInfo.InvariantCulture, $"file{i}.c:1:1: error: problem {i}\n");
            log.Append(CultureInfo.InvariantCulture, $"file{i}.c:2:1: warning: smell {i}\n");
        }

        var summary = Summaries.Of(log.ToString());

        Assert.Equal(350, summary.ErrorCount);
        Assert.Equal(350, summary.WarningCount);
        Assert.Equal(LogSummary.MaxListed, summary.Errors.Count);
        Assert.Equal(LogSummary.MaxListed, summary.Warnings.Count);
        Assert.Equal("file0.c:1:1: error: problem 0", summary.Errors[0]);
        Assert.Equal($"file{LogSummary.MaxListed - 1}.c:1:1: error: problem {LogSummary.MaxListed - 1}", summary.Errors[^1]);
        Assert.Equal(700, summary.TotalLines);
    }

    [Fact]
    public void Summarize_CapsListWhenTheLastUnterminatedLineIsAnError()
    {
        var log = new StringBuilder();
        for (var i = 0; i < LogSummary.MaxListed; i++)
        {
            log.Append(CultureInfo.InvariantCulture, $"error: e{i}\n");
        }

        log.Append("error: one more");

        var summary = Summaries.Of(log.ToString());

        Assert.Equal(LogSummary.MaxListed + 1, summary.ErrorCount);
        Assert.Equal(LogSummary.MaxListed, summary.Errors.Count);
    }

    [Fact]
    public void Summarize_HandlesTenMegabyteSingleLine()
    {
        var huge = "error: " + new string('e', 10 * 1024 * 1024);

        var whole = Summaries.Of(huge + "\n");
        var unterminated = Summaries.Of(huge);

        Assert.Equal(1, whole.TotalLines);
        Assert.Equal(1, whole.ErrorCount);
        Assert.True(whole.Errors[0].Length <= BuildLore.Core.Analysis.LogAnalyzer.MaxLineLength);
        Assert.StartsWith("error: eee", whole.Errors[0], StringComparison.Ordinal);
        SummaryAssert.Equal(whole, unterminated);
    }

    [Fact]
    public void Append_HandlesTenMegabyteSingleLineFedInPieces()
    {
        var huge = "x" + new string('w', 10 * 1024 * 1024) + " warning: late\nnext line\n";
        var summarizer = new LogAnalyzer();
        for (var offset = 0; offset < huge.Length; offset += 64 * 1024)
        {
            summarizer.Append(huge.AsSpan(offset, Math.Min(64 * 1024, huge.Length - offset)));
        }

        var summary = summarizer.Complete().ToLogSummary();

        Assert.Equal(2, summary.TotalLines);
        // The label lies past MaxLineLength, where lines are cut before classification.
        Assert.Equal(0, summary.WarningCount);
        SummaryAssert.Equal(Summaries.Of(huge), summary);
    }

    [Fact]
    public void Summarize_HandlesManyLinesMadeOfTriggerLetters()
    {
        // Every line passes the cheap pre-check; the regexes must still be fast (they have a timeout).
        var line = string.Concat(Enumerable.Repeat("error warning fail panic undefined ", 200));
        var log = string.Concat(Enumerable.Repeat(line + "\n", 500));

        var summary = Summaries.Of(log);

        Assert.Equal(500, summary.TotalLines);
        Assert.Equal(0, summary.ErrorCount);
    }

    [Fact]
    public async Task SummarizeAsync_MatchesSummarizeOfTheConcatenatedPieces()
    {
        string[] pieces = ["compil", "ing\nbroken.c:5:20: err", "or: x\n", "warning: y"];

        var summary = (await AnalysisSummary.AnalyzeAsync(ToAsync(pieces))).ToLogSummary();

        SummaryAssert.Equal(Summaries.Of(string.Concat(pieces)), summary);
        Assert.Equal(1, summary.ErrorCount);
        Assert.Equal(1, summary.WarningCount);
        Assert.Equal(3, summary.TotalLines);
    }

    private static async IAsyncEnumerable<string> ToAsync(IEnumerable<string> pieces)
    {
        foreach (var piece in pieces)
        {
            await Task.Yield();
            yield return piece;
        }
    }
}
