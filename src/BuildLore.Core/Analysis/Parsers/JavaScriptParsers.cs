using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary><c>tsc</c>'s default (pretty) format: <c>src/a.ts:3:7 - error TS2322: message</c>.</summary>
internal sealed partial class TscParser : ToolParser
{
    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (!hasKeyword || !line.Contains(" - error TS", StringComparison.Ordinal) && !line.Contains(" - warning TS", StringComparison.Ordinal))
        {
            return false;
        }

        var match = Pretty().Match(line);
        if (!match.Success)
        {
            return false;
        }

        sink.Emit(new RawDiagnostic(match.Groups["sev"].Value, match.Groups["file"].Value, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]),
            match.Groups["code"].Value, match.Groups["msg"].Value.Trim(), "tsc", number, number));
        return true;
    }

    [GeneratedRegex(@"^(?<file>[^\s:][^:]*?):(?<line>\d+):(?<col>\d+) - (?<sev>error|warning) (?<code>TS\d+): (?<msg>.*)$")]
    private static partial Regex Pretty();
}

/// <summary>eslint's stylish (file header, then indented problems) and compact formats.</summary>
internal sealed partial class EslintParser : ToolParser
{
    private string? _file;

    public override bool InBlock => _file is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (line.Length == 0)
        {
            return false;
        }

        if (line[0] != ' ' && line[0] != '\t')
        {
            _file = line.Contains(' ', StringComparison.Ordinal) || !line.Contains('.', StringComparison.Ordinal) || !StylishHeader().IsMatch(line) ? null : line;
            if (!hasKeyword)
            {
                return false;
            }

            var compact = line.Contains(": line ", StringComparison.Ordinal) ? Compact().Match(line) : Match.Empty;
            if (compact.Success)
            {
                sink.Emit(new RawDiagnostic(compact.Groups["sev"].Value.ToLowerInvariant(), compact.Groups["file"].Value, ToInt(compact.Groups["line"]), ToInt(compact.Groups["col"]),
                    ValueOrNull(compact.Groups["rule"]), compact.Groups["msg"].Value.Trim(), "eslint", number, number));
                sink.Signal(FailureCategory.LintError, number, line, 0.5);
                return true;
            }

            return false;
        }

        if (_file is null || !hasKeyword)
        {
            return false;
        }

        var match = StylishProblem().Match(line);
        if (!match.Success)
        {
            return false;
        }

        sink.Emit(new RawDiagnostic(match.Groups["sev"].Value, _file, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]),
            ValueOrNull(match.Groups["rule"]), match.Groups["msg"].Value.Trim(), "eslint", number, number));
        sink.Signal(FailureCategory.LintError, number, line, 0.5);
        return true;
    }

    [GeneratedRegex(@"^(?:[A-Za-z]:)?[\w.\-/\\@+~]+\.[A-Za-z0-9]+$")]
    private static partial Regex StylishHeader();

    [GeneratedRegex(@"^\s+(?<line>\d+):(?<col>\d+)\s+(?<sev>error|warning)\s+(?<msg>.+?)(?:\s{2,}(?<rule>[@\w/\-]+))?\s*$")]
    private static partial Regex StylishProblem();

    [GeneratedRegex(@"^(?<file>[^\s:][^:]*?): line (?<line>\d+), col (?<col>\d+), (?<sev>Error|Warning) - (?<msg>.+?)(?: \((?<rule>[@\w/\-]+)\))?$")]
    private static partial Regex Compact();
}

/// <summary>npm's <c>npm ERR!</c> / <c>npm error</c> blocks (one diagnostic per block); yarn and pnpm have parsers of their own.</summary>
internal sealed partial class NpmParser : ToolParser
{
    private long _start;
    private long _end;
    private string? _code;
    private string? _message;
    private string? _fallback;
    private bool _exitStatus;

    public override bool InBlock => _start != 0;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        var match = hasKeyword && line.StartsWith("npm ", StringComparison.Ordinal) ? NpmError().Match(line) : Match.Empty;
        if (!match.Success)
        {
            Finish(sink);
            return false;
        }

        var text = match.Groups["msg"].Value.Trim();
        var code = CodeLine().Match(text);
        var exitStatus = code.Success && code.Groups["code"].Value.All(char.IsAsciiDigit);
        if (code.Success && (_code is not null || _message is not null && !exitStatus))
        {
            // npm opens each error report with its code: this is the next run's. A failed lifecycle
            // script's block opens with its message, its exit status ("code 127") comes second.
            Finish(sink);
        }

        if (_start == 0)
        {
            _start = number;
        }

        _end = number;
        if (code.Success)
        {
            // "code 127" is a script's exit status, not an npm error code.
            var value = code.Groups["code"].Value;
            _code ??= value.All(char.IsAsciiDigit) ? null : value;
            _exitStatus |= value.All(char.IsAsciiDigit);
        }
        else if (_message is null && text.Length > 0 && !Boilerplate().IsMatch(text))
        {
            _message = text;
        }
        else if (text.StartsWith("A complete log", StringComparison.Ordinal))
        {
            Finish(sink); // npm's last words on a failed run
        }
        else if (_fallback is null && text.Length > 0)
        {
            _fallback = text;
        }

        if (_exitStatus && (text.StartsWith("command sh -c ", StringComparison.Ordinal) || text.StartsWith("command cmd /d /s /c ", StringComparison.Ordinal)))
        {
            Finish(sink); // the script that failed closes its lifecycle block
        }

        return true;
    }

    private void Finish(IDiagnosticSink sink)
    {
        if (_start == 0)
        {
            return;
        }

        if (_message is null && _code is null && !_exitStatus)
        {
            // Only npm's own notes ("A complete log of this run can be found in: ..."): not an error of its own.
            _start = 0;
            _fallback = null;
            return;
        }

        var message = _message ?? _fallback ?? (_code is null ? "npm failed" : $"npm failed with {_code}");
        // A failing script (exit code, "Lifecycle script `build` failed") is explained by the script's own output above it.
        var secondary = _message is null
            ? _code is null or "ELIFECYCLE" || message.StartsWith("command failed", StringComparison.OrdinalIgnoreCase)
            : _message.StartsWith("Lifecycle script ", StringComparison.Ordinal);
        sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, _code, message, "npm", _start, _end) { Secondary = secondary });
        if (message.StartsWith("Missing script", StringComparison.Ordinal))
        {
            sink.Signal(FailureCategory.ConfigError, _start, message, 2);
        }

        switch (_code)
        {
            case "E404" or "ETARGET" or "ENOVERSIONS" or "ERESOLVE":
                sink.Signal(FailureCategory.MissingDependency, _start, message, 2);
                break;
            case "ENOTFOUND" or "ETIMEDOUT" or "ECONNREFUSED" or "ECONNRESET" or "EAI_AGAIN":
                sink.Signal(FailureCategory.NetworkError, _start, message, 2.5);
                break;
        }

        _start = 0;
        _code = null;
        _message = null;
        _fallback = null;
        _exitStatus = false;
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^npm (?:ERR!|error)(?: (?<msg>.*))?$")]
    private static partial Regex NpmError();

    [GeneratedRegex(@"^code (?<code>\S+)$")]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"^(?:errno|path|syscall|command(?! not found)|workdir|workspace|location|signal|Exit status|A complete log|This is probably not a problem|Failed at the|in workspace|at location|\d+\s*$|$)|^[\w@./\-]+@[\d.]+ \w+: |^(?:[A-Za-z]:)?[/\\~]\S*$")]
    private static partial Regex Boilerplate();
}

/// <summary>An uncaught exception in Node.js: the error line and its stack, located at the first frame outside node internals and node_modules.</summary>
internal sealed partial class NodeExceptionParser : ToolParser
{
    private RawDiagnostic? _pending;
    private bool _sawFrame;

    public override bool InBlock => _pending is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_pending is not null)
        {
            var frame = Frame().Match(line);
            if (frame.Success)
            {
                _sawFrame = true;
                _pending = _pending with { EndLine = number };
                var file = frame.Groups["file"].Value;
                if (_pending.File is null && !file.StartsWith("node:", StringComparison.Ordinal) && !file.Contains("node_modules", StringComparison.Ordinal) && !file.StartsWith("internal/", StringComparison.Ordinal))
                {
                    _pending = _pending with { File = file, Line = ToInt(frame.Groups["line"]), Column = ToInt(frame.Groups["col"]) };
                }

                return true;
            }

            Finish(sink);
        }

        if (!hasKeyword || line.Length == 0 || line[0] == ' ')
        {
            return false;
        }

        var match = line.Contains("Error", StringComparison.Ordinal) || line.Contains("Exception", StringComparison.Ordinal) ? ErrorLine().Match(line) : Match.Empty;
        if (!match.Success)
        {
            return false;
        }

        var message = match.Groups["msg"].Value.Trim();
        var code = ValueOrNull(match.Groups["code"]) ?? ValueOrNull(SystemErrorCode().Match(message).Groups["code"]);
        _pending = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, code,
            $"{match.Groups["type"].Value}: {message}", "node", number, number);
        _sawFrame = false;
        // Held until its stack arrives: without a Node stack it is reported as a plain error line.
        return true;
    }

    private void Finish(IDiagnosticSink sink)
    {
        if (_pending is not null && !_sawFrame)
        {
            // "Error: message" is how many tools report; "SomeException: text" without a stack is just output.
            if (_pending.Message.StartsWith("Error: ", StringComparison.Ordinal) && !GenericParser.IsHarmless(_pending.Message["Error: ".Length..]))
            {
                sink.Emit(_pending with { Tool = null });
            }
        }
        else if (_pending is not null)
        {
            if (_pending.File is null && ImportedFrom().Match(_pending.Message) is { Success: true } importer)
            {
                _pending = _pending with { File = importer.Groups["file"].Value };
            }

            sink.Emit(_pending);
            if (_pending.Message.Contains("Cannot find module", StringComparison.Ordinal) || _pending.Code == "ERR_MODULE_NOT_FOUND")
            {
                sink.Signal(FailureCategory.MissingDependency, _pending.StartLine, _pending.Message, 2);
            }
        }

        _pending = null;
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^(?<code>E[A-Z]{2,}): ")]
    private static partial Regex SystemErrorCode();

    [GeneratedRegex(@" imported from (?:file://)?(?<file>\S+)$")]
    private static partial Regex ImportedFrom();

    [GeneratedRegex(@"^(?:Uncaught )?(?<type>(?:[A-Z][A-Za-z]*)?(?:Error|Exception))(?: \[(?<code>[A-Z_0-9]+)\])?: (?<msg>.*)$")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"^\s+at (?:.*? \()?(?:file://)?(?<file>[^()\s]+?):(?<line>\d+):(?<col>\d+)\)?\s*$")]
    private static partial Regex Frame();
}

/// <summary>node:test's spec reporter (<c>✖ name (1.2ms)</c> followed by the error), jest (<c>● name</c>) and vitest (<c>FAIL file > name</c>).</summary>
internal sealed partial class JsTestParser : ToolParser
{
    private const int MaxBlockLines = 500;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private string? _tool;
    private string? _name;
    private string? _message;
    private string? _file;
    private int? _line;
    private int? _column;
    private long _start;
    private long _end;
    private int _indent;

    public override bool InBlock => _tool is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_tool is not null && Continue(line, number))
        {
            return true;
        }

        if (_tool is not null)
        {
            Finish(sink);
        }

        if (!hasKeyword || !line.Contains('✖', StringComparison.Ordinal) && !line.Contains('●', StringComparison.Ordinal) && !line.Contains("FAIL ", StringComparison.Ordinal))
        {
            return false;
        }

        Match match;
        if ((match = NodeTestFailure().Match(line)).Success)
        {
            Start("node-test", match.Groups["name"].Value, number, match.Groups["indent"].Length);
            return true;
        }

        if ((match = JestFailure().Match(line)).Success)
        {
            Start("jest", match.Groups["name"].Value, number, match.Groups["indent"].Length);
            return true;
        }

        if ((match = VitestFailure().Match(line)).Success)
        {
            Start("vitest", match.Groups["name"].Value, number, 0);
            _file = match.Groups["file"].Value;
            return true;
        }

        return false;
    }

    private void Start(string tool, string name, long number, int indent)
    {
        _tool = tool;
        _name = name.Trim();
        _start = _end = number;
        _indent = indent;
        _message = null;
        _file = null;
        _line = _column = null;
    }

    private bool Continue(string line, long number)
    {
        var trimmed = line.Trim();
        // Only spaces and tabs indent: pnpm opens its error lines with a thin space.
        var indent = line.AsSpan().IndexOfAnyExcept(' ', '\t') is var first and >= 0 ? first : line.Length;
        if (number - _start > MaxBlockLines)
        {
            return false; // a reporter's block is never this long: the test run's output ended without saying so
        }

        switch (_tool)
        {
            // node's spec reporter indents a failure's details under its mark: a line back at that level ends them.
            case "node-test" when trimmed.Length > 0 && indent <= _indent:
            case "jest" when trimmed.StartsWith('●') || indent == 0 && trimmed.Length > 0:
            case "vitest" when trimmed.StartsWith("FAIL ", StringComparison.Ordinal) || trimmed.StartsWith("⎯⎯⎯", StringComparison.Ordinal) || trimmed.StartsWith("Test Files", StringComparison.Ordinal):
                return false;
        }

        if (trimmed.Length > 0)
        {
            var location = _tool == "vitest" ? VitestLocation().Match(trimmed) : StackLocation().Match(trimmed);
            if (location.Success)
            {
                var file = location.Groups["file"].Value;
                if (_line is null && !file.StartsWith("node:", StringComparison.Ordinal) && !file.Contains("node_modules", StringComparison.Ordinal))
                {
                    _file = file;
                    _line = ToInt(location.Groups["line"]);
                    _column = ToInt(location.Groups["col"]);
                }
            }
            else if (_message is null && !trimmed.StartsWith("at ", StringComparison.Ordinal))
            {
                _message = trimmed;
            }
        }

        _end = number;
        return true;
    }

    private void Finish(IDiagnosticSink sink)
    {
        // A suite whose child failed is marked failed too, with no error of its own: not a separate problem.
        if (_tool is not null && _message is not null && _reported.Add($"{_tool}\u001f{_name}"))
        {
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, _file, _line, _column, null, $"{_name}: {_message}", _tool, _start, _end));
        }

        _tool = null;
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^(?<indent>\s*)✖ (?<name>.+?) \([\d.]+m?s\)\s*$")]
    private static partial Regex NodeTestFailure();

    [GeneratedRegex(@"^(?<indent>\s*)● (?<name>.+)$")]
    private static partial Regex JestFailure();

    [GeneratedRegex(@"^\s*FAIL\s+(?<file>\S+) > (?<name>.+)$")]
    private static partial Regex VitestFailure();

    [GeneratedRegex(@"^at (?:.*? \()?(?:file://)?(?<file>[^()\s]+?):(?<line>\d+):(?<col>\d+)\)?$")]
    private static partial Regex StackLocation();

    [GeneratedRegex(@"^❯ (?:\S+ )?(?<file>[^\s:]+):(?<line>\d+):(?<col>\d+)\s*$")]
    private static partial Regex VitestLocation();
}

/// <summary>
/// TAP, as node:test prints it by default outside a terminal: <c>not ok 2 - name</c> followed by a YAML
/// block with the error and its stack.
/// </summary>
internal sealed partial class TapParser : ToolParser
{
    private string? _name;
    private string? _message;
    private string? _file;
    private int? _line;
    private int? _column;
    private long _start;
    private long _end;
    private bool _nextIsMessage;

    public override bool InBlock => _name is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_name is not null)
        {
            var trimmed = line.Trim();
            if (trimmed == "..." || NotOk().IsMatch(line) || line.StartsWith("ok ", StringComparison.Ordinal) || line.StartsWith("# Subtest", StringComparison.Ordinal))
            {
                Finish(sink, number);
                return trimmed == "...";
            }

            if (_nextIsMessage && trimmed.Length > 0)
            {
                _message = trimmed;
                _nextIsMessage = false;
            }
            else if (trimmed.StartsWith("error:", StringComparison.Ordinal))
            {
                var inline = trimmed["error:".Length..].Trim();
                if (inline is "|-" or "|" or ">-" or ">")
                {
                    _nextIsMessage = true;
                }
                else if (inline.Length > 0)
                {
                    _message = inline.Trim('\'', '"');
                }
            }
            else if (_line is null && Frame().Match(trimmed) is { Success: true } frame && !frame.Groups["file"].Value.StartsWith("node:", StringComparison.Ordinal)
                     && !frame.Groups["file"].Value.Contains("node_modules", StringComparison.Ordinal))
            {
                _file = frame.Groups["file"].Value;
                _line = ToInt(frame.Groups["line"]);
                _column = ToInt(frame.Groups["col"]);
            }

            _end = number;
            return true;
        }

        if (!hasKeyword)
        {
            return false;
        }

        var match = NotOk().Match(line);
        if (!match.Success)
        {
            return false;
        }

        _name = match.Groups["name"].Value.Trim();
        _start = _end = number;
        _message = _file = null;
        _line = _column = null;
        _nextIsMessage = false;
        return true;
    }

    private void Finish(IDiagnosticSink sink, long number)
    {
        // A parent whose subtest failed carries no error of its own.
        if (_name is not null && _message is not null)
        {
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, _file, _line, _column, null, $"{_name}: {_message}", "node-test", _start, Math.Max(_end, number - 1)));
        }

        _name = null;
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink, _end + 1);

    [GeneratedRegex(@"^\s*not ok \d+ - (?<name>.+?)(?: # (?:SKIP|TODO).*)?$")]
    private static partial Regex NotOk();

    [GeneratedRegex(@"\((?:file://)?(?<file>[^()\s]+?):(?<line>\d+):(?<col>\d+)\)$")]
    private static partial Regex Frame();
}
