using BuildLore.Core.Analysis.Matchers;
using BuildLore.Core.Tests.Support;

namespace BuildLore.Core.Tests.Analysis;

public class ProblemMatcherTests
{
    // The gcc matcher most C/C++ workflows use (gcc-problem-matcher style).
    private const string GccMatcher = """
        {
          "problemMatcher": [
            {
              "owner": "gcc",
              "pattern": [
                {
                  "regexp": "^(.*?):(\\d+):(\\d*):?\\s+(?:fatal\\s+)?(warning|error):\\s+(.*)$",
                  "file": 1, "line": 2, "column": 3, "severity": 4, "message": 5
                }
              ]
            }
          ]
        }
        """;

    // actions/setup-node's eslint-stylish.json.
    private const string EslintStylishMatcher = """
        {
          "problemMatcher": [
            {
              "owner": "eslint-stylish",
              "pattern": [
                { "regexp": "^([^\\s].*)$", "file": 1 },
                {
                  "regexp": "^\\s+(\\d+):(\\d+)\\s+(error|warning|info)\\s+(.*)\\s\\s+(.*)$",
                  "line": 1, "column": 2, "severity": 3, "message": 4, "code": 5, "loop": true
                }
              ]
            }
          ]
        }
        """;

    // actions/setup-node's tsc.json.
    private const string TscMatcher = """
        {
          "problemMatcher": [
            {
              "owner": "tsc",
              "pattern": [
                {
                  "regexp": "^([^\\s].*)[\\(:](\\d+)[,:](\\d+)(?:\\):\\s+|\\s+-\\s+)(error|warning|info)\\s+TS(\\d+)\\s*:\\s*(.*)$",
                  "file": 1, "line": 2, "column": 3, "severity": 4, "code": 5, "message": 6
                }
              ]
            }
          ]
        }
        """;

    // A flake8-like matcher that captures no severity but defaults to warning.
    private const string Flake8Matcher = """
        {
          "problemMatcher": [
            {
              "owner": "flake8",
              "severity": "warning",
              "pattern": [
                { "regexp": "^(.+?):(\\d+):(\\d+): ([A-Z]\\d+) (.+)$", "file": 1, "line": 2, "column": 3, "code": 4, "message": 5 }
              ]
            }
          ]
        }
        """;

    private static List<MatchedProblem> Run(string json, params string[] lines)
    {
        var runner = new ProblemMatcherRunner(ProblemMatcherLoader.Load(json));
        var problems = new List<MatchedProblem>();
        for (var i = 0; i < lines.Length; i++)
        {
            problems.AddRange(runner.ProcessLine(lines[i], i + 1));
        }

        problems.AddRange(runner.Flush());
        return problems;
    }

    [Fact]
    public void Gcc_SingleLineMatcherOnRealColoredGccOutput()
    {
        var lines = Fixtures.Read(Fixtures.GccCompileErrorColor).Split('\n');

        var problems = Run(GccMatcher, lines);

        // Colors (including gcc's ESC[K) are stripped before matching, as the runner does.
        var error = Assert.Single(problems, p => p.Severity == "error");
        Assert.Equal(new MatchedProblem("gcc", "error", "broken.c", 5, 20, null, "\u2018undeclared_count\u2019 undeclared (first use in this function)", 3, 3), error);
        Assert.DoesNotContain(problems, p => p.Message.Contains('\u001b', StringComparison.Ordinal));
    }

    [Fact]
    public void Gcc_WarningWithoutColumn()
    {
        var problems = Run(GccMatcher, "src/util.c:42::  warning: unused variable 'tmp' [-Wunused-variable]", "src/main.c:7:1: fatal error: missing.h: No such file or directory");

        Assert.Equal(
            [
                new MatchedProblem("gcc", "warning", "src/util.c", 42, null, null, "unused variable 'tmp' [-Wunused-variable]", 1, 1),
                new MatchedProblem("gcc", "error", "src/main.c", 7, 1, null, "missing.h: No such file or directory", 2, 2),
            ],
            problems);
    }

    [Fact]
    public void EslintStylish_LoopEmitsOneProblemPerLineSharingTheFile()
    {
        string[] log =
        [
            "> eslint src",
            "",
            "/home/runner/work/app/app/src/index.js",
            "   1:10  error    'foo' is defined but never used  no-unused-vars",
            "  12:5   warning  Unexpected console statement     no-console",
            "",
            "/home/runner/work/app/app/src/util.js",
            "  3:1  error  Missing semicolon  semi",
            "",
            "\u2716 3 problems (2 errors, 1 warning)",
        ];

        var problems = Run(EslintStylishMatcher, log);

        Assert.Equal(
            [
                new MatchedProblem("eslint-stylish", "error", "/home/runner/work/app/app/src/index.js", 1, 10, "no-unused-vars", "'foo' is defined but never used", 3, 4),
                new MatchedProblem("eslint-stylish", "warning", "/home/runner/work/app/app/src/index.js", 12, 5, "no-console", "Unexpected console statement   ", 3, 5),
                new MatchedProblem("eslint-stylish", "error", "/home/runner/work/app/app/src/util.js", 3, 1, "semi", "Missing semicolon", 7, 8),
            ],
            problems);
    }

    [Fact]
    public void EslintStylish_ProblemsAreReturnedByTheLineThatCompletesThem()
    {
        var runner = new ProblemMatcherRunner(ProblemMatcherLoader.Load(EslintStylishMatcher));

        Assert.Empty(runner.ProcessLine("/work/app/src/a.js", 10));
        Assert.Single(runner.ProcessLine("  1:1  error  Unexpected var  no-var", 11));
        Assert.Single(runner.ProcessLine("  2:1  error  Unexpected var  no-var", 12));
        Assert.Empty(runner.ProcessLine("", 13));
        // The blank line broke the loop: a loop line now has no file line before it.
        Assert.Empty(runner.ProcessLine("  3:1  error  Unexpected var  no-var", 14));
    }

    [Fact]
    public void EslintStylish_InfoSeverityIsDroppedLikeTheRunnerDoes()
    {
        var problems = Run(EslintStylishMatcher, "/work/app/src/a.js", "  1:1  info  Some hint  some-rule", "  2:1  error  Unexpected var  no-var");

        var problem = Assert.Single(problems);
        Assert.Equal(2, problem.Line);
    }

    [Theory]
    [InlineData("src/app.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.")]
    [InlineData("src/app.ts:12:7 - error TS2322: Type 'string' is not assignable to type 'number'.")]
    public void Tsc_BothOutputFormats(string line)
    {
        var problem = Assert.Single(Run(TscMatcher, line));

        Assert.Equal(new MatchedProblem("tsc", "error", "src/app.ts", 12, 7, "2322", "Type 'string' is not assignable to type 'number'.", 1, 1), problem);
    }

    [Fact]
    public void DefaultSeverity_AppliesWhenThePatternCapturesNone()
    {
        var problem = Assert.Single(Run(Flake8Matcher, "app/main.py:10:80: E501 line too long (88 > 79 characters)"));

        Assert.Equal(new MatchedProblem("flake8", "warning", "app/main.py", 10, 80, "E501", "line too long (88 > 79 characters)", 1, 1), problem);
        Assert.Equal("warning", ProblemMatcherLoader.Load(Flake8Matcher)[0].DefaultSeverity);
    }

    [Fact]
    public void Severity_IsNormalizedAndDefaultsToError()
    {
        const string json = """
            {"problemMatcher":[
              {"owner":"upper","pattern":[{"regexp":"^(ERROR|Warning|NOTICE): (.+)$","severity":1,"message":2}]},
              {"owner":"plain","pattern":[{"regexp":"^problem: (.+)$","message":1}]}
            ]}
            """;

        var problems = Run(json, "ERROR: a", "Warning: b", "NOTICE: c", "problem: d");

        Assert.Equal(["error", "warning", "notice", "error"], problems.Select(p => p.Severity));
    }

    [Fact]
    public void MultiLineWithoutLoop_CarriesEarlierFieldsAndSpansLines()
    {
        const string json = """
            {"problemMatcher":[{"owner":"py","pattern":[
              {"regexp":"^  File \"(.+)\", line (\\d+)","file":1,"line":2},
              {"regexp":"^    .*$"},
              {"regexp":"^(\\w+Error): (.+)$","code":1,"message":2}
            ]}]}
            """;
        string[] log =
        [
            "Traceback (most recent call last):",
            "  File \"/work/app/main.py\", line 3, in <module>",
            "    print(undefined_name)",
            "NameError: name 'undefined_name' is not defined",
        ];

        var problem = Assert.Single(Run(json, log));

        Assert.Equal(new MatchedProblem("py", "error", "/work/app/main.py", 3, null, "NameError", "name 'undefined_name' is not defined", 2, 4), problem);
    }

    [Fact]
    public void MultiLine_IncompleteMatchAtEndOfLogIsNotAProblem()
    {
        var runner = new ProblemMatcherRunner(ProblemMatcherLoader.Load(EslintStylishMatcher));
        runner.ProcessLine("/work/app/src/a.js", 1);

        Assert.Empty(runner.Flush());
        Assert.Empty(runner.ProcessLine("  1:1  error  Unexpected var  no-var", 2));
    }

    [Fact]
    public void FromPath_RootsARelativeFile()
    {
        const string json = """
            {"problemMatcher":[{"owner":"msbuild","pattern":[
              {"regexp":"^(.+)\\((\\d+),(\\d+)\\): (error|warning) ([A-Z]+\\d+): (.+) \\[(.+)\\]$","file":1,"line":2,"column":3,"severity":4,"code":5,"message":6,"fromPath":7}
            ]}]}
            """;

        var problem = Assert.Single(Run(json, "Program.cs(1,19): error CS0103: The name 'x' does not exist in the current context [/work/app/app.csproj]"));

        Assert.Equal("/work/app/Program.cs", problem.File);
        Assert.Equal("CS0103", problem.Code);
    }

    [Fact]
    public void EmptyMessageOrUnparsableNumbersFollowTheRunner()
    {
        const string json = """
            {"problemMatcher":[{"owner":"x","pattern":[{"regexp":"^(\\S+):(\\S+): ?(.*)$","file":1,"line":2,"message":3}]}]}
            """;

        var problems = Run(json, "a.c:12: ", "a.c:twelve: message", "a.c:-3: message");

        // "a.c:12: " has a blank message and is dropped; non-numeric or signed lines are left null.
        Assert.Equal([null, null], problems.Select(p => p.Line));
    }

    [Fact]
    public void FirstMatchingMatcherWinsTheLine()
    {
        var matchers = ProblemMatcherLoader.Load(GccMatcher).Concat(ProblemMatcherLoader.Load(Flake8Matcher)).ToList();
        var runner = new ProblemMatcherRunner(matchers);

        var problems = runner.ProcessLine("src/a.c:1:2: error: boom", 1);

        Assert.Equal("gcc", Assert.Single(problems).Owner);
    }

    [Fact]
    public void CatastrophicPatternTimesOutInsteadOfHanging()
    {
        const string json = """
            {"problemMatcher":[{"owner":"evil","pattern":[{"regexp":"^(a+)+$","message":1}]}]}
            """;
        var runner = new ProblemMatcherRunner(ProblemMatcherLoader.Load(json, TimeSpan.FromMilliseconds(20)));
        var evil = new string('a', 5_000) + "!";

        for (var i = 1; i <= ProblemMatcherRunner.MaxTimeouts; i++)
        {
            Assert.Empty(runner.ProcessLine(evil, i));
        }

        Assert.Equal(["evil"], runner.DisabledMatchers);
        Assert.Empty(runner.ProcessLine("aaa", 10)); // disabled for the rest of the log
    }

    // ----- validation (mirrors IssueMatcherConfig/IssuePatternConfig.Validate in actions/runner) -----

    [Fact]
    public void Load_ReadsAllProperties()
    {
        var matcher = Assert.Single(ProblemMatcherLoader.Load(EslintStylishMatcher));

        Assert.Equal("eslint-stylish", matcher.Owner);
        Assert.Null(matcher.DefaultSeverity);
        Assert.Equal(2, matcher.Patterns.Count);
        Assert.Equal(1, matcher.Patterns[0].File);
        Assert.False(matcher.Patterns[0].Loop);
        Assert.True(matcher.Patterns[1].Loop);
        Assert.Equal(5, matcher.Patterns[1].Code);
    }

    [Theory]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","file":1,"loop":true},{"regexp":"^(.+)$","message":1}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: Only the last pattern in a multiline matcher may set 'loop'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","message":1,"loop":true}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: Only the last pattern in a multiline matcher may set 'loop'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","file":1},{"regexp":"^(.+)$","file":1,"message":1}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[1]: The property 'file' is set twice (already set by pattern 0)")]
    [InlineData(
        """{"problemMatcher":[{"pattern":[{"regexp":"^(.+)$","message":1}]}]}""",
        "problemMatcher[0]: Owner must not be empty")]
    [InlineData(
        """{"problemMatcher":[{"owner":"","pattern":[{"regexp":"^(.+)$","message":1}]}]}""",
        "problemMatcher[0]: Owner must not be empty")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(unclosed$","message":1}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: The regexp '^(unclosed$' is invalid:")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"message":1}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: The property 'regexp' is required")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[]}]}""",
        "problemMatcher[0] (owner 'm'): Matcher 'm' does not contain any patterns")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m"}]}""",
        "problemMatcher[0] (owner 'm'): Matcher 'm' does not contain any patterns")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","file":1}]}]}""",
        "problemMatcher[0] (owner 'm'): At least one pattern must set 'message'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","file":1},{"regexp":"^(.+)$","line":1,"loop":true}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[1]: The loop pattern must set 'message'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","message":2}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: The property 'message' is set to 2 which is out of range")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","message":-1}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: The property 'message' is set to -1 which is out of range")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","severity":"fatal","pattern":[{"regexp":"^(.+)$","message":1}]}]}""",
        "problemMatcher[0] (owner 'm'): Matcher 'm' contains unexpected default severity 'fatal'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","message":1}]},{"owner":"M","pattern":[{"regexp":"^(.+)$","message":1}]}]}""",
        "problemMatcher[1] (owner 'M'): Duplicate owner name 'M'")]
    [InlineData(
        """{"problemMatcher":[{"owner":"m","pattern":[{"regexp":"^(.+)$","message":"1"}]}]}""",
        "problemMatcher[0] (owner 'm'), pattern[0]: The property 'message' must be an integer group number")]
    [InlineData("""{"matchers":[]}""", "The problem matcher file must have a 'problemMatcher' array.")]
    [InlineData("""{"problemMatcher":[""", "The problem matcher file is not valid JSON")]
    public void Load_RejectsInvalidDefinitions(string json, string expectedMessageStart)
    {
        var ex = Assert.Throws<ProblemMatcherException>(() => ProblemMatcherLoader.Load(json));

        Assert.StartsWith(expectedMessageStart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExceptionCarriesTheLocation()
    {
        var ex = Assert.Throws<ProblemMatcherException>(() => ProblemMatcherLoader.Load(
            """{"problemMatcher":[{"owner":"ok","pattern":[{"regexp":"(.+)","message":1}]},{"owner":"bad","pattern":[{"regexp":"(.+)","file":1},{"regexp":"(","message":1}]}]}"""));

        Assert.Equal(1, ex.MatcherIndex);
        Assert.Equal("bad", ex.Owner);
        Assert.Equal(1, ex.PatternIndex);
        Assert.IsAssignableFrom<ArgumentException>(ex.InnerException);
    }

    [Fact]
    public void Load_AcceptsCommentsTrailingCommasAndAnyPropertyCase()
    {
        const string json = """
            {
              // like the toolkit docs' example
              "problemMatcher": [
                { "Owner": "m", "Pattern": [ { "RegExp": "^e: (.+)$", "Message": 1, }, ], },
              ],
            }
            """;

        var matcher = Assert.Single(ProblemMatcherLoader.Load(json));

        Assert.Equal(1, matcher.Patterns[0].Message);
    }

    [Fact]
    public void Load_EmptyMatcherListIsValid()
    {
        Assert.Empty(ProblemMatcherLoader.Load("""{"problemMatcher":[]}"""));
    }
}
