using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary><c>go build</c>/<c>go vet</c> (<c>./main.go:5:2: message</c>) and <c>go test</c> (<c>--- FAIL: TestX</c> with its indented output).</summary>
internal sealed partial class GoParser : ToolParser
{
    private RawDiagnostic? _test;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
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

        if (!hasKeyword)
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
    }

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

        if (!hasKeyword)
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
                match.Groups["file"].Value, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]), null, match.Groups["msg"].Value.Trim(), "maven", number, number));
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
                sink.Signal(message.Contains("offline", StringComparison.OrdinalIgnoreCase) || message.Contains("transfer", StringComparison.OrdinalIgnoreCase) || message.Contains("Unknown host", StringComparison.Ordinal)
                    ? FailureCategory.NetworkError : FailureCategory.MissingDependency, number, line, 2);
            }

            return true;
        }

        return MavenNoise().IsMatch(line);
    }

    [GeneratedRegex(@"^(?<file>[^\s:][^:]*\.(?:java|kt|scala|groovy)):(?<line>\d+): (?<sev>error|warning): (?<msg>.*)$")]
    private static partial Regex Javac();

    [GeneratedRegex(@"^\[(?<sev>ERROR|WARNING)\] (?:/|[A-Za-z]:)?(?<file>[^\s:\[]*\.(?:java|kt|scala|groovy)):\[(?<line>\d+),(?<col>\d+)\] (?<msg>.*)$")]
    private static partial Regex MavenLocated();

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
        if (!hasKeyword)
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
        sink.Emit(new RawDiagnostic(severity, null, null, null, null, message, null, number, number));
        return true;
    }

    [GeneratedRegex(@"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:##\[(?<label>error|warning)\]|(?<label>error|fatal|warning|ERROR|FATAL|WARNING|Error|Fatal|Warning):)\s*(?<msg>.+)$")]
    private static partial Regex Labelled();

    [GeneratedRegex(@"^(?:0 |none|no errors|\(s\)|s?: ?0\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Harmless();
}
