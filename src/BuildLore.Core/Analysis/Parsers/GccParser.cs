using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// The GNU family: gcc/g++/clang (<c>file:line:col: error: ...</c> with its notes and source excerpt as
/// one block), the linker (<c>undefined reference</c>), make, CMake's configure errors and gfortran.
/// </summary>
internal sealed partial class GccParser : ToolParser
{
    private RawDiagnostic? _open;
    private bool _linkErrorSeen;
    private (string File, int Line, int Column, long LogLine)? _fortranLocation;
    private RawDiagnostic? _cmake;
    private readonly List<string> _cmakeMessage = [];
    private bool _cmakeError;

    public override bool InBlock => _open is not null || _fortranLocation is not null || _cmake is not null;

    private static readonly System.Buffers.SearchValues<string> Markers = System.Buffers.SearchValues.Create(
        ["error:", "warning:", "note:", "undefined reference", "multiple definition", "relocation truncated", "cannot find", "*** ", "CMake "],
        StringComparison.Ordinal);

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_cmake is not null)
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                _cmakeMessage.Add(line.Trim());
                _cmake = _cmake with { EndLine = number };
                return true;
            }

            if (line.Length == 0)
            {
                return true; // CMake separates the paragraphs of one message with blank lines
            }

            FinishCmake(sink);
        }

        if (_fortranLocation is { } location)
        {
            var fortran = FortranMessage().Match(line);
            if (fortran.Success)
            {
                _fortranLocation = null;
                sink.Emit(new RawDiagnostic(
                    fortran.Groups["sev"].Value.StartsWith("Warn", StringComparison.Ordinal) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
                    location.File, location.Line, location.Column, null, fortran.Groups["msg"].Value.Trim(), "gfortran", location.LogLine, number));
                return true;
            }

            if (number - location.LogLine > 8)
            {
                _fortranLocation = null;
            }
            else
            {
                return true; // the source excerpt between location and message
            }
        }

        if (_open is not null)
        {
            if (NoteOrContext().IsMatch(line) || !hasKeyword && IsContinuation(line))
            {
                _open = _open with { EndLine = number };
                return true;
            }

            sink.Emit(_open);
            _open = null;
        }

        var fortranHeader = line.EndsWith(':') ? FortranLocation().Match(line) : Match.Empty;
        if (fortranHeader.Success)
        {
            _fortranLocation = (fortranHeader.Groups["file"].Value, ToInt(fortranHeader.Groups["line"]) ?? 0, ToInt(fortranHeader.Groups["col"]) ?? 0, number);
            return true;
        }

        if (!hasKeyword || line.AsSpan().IndexOfAny(Markers) < 0)
        {
            return false;
        }

        var match = Compiler().Match(line);
        if (match.Success)
        {
            var severity = match.Groups["sev"].Value;
            if (severity == "note")
            {
                return true;
            }

            var message = match.Groups["msg"].Value.Trim();
            var flag = match.Groups["flag"];
            var file = match.Groups["file"].Value;
            // javac prints the same shape; its errors belong to javac, not gcc.
            var tool = file.EndsWith(".java", StringComparison.Ordinal) || file.EndsWith(".kt", StringComparison.Ordinal) || file.EndsWith(".scala", StringComparison.Ordinal) ? "javac" : "gcc";
            // A -W flag names the option that enabled the warning, not a code of the compiler's: it stays in the message.
            _open = new RawDiagnostic(
                severity == "warning" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
                file, ToInt(match.Groups["line"]), ToInt(match.Groups["col"]),
                null, flag.Success ? $"{message} [{flag.Value}]" : message, tool, number, number);
            // gcc: "curl/curl.h: No such file or directory"; clang: "'curl/curl.h' file not found".
            if (severity == "fatal error" && (message.Contains("No such file or directory", StringComparison.Ordinal) || message.EndsWith("file not found", StringComparison.Ordinal)))
            {
                sink.Signal(FailureCategory.MissingDependency, number, line, 2);
            }

            return true;
        }

        match = Linker().Match(line);
        if (match.Success)
        {
            _linkErrorSeen = true;
            var file = ValueOrNull(match.Groups["file"]);
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, file is not null && (file.EndsWith(".o", StringComparison.Ordinal) || file.EndsWith("/ld", StringComparison.Ordinal)) ? null : file,
                ToInt(match.Groups["line"]), null, null, match.Groups["msg"].Value.Trim(), "ld", number, number));
            return true;
        }

        match = LinkerCannotFind().Match(line);
        if (match.Success)
        {
            _linkErrorSeen = true;
            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, match.Groups["msg"].Value.Trim(), "ld", number, number));
            sink.Signal(FailureCategory.MissingDependency, number, line, 2);
            return true;
        }

        match = DriverError().Match(line);
        if (match.Success)
        {
            var message = match.Groups["msg"].Value.Trim();
            var isLinkSummary = message.StartsWith("ld returned", StringComparison.Ordinal);
            if (isLinkSummary && _linkErrorSeen)
            {
                return true;
            }

            sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, message, isLinkSummary ? "ld" : "gcc", number, number));
            return true;
        }

        match = Make().Match(line);
        if (match.Success)
        {
            var target = match.Groups["target"];
            var noRule = match.Groups["norule"];
            if (noRule.Success)
            {
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, null, noRule.Value.Trim(), "make", number, number));
            }
            else if (match.Groups["signal"].Success)
            {
                // The command was killed: nothing else in the log will say why it stopped.
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, ValueOrNull(match.Groups["file"]), ToInt(match.Groups["line"]), null, null,
                    $"target '{target.Value}': {match.Groups["signal"].Value.Trim()}", "make", number, number));
            }
            else
            {
                // "make: *** [target] Error 1" only repeats that a command failed: secondary to the command's own errors.
                sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, ValueOrNull(match.Groups["file"]), ToInt(match.Groups["line"]), null, null,
                    $"target '{target.Value}' failed (Error {match.Groups["code"].Value})", "make", number, number) { Secondary = true });
            }

            return true;
        }

        match = CMake().Match(line);
        if (match.Success)
        {
            var severity = match.Groups["sev"].Value.StartsWith("Error", StringComparison.Ordinal) ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
            var inline = match.Groups["inline"].Value.Trim();
            _cmake = new RawDiagnostic(severity, ValueOrNull(match.Groups["file"]), ToInt(match.Groups["line"]), null, null, inline, "cmake", number, number);
            _cmakeMessage.Clear();
            if (inline.Length > 0 && !match.Groups["file"].Success)
            {
                FinishCmake(sink);
            }

            if (severity == DiagnosticSeverity.Error)
            {
                sink.Signal(FailureCategory.ConfigError, number, line, 1.5);
            }

            _cmakeError = severity == DiagnosticSeverity.Error;

            return true;
        }

        return false;
    }

    private void FinishCmake(IDiagnosticSink sink)
    {
        if (_cmake is null)
        {
            return;
        }

        var message = string.Join(' ', _cmakeMessage.Where(m => m.Length > 0));
        if (_cmakeError && (message.Contains("Could not find a package", StringComparison.Ordinal) || message.Contains("Could NOT find", StringComparison.Ordinal)))
        {
            sink.Signal(FailureCategory.MissingDependency, _cmake.StartLine, message, 3);
        }

        if (message.Length == 0)
        {
            message = _cmake.Message;
        }

        sink.Emit(_cmake with { Message = message.Length > 0 ? message : "CMake error" });
        _cmake = null;
        _cmakeMessage.Clear();
    }

    private static bool IsContinuation(string line) =>
        line.Length > 0 && (line[0] == ' ' || line[0] == '\t' || line[0] == '|')
        || line.StartsWith("In file included from", StringComparison.Ordinal);

    public override void Flush(IDiagnosticSink sink)
    {
        if (_open is not null)
        {
            sink.Emit(_open);
            _open = null;
        }

        FinishCmake(sink);
    }

    // An optional leading ':' tolerates Gradle 4, which prints ":compileJava" with no newline before javac's output.
    [GeneratedRegex(@"^:?(?<file>[^\s:][^:]*?):(?<line>\d+):(?:(?<col>\d+):)? (?<sev>fatal error|error|warning|note): (?<msg>.*?)(?: \[(?<flag>-W[\w=+\-]+)\])?$")]
    private static partial Regex Compiler();

    [GeneratedRegex(@"^(?:\S*ld(?:\.\w+)?: )?(?:[^\s:]+\.o: )?(?<file>[^\s:()]+)?(?::(?<line>\d+)|:\([^)]*\))?: (?<msg>(?:undefined reference to|multiple definition of|relocation truncated) .*)$")]
    private static partial Regex Linker();

    [GeneratedRegex(@"^(?:\S*/)?ld(?:\.\w+)?: (?<msg>cannot find .*)$")]
    private static partial Regex LinkerCannotFind();

    [GeneratedRegex(@"^(?:\S*/)?(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+|cc1|cc1plus|collect2|clang-\d+): (?:fatal )?error: (?<msg>.*)$")]
    private static partial Regex DriverError();

    [GeneratedRegex(@"^(?:g|gnu)?make(?:\[\d+\])?: \*\*\* (?:\[(?:(?<file>[^:\]\s]+):(?<line>\d+): )?(?<target>[^\]]+)\] (?:Error (?<code>\d+)|(?<signal>Killed|Segmentation fault.*|Terminated|Aborted.*|Bus error.*|Illegal instruction.*))|(?<norule>No rule to make target .*))")]
    private static partial Regex Make();

    [GeneratedRegex(@"^CMake (?<sev>Error|Warning(?: \(dev\))?)(?: at (?<file>[^:]+):(?<line>\d+) \([^)]*\))?:\s*(?<inline>.*)$")]
    private static partial Regex CMake();

    [GeneratedRegex(@"^(?<file>[^\s:]+\.(?:f|for|f77|f90|f95|f03|f08|F|F90)):(?<line>\d+):(?<col>\d+):\s*$")]
    private static partial Regex FortranLocation();

    [GeneratedRegex(@"^(?<sev>Error|Warning|Fatal Error): (?<msg>.*)$")]
    private static partial Regex FortranMessage();

    [GeneratedRegex(@"^[^\s:][^:]*?:(?:\d+:)*\s*(?:note|required from|In function|In member function|In instantiation|In constructor|At global scope)|^[^\s:][^:]*?: In (?:function|member function|instantiation|constructor|static member function)|^[^\s:][^:]*?:\d+:\d+:\s+required ")]
    private static partial Regex NoteOrContext();
}
