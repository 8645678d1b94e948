using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// <c>go build</c>/<c>go vet</c> (<c>./main.go:5:2: message</c>) and <c>go test</c>: <c>--- FAIL: TestX</c>
/// with its indented output, subtests (<c>--- FAIL: TestX/case</c>, nested under their parent) each a
/// failure of their own, and <c>go test -v</c>, which prints a test's output under its
/// <c>=== RUN</c> line before the <c>--- FAIL</c> that names it.
/// </summary>
internal sealed partial class GoParser : ToolParser
{
    private const int MaxOutputs = 1000;
    private RawDiagnostic? _test;
    private string _testName = "";
    private bool _testHasOutput;
    private RawDiagnostic? _panic;
    private string? _running;
    // go test -v: the first located output line of each test, until its "--- FAIL" names it.
    private readonly Dictionary<string, (string File, int? Line, string Message, long LogLine)> _outputs = new(StringComparer.Ordinal);

    public override bool InBlock => _test is not null || _panic is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_panic is not null)
        {
            if (line.StartsWith("FAIL", StringComparison.Ordinal) || line.StartsWith("exit status", StringComparison.Ordinal))
            {
                sink.Emit(_panic);
                _panic = null;
                return false;
            }

            var frame = GoroutineFrame().Match(line);
            if (frame.Success && _panic.File is null && IsProjectGoFile(frame.Groups["file"].Value))
            {
                _panic = _panic with { File = frame.Groups["file"].Value, Line = ToInt(frame.Groups["line"]) };
            }

            _panic = _panic with { EndLine = number };
            return true;
        }

        if (_test is not null)
        {
            if (line.StartsWith("    ", StringComparison.Ordinal) || line.StartsWith('\t'))
            {
                var nested = TestFailure().Match(line);
                if (nested.Success)
                {
                    // A subtest's failure: its parent is a problem of its own only when it said something itself.
                    var name = nested.Groups["name"].Value;
                    if (_testHasOutput || !name.StartsWith(_testName + "/", StringComparison.Ordinal))
                    {
                        sink.Emit(_test);
                    }

                    StartTest(name, number);
                    return true;
                }

                var location = TestOutput().Match(line);
                if (location.Success && _test.File is null)
                {
                    _test = _test with { File = location.Groups["file"].Value, Line = ToInt(location.Groups["line"]), Message = $"{_test.Message}: {location.Groups["msg"].Value.Trim()}" };
                    _testHasOutput = true;
                }

                _test = _test with { EndLine = number };
                return true;
            }

            sink.Emit(_test);
            _test = null;
        }

        if (line.StartsWith("=== ", StringComparison.Ordinal) && RunHeader().Match(line) is { Success: true } run)
        {
            _running = run.Groups["verb"].Value == "PAUSE" ? null : run.Groups["name"].Value;
            return true;
        }

        if (hasKeyword && line.StartsWith("panic: ", StringComparison.Ordinal))
        {
            var message = line.Trim();
            _panic = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, message,
                message.Contains("test timed out", StringComparison.Ordinal) ? "go-test" : "go", number, number);
            return true;
        }

        if (!hasKeyword || !line.Contains(".go:", StringComparison.Ordinal) && !line.Contains("--- FAIL", StringComparison.Ordinal) && !line.StartsWith("FAIL\t", StringComparison.Ordinal))
        {
            return false;
        }

        if (_running is not null && line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && TestOutput().Match(line) is { Success: true } output)
        {
            if (_outputs.Count >= MaxOutputs)
            {
                _outputs.Clear();
            }

            _outputs.TryAdd(_running, (output.Groups["file"].Value, ToInt(output.Groups["line"]), output.Groups["msg"].Value.Trim(), number));
            return true;
        }

        var match = BuildError().Match(line);
        if (match.Success)
        {
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, match.Groups["file"].Value, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]), null,
                match.Groups["msg"].Value.Trim(), "go", number, number));
            return true;
        }

        match = TestFailure().Match(line);
        if (match.Success)
        {
            StartTest(match.Groups["name"].Value, number);
            return true;
        }

        if (line.StartsWith("FAIL\t", StringComparison.Ordinal))
        {
            // A package's tests ended: what its tests printed is not looked up again.
            _outputs.Clear();
            _running = null;
        }

        return false;
    }

    private void StartTest(string name, long number)
    {
        _test = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, name, "go-test", number, number);
        _testName = name;
        _testHasOutput = false;
        if (_outputs.Remove(name, out var output))
        {
            // go test -v printed the failure before naming it: the diagnostic starts at that line.
            _test = _test with { File = output.File, Line = output.Line, Message = $"{name}: {output.Message}", StartLine = output.LogLine };
            _testHasOutput = true;
        }
    }

    public override void Flush(IDiagnosticSink sink)
    {
        if (_test is not null)
        {
            sink.Emit(_test);
            _test = null;
        }

        if (_panic is not null)
        {
            sink.Emit(_panic);
            _panic = null;
        }
    }

    // Frames in Go's own sources or the generated test main are not where the project went wrong.
    private static bool IsProjectGoFile(string file) =>
        !file.Contains("/go/src/", StringComparison.Ordinal) && !file.Contains("/go-1.", StringComparison.Ordinal)
        && !file.Contains("/pkg/mod/", StringComparison.Ordinal) && !file.EndsWith("_testmain.go", StringComparison.Ordinal)
        && !file.Contains("/hostedtoolcache/go/", StringComparison.Ordinal);

    [GeneratedRegex(@"^\t(?<file>\S+\.go):(?<line>\d+)")]
    private static partial Regex GoroutineFrame();

    [GeneratedRegex(@"^(?:\./)?(?<file>[^\s:]+\.go):(?<line>\d+):(?<col>\d+): (?<msg>.+)$")]
    private static partial Regex BuildError();

    [GeneratedRegex(@"^\s*--- FAIL: (?<name>\S+)")]
    private static partial Regex TestFailure();

    [GeneratedRegex(@"^\s+(?<file>[^\s:]+\.go):(?<line>\d+): (?<msg>.*)$")]
    private static partial Regex TestOutput();

    [GeneratedRegex(@"^=== (?<verb>RUN|CONT|NAME|PAUSE)\s+(?<name>\S+)\s*$")]
    private static partial Regex RunHeader();
}

/// <summary>javac (<c>File.java:3: error: ...</c>), Maven (<c>[ERROR] /x/File.java:[3,5] ...</c>, <c>Failed to execute goal</c>) and Gradle (<c>* What went wrong:</c>).</summary>
internal sealed partial class JavaParser : ToolParser
{
    private bool _whatWentWrong;
    private long _whatWentWrongLine;
    private bool _inSurefireFailures;
    // A failed test's report (Gradle's "Class > test FAILED", Surefire's "test(Class)  Time elapsed: ... <<< FAILURE!"):
    // the exception line, then its stack.
    private RawDiagnostic? _jvmTest;
    private string _jvmTestName = "";
    private bool _jvmTestLocated;
    private bool _surefireTest;
    private readonly HashSet<string> _surefireReported = new(StringComparer.Ordinal);

    public override bool InBlock => _whatWentWrong || _jvmTest is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_jvmTest is not null)
        {
            // Gradle indents the report under its header; Surefire prints the exception and its tab-indented stack as they are.
            if (_surefireTest ? line.Length > 0 && line[0] != '[' : line.StartsWith("    ", StringComparison.Ordinal) || line.StartsWith('\t'))
            {
                ContinueJvmTest(line.Trim(), number);
                return true;
            }

            FinishJvmTest(sink);
        }

        if (hasKeyword && line.EndsWith(" FAILED", StringComparison.Ordinal) && GradleTestFailure().Match(line) is { Success: true } failed)
        {
            StartJvmTest(failed.Groups["test"].Value.Trim(), "gradle", number, surefire: false);
            return true;
        }

        if (hasKeyword && line.StartsWith("[ERROR] ", StringComparison.Ordinal) && line.EndsWith("!", StringComparison.Ordinal) && SurefireTestFailure().Match(line) is { Success: true } surefire)
        {
            var test = surefire.Groups["test"].Success ? surefire.Groups["test"].Value : surefire.Groups["qualified"].Value;
            var type = surefire.Groups["class"].Success ? surefire.Groups["class"].Value : test[..Math.Max(0, test.LastIndexOf('.'))];
            test = test[(test.LastIndexOf('.') + 1)..];
            _surefireReported.Add($"{type[(type.LastIndexOf('.') + 1)..]}.{test}");
            StartJvmTest(test, "maven", number, surefire: true);
            return true;
        }

        if (hasKeyword && line.Contains("WARNING: ", StringComparison.Ordinal) && JvmNotice().IsMatch(line))
        {
            return true; // the JVM's notices about deprecated or restricted APIs a tool uses: not the build's problem
        }

        if (_whatWentWrong)
        {
            _whatWentWrong = false;
            if (line.Trim().Length > 0)
            {
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, line.Trim(), "gradle", _whatWentWrongLine, number)
                {
                    Secondary = line.Contains("Execution failed for task", StringComparison.Ordinal),
                });
                if (line.Contains("Could not resolve", StringComparison.Ordinal))
                {
                    sink.Signal(FailureCategory.MissingDependency, number, line, 2);
                }

                return true;
            }
        }

        if (line == "* What went wrong:")
        {
            _whatWentWrong = true;
            _whatWentWrongLine = number;
            return true;
        }

        if (!hasKeyword || !line.StartsWith('[') && !line.Contains(".java:", StringComparison.Ordinal) && !line.Contains(".kt:", StringComparison.Ordinal)
            && !line.Contains(".scala:", StringComparison.Ordinal) && !line.Contains(".groovy:", StringComparison.Ordinal))
        {
            return false;
        }

        var match = Javac().Match(line);
        if (match.Success)
        {
            sink.Emit(new RawDiagnostic(match.Groups["sev"].Value, match.Groups["file"].Value, ToInt(match.Groups["line"]), null, null, match.Groups["msg"].Value.Trim(), "javac", number, number));
            return true;
        }

        match = MavenLocated().Match(line);
        if (match.Success)
        {
            sink.Emit(new RawDiagnostic(match.Groups["sev"].Value == "ERROR" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                match.Groups["file"].Value, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]), null, match.Groups["msg"].Value.Trim(), "javac", number, number));
            return true;
        }

        if (line == "[ERROR] Failures: " || line == "[ERROR] Failures:" || line == "[ERROR] Errors: " || line == "[ERROR] Errors:")
        {
            _inSurefireFailures = true;
            return true;
        }

        if (_inSurefireFailures)
        {
            var failure = SurefireFailure().Match(line);
            if (failure.Success)
            {
                var type = failure.Groups["class"].Value;
                if (_surefireReported.Contains($"{type[(type.LastIndexOf('.') + 1)..]}.{failure.Groups["test"].Value}"))
                {
                    return true; // the Results block repeats a failure reported with its stack above
                }

                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, type[(type.LastIndexOf('.') + 1)..] + ".java", ToInt(failure.Groups["line"]), null, null,
                    $"{failure.Groups["test"].Value}: {failure.Groups["msg"].Value.Trim()}", "maven", number, number));
                sink.Signal(FailureCategory.TestFailure, number, line, 1);
                return true;
            }

            _inSurefireFailures = false;
        }

        match = PomMissing().Match(line);
        if (match.Success)
        {
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Warning, null, null, null, null, match.Groups["msg"].Value.Trim(), "maven", number, number));
            return true;
        }

        match = MavenGoal().Match(line);
        if (match.Success)
        {
            var message = match.Groups["msg"].Value.Trim();
            var resolution = message.Contains("Could not resolve", StringComparison.Ordinal) || message.Contains("could not be resolved", StringComparison.Ordinal)
                || message.Contains("Plugin ", StringComparison.Ordinal) && message.Contains("could not be resolved", StringComparison.Ordinal);
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, message, "maven", number, number)
            {
                Secondary = message.Contains("Compilation failure", StringComparison.Ordinal) || message.Contains("There are test failures", StringComparison.Ordinal),
            });
            if (resolution)
            {
                sink.Signal(message.Contains("Could not transfer", StringComparison.OrdinalIgnoreCase) || message.Contains("Unknown host", StringComparison.OrdinalIgnoreCase)
                    || message.Contains("Connection", StringComparison.Ordinal) ? FailureCategory.NetworkError : FailureCategory.MissingDependency, number, line, 2);
            }

            return true;
        }

        return MavenNoise().IsMatch(line);
    }

    private void StartJvmTest(string name, string tool, long number, bool surefire)
    {
        _jvmTestName = name;
        _jvmTest = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, name, tool, number, number);
        _jvmTestLocated = false;
        _surefireTest = surefire;
    }

    /// <summary>A test report's next line: the exception (Gradle's short format adds <c>at File.java:N</c>), then its stack.</summary>
    private void ContinueJvmTest(string trimmed, long number)
    {
        _jvmTest = _jvmTest! with { EndLine = number };
        if (trimmed.StartsWith("at ", StringComparison.Ordinal))
        {
            var frame = StackFrame().Match(trimmed);
            if (!_jvmTestLocated && frame.Success && !IsLibraryFrame(frame.Groups["method"].Value))
            {
                // The innermost frame of the project's code: where it threw or asserted.
                _jvmTest = _jvmTest with { File = frame.Groups["file"].Value, Line = ToInt(frame.Groups["line"]) };
                _jvmTestLocated = true;
            }

            return;
        }

        if (_jvmTest.Message == _jvmTestName && trimmed.Length > 0)
        {
            var shortFormat = ShortException().Match(trimmed);
            var exception = shortFormat.Success ? shortFormat.Groups["type"].Value : trimmed;
            _jvmTest = _jvmTest with { Message = $"{_jvmTestName}: {exception}" };
            if (shortFormat.Success)
            {
                _jvmTest = _jvmTest with { File = shortFormat.Groups["file"].Value, Line = ToInt(shortFormat.Groups["line"]) };
                _jvmTestLocated = true;
            }
        }
    }

    private void FinishJvmTest(IDiagnosticSink sink)
    {
        if (_jvmTest is null)
        {
            return;
        }

        sink.Emit(_jvmTest);
        sink.Signal(FailureCategory.TestFailure, _jvmTest.StartLine, _jvmTest.Message, 1);
        _jvmTest = null;
    }

    public override void Flush(IDiagnosticSink sink) => FinishJvmTest(sink);

    private static bool IsLibraryFrame(string method) =>
        method.StartsWith("java.", StringComparison.Ordinal) || method.StartsWith("javax.", StringComparison.Ordinal) || method.StartsWith("jdk.", StringComparison.Ordinal)
        || method.StartsWith("sun.", StringComparison.Ordinal) || method.StartsWith("com.sun.", StringComparison.Ordinal) || method.StartsWith("org.junit.", StringComparison.Ordinal)
        || method.StartsWith("junit.", StringComparison.Ordinal) || method.StartsWith("org.opentest4j.", StringComparison.Ordinal) || method.StartsWith("org.hamcrest.", StringComparison.Ordinal)
        || method.StartsWith("org.assertj.", StringComparison.Ordinal) || method.StartsWith("org.mockito.", StringComparison.Ordinal) || method.StartsWith("org.gradle.", StringComparison.Ordinal)
        || method.StartsWith("kotlin.", StringComparison.Ordinal) || method.StartsWith("scala.", StringComparison.Ordinal) || method.StartsWith("org.testng.", StringComparison.Ordinal);

    // "demo.SlugTest > collapsesWhitespace FAILED", "FooTest > bar() FAILED", "FooTest > bar(int) > [1] 2 FAILED".
    [GeneratedRegex(@"^(?<class>[A-Za-z_$][\w$.]*) > (?<test>.+) FAILED$")]
    private static partial Regex GradleTestFailure();

    // "[ERROR] collapsesWhitespace(demo.SlugTest)  Time elapsed: 0.007 s  <<< FAILURE!" (JUnit 4) or "[ERROR] demo.SlugTest.collapsesWhitespace  Time elapsed: ..." (JUnit 5).
    [GeneratedRegex(@"^\[ERROR\] (?:(?<test>[\w$]+)\((?<class>[\w$.]+)\)|(?<qualified>[\w$.]+))\s+Time elapsed: .*<<< (?:FAILURE|ERROR)!$")]
    private static partial Regex SurefireTestFailure();

    [GeneratedRegex(@"^(?<type>[\w$.]+) at (?<file>[\w$]+\.(?:java|kt|scala|groovy)):(?<line>\d+)$")]
    private static partial Regex ShortException();

    [GeneratedRegex(@"^at (?:[\w.$]+/)*(?:[\w.$-]+@[\w.-]+/)?(?<method>[\w.$<>]+)\((?<file>[^:()]+):(?<line>\d+)\)$")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"^(?::\w+)*WARNING: (?:A terminally deprecated method|System::setSecurityManager|Please consider reporting this to the maintainers|An illegal reflective access|Illegal reflective access|All illegal access operations|Use --illegal-access|sun\.misc\.Unsafe|A restricted method|Use --enable-native-access|Restricted methods will be blocked)")]
    private static partial Regex JvmNotice();

    [GeneratedRegex(@"^(?<file>[^\s:][^:]*\.(?:java|kt|scala|groovy)):(?<line>\d+): (?<sev>error|warning): (?<msg>.*)$")]
    private static partial Regex Javac();

    [GeneratedRegex(@"^\[(?<sev>ERROR|WARNING)\] (?<file>(?:[A-Za-z]:)?[^\s:\[]*\.(?:java|kt|scala|groovy)):\[(?<line>\d+),(?<col>\d+)\] (?<msg>.*)$")]
    private static partial Regex MavenLocated();

    [GeneratedRegex(@"^\[ERROR\]\s{2,}(?<class>[\w$.]+)\.(?<test>\w+):(?<line>\d+)(?: (?<msg>.*))?$")]
    private static partial Regex SurefireFailure();

    [GeneratedRegex(@"^\[WARNING\] (?<msg>The POM for .* is (?:missing|invalid).*)$")]
    private static partial Regex PomMissing();


    [GeneratedRegex(@"^\[ERROR\] (?<msg>(?:Failed to execute goal|Failed to execute|Plugin .* could not be resolved|Non-resolvable|The project .* has \d+ error|Could not resolve|Unknown lifecycle phase|No goals have been specified).*)$")]
    private static partial Regex MavenGoal();

    // Maven's own commentary around the real error: not diagnostics of their own.
    [GeneratedRegex(@"^\[ERROR\] (?:$|-> \[Help|To see the full|Re-run Maven|For more information|\[Help \d+\]|After correcting|  mvn |COMPILATION ERROR|BUILD FAILURE|\s*$)")]
    private static partial Regex MavenNoise();
}

/// <summary>
/// The last resort: lines a tool labelled as an error without a format we know
/// (<c>Error: ...</c>, <c>ERROR: ...</c>, <c>fatal: ...</c>). It runs after every specific parser.
/// </summary>
internal sealed partial class GenericParser : ToolParser
{
    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (!hasKeyword || !line.Contains(':', StringComparison.Ordinal) && !line.Contains("##[", StringComparison.Ordinal))
        {
            return false;
        }

        var match = Labelled().Match(line);
        if (!match.Success)
        {
            return false;
        }

        var message = match.Groups["msg"].Value.Trim();
        if (message.Length == 0 || IsHarmless(message))
        {
            return false;
        }

        var severity = match.Groups["label"].Value.StartsWith("warn", StringComparison.OrdinalIgnoreCase) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
        // CI systems' own "the step failed" lines only repeat that a command exited non-zero.
        sink.Emit(new RawDiagnostic(severity, null, null, null, null, message, null, number, number) { Secondary = ExitOnly().IsMatch(message) });
        return true;
    }

    [GeneratedRegex(@"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:##\[(?<label>error|warning)\]|(?<label>error|fatal|warning|ERROR|FATAL|WARNING|Error|Fatal|Warning):)\s*(?<msg>.+)$")]
    private static partial Regex Labelled();

    [GeneratedRegex(@"^(?:Process completed with exit code \d+|Job failed: exit (?:code|status) \d+|Command failed with exit code \d+|Script failed|exit (?:code|status) \d+|script returned exit code \d+)\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex ExitOnly();

    /// <summary>A count or a "nothing" after the label (<c>Error: 0</c>, <c>warning: none</c>, <c>Error(s): 0</c>): not a problem.</summary>
    internal static bool IsHarmless(string message) => Harmless().IsMatch(message);

    [GeneratedRegex(@"^(?:0+(?:[\s.,;)]|$)|none\b|no (?:errors|warnings)\b|\(s\)|s?: ?0\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Harmless();
}
