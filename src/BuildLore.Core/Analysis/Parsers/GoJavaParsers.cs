using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary><c>go build</c>/<c>go vet</c> (<c>./main.go:5:2: message</c>) and <c>go test</c> (<c>--- FAIL: TestX</c> with its indented output).</summary>
internal sealed partial class GoParser : ToolParser
{
    private RawDiagnostic? _test;
    private RawDiagnostic? _panic;

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
                var location = TestOutput().Match(line);
                if (location.Success && _test.File is null)
                {
                    _test = _test with { File = location.Groups["file"].Value, Line = ToInt(location.Groups["line"]), Message = $"{_test.Message}: {location.Groups["msg"].Value.Trim()}" };
                }

                _test = _test with { EndLine = number };
                return true;
            }

            sink.Emit(_test);
            _test = null;
        }

        if (hasKeyword && line.StartsWith("panic: ", StringComparison.Ordinal))
        {
            var message = line.Trim();
            _panic = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, message,
                message.Contains("test timed out", StringComparison.Ordinal) ? "go-test" : "go", number, number);
            return true;
        }

        if (!hasKeyword || !line.Contains(".go:", StringComparison.Ordinal) && !line.Contains("--- FAIL", StringComparison.Ordinal))
        {
            return false;
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
            _test = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, match.Groups["name"].Value, "go-test", number, number);
            return true;
        }

        return false;
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
}

/// <summary>javac (<c>File.java:3: error: ...</c>), Maven (<c>[ERROR] /x/File.java:[3,5] ...</c>, <c>Failed to execute goal</c>) and Gradle (<c>* What went wrong:</c>).</summary>
internal sealed partial class JavaParser : ToolParser
{
    private bool _whatWentWrong;
    private long _whatWentWrongLine;
    private bool _inSurefireFailures;

    public override bool InBlock => _whatWentWrong;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
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
        if (message.Length == 0 || Harmless().IsMatch(message))
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

    [GeneratedRegex(@"^(?:Process completed with exit code \d+|Job failed: exit (?:code|status) \d+|Command failed with exit code \d+|Script failed|exit (?:code|status) \d+)\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex ExitOnly();

    [GeneratedRegex(@"^(?:0 |none|no errors|\(s\)|s?: ?0\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Harmless();
}
