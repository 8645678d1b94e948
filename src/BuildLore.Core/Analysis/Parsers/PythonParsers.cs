using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// Python tracebacks: one diagnostic per traceback, located at the innermost frame of the project's
/// own code (not the standard library or installed packages).
/// </summary>
internal sealed partial class PythonTracebackParser : ToolParser
{
    private long _start;
    private (string File, int Line)? _projectFrame;
    private (string File, int Line)? _anyFrame;

    public override bool InBlock => _start != 0;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_start == 0)
        {
            if (hasKeyword && line.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal))
            {
                _start = number;
                _projectFrame = _anyFrame = null;
                return true;
            }

            return false;
        }

        if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
        {
            var frame = Frame().Match(line);
            if (frame.Success)
            {
                var location = (frame.Groups["file"].Value, ToInt(frame.Groups["line"]) ?? 0);
                _anyFrame = location;
                if (IsProjectFile(location.Item1))
                {
                    _projectFrame = location;
                }
            }

            return true;
        }

        var exception = ExceptionLine().Match(line);
        if (exception.Success)
        {
            var type = exception.Groups["type"].Value;
            var at = _projectFrame ?? _anyFrame;
            var shortType = type[(type.LastIndexOf('.') + 1)..];
            var message = exception.Groups["msg"].Success ? $"{shortType}: {exception.Groups["msg"].Value.Trim()}" : shortType;
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, at?.File, at?.Line, null, null, message, "python", _start, number));
            if (shortType is "ModuleNotFoundError" or "ImportError")
            {
                sink.Signal(FailureCategory.MissingDependency, number, line, 2);
            }

            _start = 0;
            return true;
        }

        // "During handling of the above exception..." and blank lines between chained tracebacks.
        _start = 0;
        return false;
    }

    public override void Flush(IDiagnosticSink sink)
    {
        if (_start != 0)
        {
            // The log ended inside a traceback (cut off, or the process was killed while printing it).
            var at = _projectFrame ?? _anyFrame;
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, at?.File, at?.Line, null, null, "Python traceback (the log ends before the exception line)", "python", _start, _start));
            _start = 0;
        }
    }

    internal static bool IsProjectFile(string file) =>
        !file.Contains("site-packages", StringComparison.Ordinal)
        && !file.Contains("dist-packages", StringComparison.Ordinal)
        && !file.StartsWith("<", StringComparison.Ordinal)
        && !StandardLibrary().IsMatch(file);

    [GeneratedRegex(@"^\s+File ""(?<file>[^""]+)"", line (?<line>\d+)")]
    private static partial Regex Frame();

    [GeneratedRegex(@"^(?<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Failure|Fault))(?::\s?(?<msg>.*))?$|^(?<type>[A-Za-z_][\w.]*\.[A-Z]\w*)(?::\s?(?<msg>.*))?$")]
    private static partial Regex ExceptionLine();

    [GeneratedRegex(@"(?:^|/)(?:usr/(?:local/)?lib|\.pyenv/versions/[^/]+/lib|Lib|lib)/python\d(?:\.\d+)?/|^/opt/hostedtoolcache/Python/")]
    private static partial Regex StandardLibrary();
}

/// <summary>
/// pytest: one diagnostic per failed test, from the FAILURES section (assertion message and the
/// <c>file:line: Error</c> location) and the short summary's <c>FAILED file::test - message</c> lines.
/// </summary>
internal sealed partial class PytestParser : ToolParser
{
    private readonly Dictionary<string, (string? File, int? Line, string? Message, long Start, long End)> _failures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private bool _inFailures;
    private string? _current;

    public override bool InBlock => _inFailures;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (line.StartsWith("====", StringComparison.Ordinal))
        {
            _inFailures = line.Contains(" FAILURES ", StringComparison.Ordinal) || line.Contains(" ERRORS ", StringComparison.Ordinal);
            _current = null;
            return false;
        }

        if (_inFailures)
        {
            var header = TestHeader().Match(line);
            if (header.Success)
            {
                _current = header.Groups["name"].Value.Trim();
                if (_current.StartsWith("ERROR collecting ", StringComparison.Ordinal))
                {
                    _current = _current["ERROR collecting ".Length..];
                }

                _failures[_current] = (null, null, null, number, number);
                return true;
            }

            if (_current is not null && _failures.TryGetValue(_current, out var failure))
            {
                failure.End = number;
                if (line.StartsWith("E ", StringComparison.Ordinal) && failure.Message is null)
                {
                    failure.Message = line[1..].Trim();
                }
                else if (Location().Match(line) is { Success: true } location && PythonTracebackParser.IsProjectFile(location.Groups["file"].Value))
                {
                    // The last project location of a failure is the innermost frame of the project's code.
                    failure.File = location.Groups["file"].Value;
                    failure.Line = ToInt(location.Groups["line"]);
                    if (location.Groups["type"].Success)
                    {
                        failure.Message ??= location.Groups["type"].Value;
                    }
                }

                _failures[_current] = failure;
                return true;
            }

            return false;
        }

        if (!hasKeyword || !(line.StartsWith("FAILED ", StringComparison.Ordinal) || line.StartsWith("ERROR ", StringComparison.Ordinal)))
        {
            return false;
        }

        var summary = Summary().Match(line);
        if (!summary.Success)
        {
            return false;
        }

        var file = summary.Groups["file"].Value;
        var test = summary.Groups["test"].Value;
        var severity = summary.Groups["kind"].Value;
        // The FAILURES header names a test as "TestClass.test_name" where the summary says "TestClass::test_name".
        var key = test.Length > 0 ? test.Replace("::", ".", StringComparison.Ordinal) : file;
        _failures.TryGetValue(key, out var found);
        var message = ValueOrNull(summary.Groups["msg"]) ?? found.Message ?? (severity == "ERROR" ? "error" : "failed");
        if (_reported.Add($"{file}::{test}"))
        {
            var name = test.Length > 0 ? test : file;
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, found.File ?? file, found.Line, null, null, $"{name}: {message}", "pytest",
                found.Start > 0 ? found.Start : number, found.Start > 0 ? found.End : number));
        }

        _failures.Remove(key);
        return true;
    }

    public override void Flush(IDiagnosticSink sink)
    {
        // Failures without a short-summary line (pytest -q -rN): report them from the FAILURES section.
        foreach (var (name, failure) in _failures)
        {
            if (failure.File is not null)
            {
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, failure.File, failure.Line, null, null, $"{name}: {failure.Message ?? "failed"}", "pytest", failure.Start, failure.End));
            }
        }

        _failures.Clear();
    }

    [GeneratedRegex(@"^_{3,} (?<name>.+?) _{3,}$")]
    private static partial Regex TestHeader();

    [GeneratedRegex(@"^(?<file>[^\s:]+\.py):(?<line>\d+): (?:in \S+|(?<type>\w+))$")]
    private static partial Regex Location();

    [GeneratedRegex(@"^(?<kind>FAILED|ERROR) (?<file>[^\s:]+?)(?:::(?<test>\S+))?(?: - (?<msg>.*))?$")]
    private static partial Regex Summary();
}
