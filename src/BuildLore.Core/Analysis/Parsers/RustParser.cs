using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// rustc's multi-line diagnostics (<c>error[E0308]: ...</c> then <c>--> src/main.rs:3:18</c> and the
/// annotated source) as one diagnostic, and <c>cargo test</c> panics. Cargo's closing summaries
/// (<c>aborting due to</c>, <c>could not compile</c>) repeat what was said and are dropped.
/// </summary>
internal sealed partial class RustParser : ToolParser
{
    private RawDiagnostic? _open;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_open is not null && _awaitingPanicMessage)
        {
            // Since Rust 1.73 the panic message is on the line after "panicked at file:line:col:".
            _awaitingPanicMessage = false;
            _open = _open with { Message = $"{_open.Message}: {line.Trim()}", EndLine = number };
            return true;
        }

        if (_open is not null)
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '|' || line[0] == '=' || char.IsAsciiDigit(line[0]) && line.Contains(" |", StringComparison.Ordinal) || line[0] == '.'))
            {
                var location = Location().Match(line);
                if (location.Success && _open.File is null)
                {
                    _open = _open with { File = location.Groups["file"].Value, Line = ToInt(location.Groups["line"]), Column = ToInt(location.Groups["col"]) };
                }

                _open = _open with { EndLine = number };
                return true;
            }

            Finish(sink);
        }

        if (!hasKeyword || !(line.StartsWith("error", StringComparison.Ordinal) || line.StartsWith("warning", StringComparison.Ordinal) || line.StartsWith("thread '", StringComparison.Ordinal)))
        {
            return false;
        }

        var match = Header().Match(line);
        if (match.Success)
        {
            var message = match.Groups["msg"].Value.Trim();
            if (Summary().IsMatch(message) || GenericParser.IsHarmless(message))
            {
                return true;
            }

            _open = new RawDiagnostic(match.Groups["sev"].Value, null, null, null, ValueOrNull(match.Groups["code"]), message, "rustc", number, number);
            if (message.StartsWith("failed to", StringComparison.Ordinal) || message.StartsWith("no matching package", StringComparison.Ordinal))
            {
                sink.Signal(FailureCategory.MissingDependency, number, line, 1.5);
            }

            return true;
        }

        match = Panic().Match(line);
        if (match.Success)
        {
            _open = new RawDiagnostic(DiagnosticSeverity.Error, ValueOrNull(match.Groups["file"]), ToInt(match.Groups["line"]), ToInt(match.Groups["col"]), null,
                match.Groups["inline"].Success ? $"{match.Groups["name"].Value}: {match.Groups["inline"].Value}" : match.Groups["name"].Value, "cargo-test", number, number);
            _awaitingPanicMessage = !match.Groups["inline"].Success;
            return true;
        }

        return false;
    }

    private bool _awaitingPanicMessage;

    public override bool InBlock => _open is not null;

    private void Finish(IDiagnosticSink sink)
    {
        if (_open is not null)
        {
            // "error: ..." with neither a code nor a source location is not necessarily rustc (git and others print it too).
            sink.Emit(_open.Tool == "rustc" && _open.File is null && _open.Code is null ? _open with { Tool = null } : _open);
            _open = null;
        }
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^(?<sev>error|warning)(?:\[(?<code>[A-Z]\d{4})\])?: (?<msg>.+)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\s*--> (?<file>[^:]+):(?<line>\d+):(?<col>\d+)")]
    private static partial Regex Location();

    [GeneratedRegex(@"^(?:aborting due to|could not compile|build failed|test failed, to rerun|\d+ warnings? emitted|`[^`]+` \([^)]*\) generated \d+ warnings?|Some errors have detailed explanations|For more information about (?:this|an) error)")]
    private static partial Regex Summary();

    [GeneratedRegex(@"^thread '(?<name>[^']+)'(?: \(\d+\))? panicked at (?:'(?<inline>.*)', )?(?<file>[^:\s]+):(?<line>\d+):(?<col>\d+):?$")]
    private static partial Regex Panic();
}
