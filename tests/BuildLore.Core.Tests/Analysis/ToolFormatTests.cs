using BuildLore.Core.Analysis;

namespace BuildLore.Core.Tests.Analysis;

/// <summary>
/// Output formats the corpus has no real log of (other tool versions, modes this machine's tools do not
/// print), written as those tools print them; and wrapper lines that must not hide the real errors.
/// </summary>
public sealed class ToolFormatTests
{
    private static LogAnalysis Analyze(string log, bool? succeeded = false) => LogAnalyzer.Analyze(log.ReplaceLineEndings("\n"), succeeded: succeeded);

    [Fact]
    public void YarnClassic_UnexpectedError_IsOneDiagnosticOfMissingDependency()
    {
        var analysis = Analyze("""
            yarn install v1.22.22
            info No lockfile found.
            [1/4] Resolving packages...
            error An unexpected error occurred: "https://registry.yarnpkg.com/@acme%2fwidgets: Not found".
            info If you think this is a bug, please open a bug report with the information provided in "/work/yarn-error.log".
            info Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.
            """);

        var diagnostic = Assert.Single(analysis.Diagnostics);
        Assert.Equal("yarn", diagnostic.Tool);
        Assert.Equal(4, diagnostic.LogLine);
        Assert.StartsWith("An unexpected error occurred", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(FailureCategory.MissingDependency, analysis.Category);
    }

    [Fact]
    public void YarnClassic_CommandFailed_IsKeptOnlyWhenNothingElseExplainsTheFailure()
    {
        var alone = Analyze("""
            yarn run v1.22.22
            $ ./scripts/deploy.sh
            error Command failed with exit code 3.
            info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.
            """);
        var withTsc = Analyze("""
            yarn run v1.22.22
            $ tsc -p .
            src/a.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.
            error Command failed with exit code 2.
            """);

        Assert.Equal("Command failed with exit code 3.", Assert.Single(alone.Diagnostics).Message);
        Assert.Equal("tsc", Assert.Single(withTsc.Diagnostics).Tool);
    }

    [Theory]
    [InlineData("error warning fail panic undefined")]
    [InlineData("error handling is covered by test_error_handling")]
    [InlineData("error: could not compile `app`")]
    public void YarnClassic_LinesThatOnlyStartWithTheWordAreNotYarnErrors(string line)
    {
        Assert.DoesNotContain(Analyze(line + "\n", succeeded: null).Diagnostics, d => d.Tool == "yarn");
    }

    [Fact]
    public void YarnBerry_LockfileErrorWithItsContinuation_IsOneConfigError()
    {
        var analysis = Analyze("""
            ➤ YN0000: · Yarn 4.18.1
            ➤ YN0000: ┌ Resolution step
            ➤ YN0085: │ + left-pad@npm:1.3.0
            ➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.
            ➤ YN0000: └ Completed
            ➤ YN0000: · Failed with errors in 0s 41ms
            """);

        var diagnostic = Assert.Single(analysis.Diagnostics);
        Assert.Equal(("yarn", "YN0028", 4L), (diagnostic.Tool, diagnostic.Code, diagnostic.LogLine));
        Assert.Equal(FailureCategory.ConfigError, analysis.Category);
    }

    [Fact]
    public void YarnBerry_ProgressAndPeerDependencyNotices_AreNotProblems()
    {
        var analysis = Analyze("""
            ➤ YN0000: ┌ Resolution step
            ➤ YN0060: │ react is listed by your project with version 17.0.2, which doesn't satisfy what react-dom requests (^18.0.0).
            ➤ YN0002: │ app@workspace:. doesn't provide typescript (p1a2b3), requested by ts-node.
            ➤ YN0086: │ Some peer dependencies are incorrectly met; run yarn explain peer-requirements <hash> for details.
            ➤ YN0000: └ Completed in 0s 312ms
            ➤ YN0000: · Done with warnings in 1s 2ms
            """, succeeded: true);

        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Pnpm_LifecycleLineAlone_IsTheDiagnostic()
    {
        var analysis = Analyze("\n> demo@1.0.0 deploy /work/demo\n> ./scripts/deploy.sh\n\n\u2009ELIFECYCLE\u2009 Command failed with exit code 3.\n");

        var diagnostic = Assert.Single(analysis.Diagnostics);
        Assert.Equal(("pnpm", "ELIFECYCLE"), (diagnostic.Tool, diagnostic.Code));
    }

    [Fact]
    public void Pnpm_ErrorLines_ReachTheParsersThoughTheyHoldNoLabelWord()
    {
        var analysis = Analyze("\u2009ERR_PNPM_OUTDATED_LOCKFILE\u2009 Cannot install with \"frozen-lockfile\" because pnpm-lock.yaml is not up to date with package.json\n");

        var diagnostic = Assert.Single(analysis.Diagnostics);
        Assert.Equal("ERR_PNPM_OUTDATED_LOCKFILE", diagnostic.Code);
        Assert.Equal(FailureCategory.ConfigError, analysis.Category);
    }

    [Fact]
    public void GoTestVerbose_ParallelSubtests_TakeTheOutputPrintedUnderTheirRunOrContLine()
    {
        var analysis = Analyze("""
            === RUN   TestFetch
            === PAUSE TestFetch
            === RUN   TestParse
            === RUN   TestParse/empty
            === PAUSE TestParse/empty
            === CONT  TestFetch
                fetch_test.go:31: status 500; want 200
            === CONT  TestParse/empty
                parse_test.go:12: Parse("") did not fail
            --- FAIL: TestFetch (0.01s)
            --- FAIL: TestParse (0.00s)
                --- FAIL: TestParse/empty (0.00s)
            FAIL
            FAIL	example.com/demo	0.012s
            """);

        Assert.Collection(
            analysis.Diagnostics,
            d => Assert.Equal(("fetch_test.go", (int?)31, 7L), (d.File, d.Line, d.LogLine)),
            d => Assert.Equal(("parse_test.go", (int?)12, 9L, true), (d.File, d.Line, d.LogLine, d.Message.StartsWith("TestParse/empty:", StringComparison.Ordinal))));
    }

    [Fact]
    public void GoTest_ParentThatFailedOnItsOwn_IsReportedBesideItsSubtest()
    {
        var analysis = Analyze("""
            --- FAIL: TestStore (0.00s)
                store_test.go:20: setup: open db: no such file
                --- FAIL: TestStore/get (0.00s)
                    store_test.go:34: Get(1) = nil
            FAIL
            """);

        Assert.Equal([("TestStore", 20), ("TestStore/get", 34)], analysis.Diagnostics.Select(d => (d.Message[..d.Message.IndexOf(':')], d.Line ?? 0)));
    }

    [Fact]
    public void GradleJUnit5_ShortFormat_IsATestFailureAtTheTestsLine()
    {
        var analysis = Analyze("""
            > Task :test FAILED

            CalculatorTest > addsNegatives() FAILED
                org.opentest4j.AssertionFailedError at CalculatorTest.java:12

            2 tests completed, 1 failed

            FAILURE: Build failed with an exception.

            * What went wrong:
            Execution failed for task ':test'.
            > There were failing tests. See the report at: file:///work/app/build/reports/tests/test/index.html
            """);

        var diagnostic = Assert.Single(analysis.Diagnostics);
        Assert.Equal(("gradle", "CalculatorTest.java", (int?)12, 3L), (diagnostic.Tool, diagnostic.File, diagnostic.Line, diagnostic.LogLine));
        Assert.Contains("addsNegatives()", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(FailureCategory.TestFailure, analysis.Category);
    }

    [Fact]
    public void Jenkins_ScriptReturnedExitCode_IsSecondary()
    {
        const string Step = """
            [Pipeline] sh
            + ./gradlew check
            {0}[Pipeline] }
            [Pipeline] // node
            [Pipeline] End of Pipeline
            ERROR: script returned exit code 2
            Finished: FAILURE
            """;

        var alone = Analyze(Step.Replace("{0}", "", StringComparison.Ordinal));
        var withError = Analyze(Step.Replace("{0}", "src/main.c:3:1: error: expected ';' before '}' token\n", StringComparison.Ordinal));

        Assert.Equal("script returned exit code 2", Assert.Single(alone.Diagnostics).Message);
        Assert.Equal("gcc", Assert.Single(withError.Diagnostics).Tool);
    }

    [Theory]
    [InlineData("Error: 0")]
    [InlineData("warning: 0")]
    [InlineData("ERROR: 0.")]
    [InlineData("Warning: none")]
    public void CountsAfterALabel_AreNotDiagnostics(string line)
    {
        Assert.Empty(Analyze(line + "\n", succeeded: null).Diagnostics);
    }

    [Fact]
    public void Error_WithAMessageThatStartsWithNone_IsStillADiagnostic()
    {
        Assert.Single(Analyze("Error: nonexistent.invalid could not be resolved\n", succeeded: null).Diagnostics);
    }

    [Fact]
    public void ClangAndGcc_MissingHeader_AreTheSameCategory()
    {
        var clang = Analyze("src/a.c:1:10: fatal error: 'zlib.h' file not found\n#include <zlib.h>\n         ^~~~~~~~\n1 error generated.\n");
        var gcc = Analyze("src/a.c:1:10: fatal error: zlib.h: No such file or directory\n    1 | #include <zlib.h>\ncompilation terminated.\n");

        Assert.Equal(FailureCategory.MissingDependency, clang.Category);
        Assert.Equal(gcc.Category, clang.Category);
    }

    [Fact]
    public void GccWarningFlag_StaysInTheMessage_NotTheCode()
    {
        var diagnostic = Assert.Single(Analyze("src/a.c:5:9: warning: unused variable 'n' [-Wunused-variable]\n", succeeded: true).Diagnostics);

        Assert.Null(diagnostic.Code);
        Assert.EndsWith("[-Wunused-variable]", diagnostic.Message, StringComparison.Ordinal);
    }
}
