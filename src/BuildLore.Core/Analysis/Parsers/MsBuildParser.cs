using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// MSBuild's canonical format, used by csc, NuGet, MSBuild itself and <c>tsc --pretty false</c>:
/// <c>path(line,col): error CS0103: message [project]</c> and <c>project : error NU1101: message</c>.
/// Also <c>dotnet test</c>'s failed-test blocks.
/// </summary>
internal sealed partial class MsBuildParser : ToolParser
{
    private string? _failedTest;
    private long _failedTestLine;
    private string? _failedMessage;
    private string? _failedFile;
    private int? _failedFileLine;
    private int _state; // 0 none, 1 after "Failed", 2 in Error Message, 3 in Stack Trace
    private long _lastLine;

    public override bool InBlock => _state != 0;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_state != 0 && ContinueTest(line, number, sink))
        {
            return true;
        }

        if (!hasKeyword)
        {
            return false;
        }

        if (IsSummaryCount(line))
        {
            return true; // "    0 Error(s)": the build's closing count, which no other parser reads either
        }

        if (!MayMatch(line))
        {
            return false;
        }

        var match = Located().Match(line);
        if (match.Success && IsContinuation(match))
        {
            return true;
        }

        if (match.Success)
        {
            var code = match.Groups["code"].Value;
            SignalFor(code, line, number, sink);
            sink.Emit(new RawDiagnostic(
                match.Groups["sev"].Value.ToLowerInvariant(), match.Groups["file"].Value.Trim(), ToInt(match.Groups["line"]), ToInt(match.Groups["col"]),
                code, match.Groups["msg"].Value.Trim(), ToolFor(code), number, number));
            return true;
        }

        match = Unlocated().Match(line);
        if (match.Success && IsContinuation(match))
        {
            return true; // NuGet continues a message on indented lines with the same code
        }

        if (match.Success)
        {
            var code = match.Groups["code"].Value;
            var origin = match.Groups["origin"].Value.Trim();
            // The origin is a project or tool name; it is a file only when it looks like one.
            var file = origin.Contains('.', StringComparison.Ordinal) && !origin.Equals("MSBUILD", StringComparison.OrdinalIgnoreCase) && !origin.Contains(' ', StringComparison.Ordinal) ? origin : null;
            sink.Emit(new RawDiagnostic(
                match.Groups["sev"].Value.ToLowerInvariant(), file, null, null, code, match.Groups["msg"].Value.Trim(), ToolFor(code), number, number)
            {
                // "The command ... exited with code 1": the command's own output says why.
                Secondary = code is "MSB3073" or "MSB4181" or "MSB3075",
            });
            SignalFor(code, line, number, sink);
            return true;
        }

        match = FailedTest().Match(line);
        if (match.Success)
        {
            FinishTest(sink);
            _failedTest = match.Groups["name"].Value;
            _failedTestLine = number;
            _lastLine = number;
            _state = 1;
            return true;
        }

        return false;
    }

    /// <summary>MSBuild's closing counts, <c>    3 Warning(s)</c> and <c>    0 Error(s)</c>.</summary>
    internal static bool IsSummaryCount(ReadOnlySpan<char> line)
    {
        var word = line.EndsWith(" Error(s)", StringComparison.Ordinal) ? " Error(s)".Length
            : line.EndsWith(" Warning(s)", StringComparison.Ordinal) ? " Warning(s)".Length
            : 0;
        var count = line[..^word].TrimStart();
        return word > 0 && count.Length > 0 && !count.ContainsAnyExceptInRange('0', '9');
    }

    // Every form this parser knows has one of these; most lines have none, and skip the regexes.
    private static bool MayMatch(string line) =>
        line.Contains(": error ", StringComparison.Ordinal) || line.Contains(": warning ", StringComparison.Ordinal)
        || line.Contains("error ", StringComparison.Ordinal) && line.TrimStart().StartsWith("error ", StringComparison.Ordinal)
        || line.Contains("warning ", StringComparison.Ordinal) && line.TrimStart().StartsWith("warning ", StringComparison.Ordinal)
        || line.Contains(" Failed ", StringComparison.Ordinal);

    private bool ContinueTest(string line, long number, IDiagnosticSink sink)
    {
        var trimmed = line.Trim();
        switch (_state)
        {
            case 1 when trimmed == "Error Message:":
                _state = 2;
                break;
            case 2 when trimmed == "Stack Trace:":
                _state = 3;
                break;
            case 2 when FailedTest().IsMatch(line) || trimmed.EndsWith("Messages:", StringComparison.Ordinal):
                FinishTest(sink);
                return false;
            case 2:
                if (_failedMessage is null && trimmed.Length > 0)
                {
                    _failedMessage = trimmed;
                }

                break;
            case 3 when trimmed.StartsWith("at ", StringComparison.Ordinal):
                var frame = StackFrameLocation().Match(trimmed);
                if (frame.Success && _failedFile is null)
                {
                    _failedFile = frame.Groups["file"].Value;
                    _failedFileLine = ToInt(frame.Groups["line"]);
                }

                break;
            case 3 when trimmed.StartsWith("--- End of", StringComparison.Ordinal):
                break;
            default:
                FinishTest(sink);
                return false;
        }

        _lastLine = number;
        return true;
    }

    private void FinishTest(IDiagnosticSink sink)
    {
        if (_failedTest is not null)
        {
            sink.Emit(new RawDiagnostic(
                DiagnosticSeverity.Error, _failedFile, _failedFileLine, null, null,
                _failedMessage is null ? $"{_failedTest} failed" : $"{_failedTest}: {_failedMessage}",
                "dotnet-test", _failedTestLine, _lastLine));
        }

        _failedTest = null;
        _failedMessage = null;
        _failedFile = null;
        _failedFileLine = null;
        _state = 0;
    }

    public override void Flush(IDiagnosticSink sink) => FinishTest(sink);

    private static void SignalFor(string code, string line, long number, IDiagnosticSink sink)
    {
        if (code is "NU1101" or "NU1102" or "NU1103")
        {
            sink.Signal(FailureCategory.MissingDependency, number, line, 2);
        }
        else if (code is "NU1301" or "NU1302")
        {
            sink.Signal(FailureCategory.NetworkError, number, line, 2);
        }
        else if (code is "MSB4025" or "MSB4019" or "MSB4236" or "MSB1009" or "MSB1011" or "MSB4057" or "NETSDK1004" or "NETSDK1045")
        {
            sink.Signal(FailureCategory.ConfigError, number, line, 2);
        }
        else if (code is "MSB3073" && line.Contains("exited with code 127", StringComparison.Ordinal))
        {
            sink.Signal(FailureCategory.MissingDependency, number, "a command the build runs is not installed (exit code 127)", 2);
        }
    }

    private static bool IsContinuation(Match match) => match.Groups["raw"].Value.StartsWith("  ", StringComparison.Ordinal);

    private static string ToolFor(string code) => code switch
    {
        _ when code.StartsWith("CS", StringComparison.Ordinal) => "csc",
        _ when code.StartsWith("NU", StringComparison.Ordinal) => "nuget",
        _ when code.StartsWith("TS", StringComparison.Ordinal) => "tsc",
        _ when code.StartsWith("FS", StringComparison.Ordinal) => "fsc",
        _ when code.StartsWith("BC", StringComparison.Ordinal) => "vbc",
        _ => "msbuild",
    };

    [GeneratedRegex(@"^\s*(?<file>[^\s(:][^(]*?)\((?<line>\d+)(?:,(?<col>\d+))?(?:,\d+,\d+)?\)\s*:\s+(?<sev>error|warning)\s+(?<code>[A-Za-z]+\d+)\s*:(?<raw>(?<msg>.*?)(?:\s+\[[^\[\]]+\])?)\s*$")]
    private static partial Regex Located();

    [GeneratedRegex(@"^\s*(?<origin>[^\s:][^:]*?)\s+:\s+(?<sev>error|warning)\s+(?<code>[A-Za-z]+\d+)\s*:(?<raw>(?<msg>.*?)(?:\s+\[[^\[\]]+\])?)\s*$|^\s*(?<sev>error|warning)\s+(?<code>(?:MSB|NETSDK|NU|CS)\d+)\s*:(?<raw>(?<msg>.*?)(?:\s+\[[^\[\]]+\])?)\s*$")]
    private static partial Regex Unlocated();

    [GeneratedRegex(@"^\s{1,4}Failed (?<name>[^\s\[][^\[]*?) \[[^\]]*\]\s*$")]
    private static partial Regex FailedTest();

    [GeneratedRegex(@" in (?<file>.+?):line (?<line>\d+)\s*$")]
    private static partial Regex StackFrameLocation();
}
