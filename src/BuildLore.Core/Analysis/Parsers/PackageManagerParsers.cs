using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Parsers;

/// <summary>
/// yarn: classic (v1) <c>error message</c> lines, with a Node stack when yarn relays an exception, and
/// berry (v2+) <c>➤ YN0035: │ message</c> reports, whose continuation lines (same code, indented after
/// the bar) belong to the same diagnostic. Berry's <c>YN0000</c> lines are progress, never problems.
/// </summary>
internal sealed partial class YarnParser : ToolParser
{
    private RawDiagnostic? _open;
    private string? _berryCode;

    public override bool InBlock => _open is not null;

    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (_open is not null)
        {
            if (_berryCode is null && line.StartsWith("    at ", StringComparison.Ordinal))
            {
                _open = _open with { EndLine = number }; // the stack of the exception yarn relays
                return true;
            }

            if (_berryCode is not null && Berry().Match(line) is { Success: true } more && more.Groups["code"].Value == _berryCode && more.Groups["indent"].Length > 0)
            {
                _open = _open with { EndLine = number }; // "│   Response Code: 404 (Not Found)"
                return true;
            }

            Finish(sink);
        }

        if (!hasKeyword || line.Length < 7)
        {
            return false;
        }

        if (line[0] == '➤' || line.StartsWith("YN", StringComparison.Ordinal))
        {
            return Berry().Match(line) is { Success: true } berry && StartBerry(berry, number, sink);
        }

        // yarn's messages are sentences ("Couldn't find package...", "Command failed...", "Error: ..."): a
        // capital or a quote after the label, which keeps out lines that merely start with the word.
        if (!line.StartsWith("error ", StringComparison.Ordinal) || !(char.IsAsciiLetterUpper(line[6]) || line[6] == '"'))
        {
            return false;
        }

        var message = line[6..].Trim();
        var code = NetworkCode().Match(message);
        _open = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, code.Success ? code.Value : null, message, "yarn", number, number)
        {
            // "Command failed with exit code 2." only says that the script failed; its own output says why.
            Secondary = ExitOnly().IsMatch(message),
        };
        _berryCode = null;
        if (message.StartsWith("Command \"", StringComparison.Ordinal) && message.EndsWith("not found.", StringComparison.Ordinal))
        {
            sink.Signal(FailureCategory.ConfigError, number, line, 2);
        }
        else if (MissingPackage().IsMatch(message))
        {
            sink.Signal(FailureCategory.MissingDependency, number, line, 2);
        }

        return true;
    }

    private bool StartBerry(Match berry, long number, IDiagnosticSink sink)
    {
        var code = berry.Groups["code"].Value;
        if (!IsBerryError(code))
        {
            return true; // progress, notices and the closing "Failed with errors" line
        }

        _open = new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, code, berry.Groups["msg"].Value.Trim(), "yarn", number, number);
        _berryCode = code;
        if (code is "YN0016" or "YN0027" or "YN0035" or "YN0082")
        {
            sink.Signal(FailureCategory.MissingDependency, number, berry.Value, 2);
        }
        else if (code is "YN0020" or "YN0028" or "YN0046" or "YN0047" or "YN0078")
        {
            sink.Signal(FailureCategory.ConfigError, number, berry.Value, 2);
        }

        return true;
    }

    // The codes yarn's documentation describes as errors (packages not found, resolution, lockfile,
    // cache, build failures); the rest are progress, notices or warnings about peer dependencies.
    private static bool IsBerryError(string code) => code is "YN0001" or "YN0009" or "YN0010" or "YN0011" or "YN0012" or "YN0015" or "YN0016"
        or "YN0018" or "YN0020" or "YN0021" or "YN0023" or "YN0024" or "YN0025" or "YN0026" or "YN0027" or "YN0028" or "YN0035" or "YN0046"
        or "YN0047" or "YN0071" or "YN0075" or "YN0078" or "YN0080" or "YN0081" or "YN0082" or "YN0083";

    private void Finish(IDiagnosticSink sink)
    {
        if (_open is not null)
        {
            sink.Emit(_open);
            _open = null;
            _berryCode = null;
        }
    }

    public override void Flush(IDiagnosticSink sink) => Finish(sink);

    [GeneratedRegex(@"^(?:➤ )?(?<code>YN\d{4}): (?:[│┌└·] ?)?(?<indent>\s*)(?<msg>.*)$")]
    private static partial Regex Berry();

    [GeneratedRegex(@"^(?:Command failed with exit code \d+|Command failed with signal ""?\w+""?|Exit code: \d+)\.?$")]
    private static partial Regex ExitOnly();

    [GeneratedRegex(@"\bE(?:NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|SOCKETTIMEDOUT|HOSTUNREACH|NETUNREACH)\b")]
    private static partial Regex NetworkCode();

    [GeneratedRegex(@"^Couldn't find (?:package|any versions for|a package\.json)|^An unexpected error occurred: "".*: Not found""|^Package "".*"" not found|^Received invalid response from npm")]
    private static partial Regex MissingPackage();
}

/// <summary>
/// pnpm's errors: <c> ERR_PNPM_FETCH_404  GET ...: Not Found - 404</c> (the code between thin spaces),
/// and <c> ELIFECYCLE  Command failed with exit code 2.</c>, which only says that a script failed.
/// </summary>
internal sealed partial class PnpmParser : ToolParser
{
    public override bool Process(string line, long number, bool hasKeyword, IDiagnosticSink sink)
    {
        if (!hasKeyword || !line.Contains("ERR_PNPM_", StringComparison.Ordinal) && !line.Contains("ELIFECYCLE", StringComparison.Ordinal))
        {
            return false;
        }

        var match = Error().Match(line);
        if (!match.Success)
        {
            return false;
        }

        var code = match.Groups["code"].Value;
        var message = match.Groups["msg"].Value.Trim();
        sink.Emit(new RawDiagnostic(DiagnosticSeverity.Error, null, null, null, code, message.Length > 0 ? message : code, "pnpm", number, number)
        {
            // A failed script or a workspace run that stopped at its first failure: the script's output says why.
            Secondary = code is "ELIFECYCLE" || code.EndsWith("_FIRST_FAIL", StringComparison.Ordinal) || code == "ERR_PNPM_RECURSIVE_FAIL",
        });
        switch (code)
        {
            case "ERR_PNPM_FETCH_404" or "ERR_PNPM_NO_MATCHING_VERSION" or "ERR_PNPM_NO_MATCHING_VERSION_INSIDE_WORKSPACE" or "ERR_PNPM_WORKSPACE_PKG_NOT_FOUND"
                or "ERR_PNPM_NO_VERSIONS" or "ERR_PNPM_LINKED_PKG_DIR_NOT_FOUND":
                sink.Signal(FailureCategory.MissingDependency, number, line, 2);
                break;
            case "ERR_PNPM_NO_SCRIPT" or "ERR_PNPM_OUTDATED_LOCKFILE" or "ERR_PNPM_LOCKFILE_CONFIG_MISMATCH" or "ERR_PNPM_BAD_PM_VERSION"
                or "ERR_PNPM_INVALID_WORKSPACE_CONFIGURATION" or "ERR_PNPM_JSON_PARSE":
                sink.Signal(FailureCategory.ConfigError, number, line, 2);
                break;
        }

        return true;
    }

    [GeneratedRegex(@"^\s*\[?(?<code>ERR_PNPM_[A-Z0-9_]+|ELIFECYCLE)\]?(?::|\s)\s*(?<msg>.*)$")]
    private static partial Regex Error();
}
