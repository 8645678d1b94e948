using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary><c>tsc</c>'s default (pretty) format: <c>src/a.ts:3:7 - error TS2322: message</c>.</summary>
internal sealed partial class TscParser : ToolParser
{
    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (!hasKeyword)
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

            var compact = Compact().Match(line);
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

/// <summary>npm's <c>npm ERR!</c> / <c>npm error</c> blocks (one diagnostic per block), yarn and pnpm errors.</summary>
internal sealed partial class NpmParser : ToolParser
{
    private long _start;
    private long _end;
    private string? _code;
    private string? _message;
    private string? _fallback;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        var match = hasKeyword ? NpmError().Match(line) : Match.Empty;
        if (!match.Success)
        {
            Finish(sink);
            if (hasKeyword && Pnpm().Match(line) is { Success: true } pnpm)
            {
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, pnpm.Groups["code"].Value, pnpm.Groups["msg"].Value.Trim(), "npm", number, number));
                return true;
            }

            return false;
        }

        if (_start == 0)
        {
            _start = number;
        }

        _end = number;
        var text = match.Groups["msg"].Value.Trim();
        var code = CodeLine().Match(text);
        if (code.Success)
        {
            _code ??= code.Groups["code"].Value;
        }
        else if (_message is null && text.Length > 0 && !Boilerplate().IsMatch(text))
        {
            _message = text;
        }
        else if (_fallback is null && text.Length > 0 && !text.StartsWith("A complete log", StringComparison.Ordinal))
        {
            _fallback = text;
        }

        return true;
    }

    private void Finish(IDiagnosticSink sink)
    {
        if (_start == 0)
        {
            return;
        }

        var message = _message ?? _fallback ?? (_code is null ? "npm failed" : $"npm failed with {_code}");
        // A failing script (exit code) is explained by the script's own output above it.
        var secondary = _code is null or "ELIFECYCLE" || _code.All(char.IsAsciiDigit) || message.StartsWith("command failed", StringComparison.OrdinalIgnoreCase);
        sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, _code, message, "npm", _start, _end) { Secondary = secondary && _message is null });
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
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^npm (?:ERR!|error)(?: (?<msg>.*))?$")]
    private static partial Regex NpmError();

    [GeneratedRegex(@"^code (?<code>\S+)$")]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"^(?:errno|path|syscall|command(?! not found)|workdir|location|signal|Exit status|A complete log|Lifecycle script|This is probably not a problem|Failed at the|in workspace|at location|\d+ |$)|^[\w@./\-]+@[\d.]+ \w+: ")]
    private static partial Regex Boilerplate();

    [GeneratedRegex(@"^\s*(?:ERR_PNPM_|\[ERR_PNPM_)(?<code>[A-Z_]+)\]?\s*(?<msg>.*)$")]
    private static partial Regex Pnpm();
}

/// <summary>An uncaught exception in Node.js: the error line and its stack, located at the first frame outside node internals and node_modules.</summary>
internal sealed partial class NodeExceptionParser : ToolParser
{
    private RawDiagnostic? _pending;
    private bool _sawFrame;

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

        var match = ErrorLine().Match(line);
        if (!match.Success)
        {
            return false;
        }

        _pending = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, ValueOrNull(match.Groups["code"]),
            $"{match.Groups["type"].Value}: {match.Groups["msg"].Value.Trim()}", "node", number, number);
        _sawFrame = false;
        // Held until its stack arrives: without a Node stack it is reported as a plain error line.
        return true;
    }

    private void Finish(IDiagnosticSink sink)
    {
        if (_pending is not null && !_sawFrame)
        {
            sink.Emit(_pending with { Tool = null });
        }
        else if (_pending is not null)
        {
            sink.Emit(_pending);
            if (_pending.Message.Contains("Cannot find module", StringComparison.Ordinal) || _pending.Code == "ERR_MODULE_NOT_FOUND")
            {
                sink.Signal(FailureCategory.MissingDependency, _pending.StartLine, _pending.Message, 2);
            }
        }

        _pending = null;
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^(?:Uncaught )?(?<type>(?:[A-Z][A-Za-z]*)?(?:Error|Exception))(?: \[(?<code>[A-Z_0-9]+)\])?: (?<msg>.*)$")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"^\s+at (?:.*? \()?(?:file://)?(?<file>[^()\s]+?):(?<line>\d+):(?<col>\d+)\)?\s*$")]
    private static partial Regex Frame();
}

/// <summary>node:test's spec reporter (<c>✖ name (1.2ms)</c> followed by the error), jest (<c>● name</c>) and vitest (<c>FAIL file > name</c>).</summary>
internal sealed partial class JsTestParser : ToolParser
{
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

        if (!hasKeyword)
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
        var indent = line.Length - line.TrimStart().Length;
        switch (_tool)
        {
            case "node-test" when trimmed.Length > 0 && indent <= _indent && (trimmed[0] is '✖' or '✔' or 'ℹ' or '▶' or '﹣'):
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

    [GeneratedRegex(@"^❯ (?<file>[^\s:]+):(?<line>\d+):(?<col>\d+)")]
    private static partial Regex VitestLocation();
}
