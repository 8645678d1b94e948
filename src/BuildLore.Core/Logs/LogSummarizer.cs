using System.Text;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Logs;

/// <summary>
/// Builds a <see cref="LogSummary"/> from log text fed in pieces of any size, so a log is never
/// held whole in memory. A line counts as an error or warning only when a tool labelled it so
/// (<c>error CS0103:</c>, <c>file.c:3:5: error:</c>, <c>error[E0308]:</c>, <c>npm ERR!</c>, ...);
/// totals such as <c>0 Error(s)</c>, flags such as <c>-Werror</c> and names such as
/// <c>ErrorHandler.cs</c> are not. Identical lines count once, which folds MSBuild's
/// end-of-build repetition of every diagnostic.
/// </summary>
public sealed partial class LogSummarizer
{
    /// <summary>How many error (and warning) lines the summary lists; the counts go on past it.</summary>
    public const int MaxListedLines = 200;

    /// <summary>Lines longer than this are cut before they are classified or listed.</summary>
    public const int MaxLineLength = 4096;

    // Past this many distinct lines we stop remembering them, so memory stays bounded on huge logs.
    private const int MaxRemembered = 20_000;

    private readonly StringBuilder _partial = new();
    private readonly HashSet<string> _seenErrors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenWarnings = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];
    private long _lines;
    private long _errorCount;
    private long _warningCount;
    private bool _endsWithNewline = true;

    /// <summary>Feeds the next piece of the log; pieces may split lines anywhere.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        _endsWithNewline = text[^1] == '\n';
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                AppendPartial(text);
                return;
            }

            var piece = text[..newline];
            if (_partial.Length > 0)
            {
                AppendPartial(piece);
                CompleteLine(_partial.ToString());
                _partial.Clear();
            }
            else
            {
                CompleteLine(piece);
            }

            text = text[(newline + 1)..];
        }
    }

    /// <summary>Ends the log and returns its summary. The summarizer may keep being fed afterwards.</summary>
    public LogSummary GetSummary()
    {
        var lines = _lines;
        long errors = _errorCount, warnings = _warningCount;
        List<string> errorList = [.. _errors], warningList = [.. _warnings];
        if (_partial.Length > 0 || !_endsWithNewline)
        {
            // The last line had no newline: count it without consuming it.
            lines++;
            var last = _partial.ToString();
            switch (Classify(last))
            {
                case LineKind.Error when !_seenErrors.Contains(Normalize(last)):
                    errors++;
                    if (errorList.Count < MaxListedLines) errorList.Add(Normalize(last));
                    break;
                case LineKind.Warning when !_seenWarnings.Contains(Normalize(last)):
                    warnings++;
                    if (warningList.Count < MaxListedLines) warningList.Add(Normalize(last));
                    break;
            }
        }

        return new LogSummary(lines, errors, warnings, errorList, warningList);
    }

    /// <summary>Summarizes a whole text at once.</summary>
    public static LogSummary Summarize(string text)
    {
        var summarizer = new LogSummarizer();
        summarizer.Append(text);
        return summarizer.GetSummary();
    }

    /// <summary>Summarizes a log read piece by piece.</summary>
    public static async Task<LogSummary> SummarizeAsync(IAsyncEnumerable<string> pieces, CancellationToken cancellationToken = default)
    {
        var summarizer = new LogSummarizer();
        await foreach (var piece in pieces.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            summarizer.Append(piece);
        }

        return summarizer.GetSummary();
    }

    private void AppendPartial(ReadOnlySpan<char> text)
    {
        var room = MaxLineLength + 1 - _partial.Length;
        if (room > 0)
        {
            _partial.Append(text[..Math.Min(room, text.Length)]);
        }
    }

    private void CompleteLine(ReadOnlySpan<char> line)
    {
        _lines++;
        switch (Classify(line))
        {
            case LineKind.Error:
                Record(line, _seenErrors, _errors, ref _errorCount);
                break;
            case LineKind.Warning:
                Record(line, _seenWarnings, _warnings, ref _warningCount);
                break;
        }
    }

    private static void Record(ReadOnlySpan<char> line, HashSet<string> seen, List<string> listed, ref long count)
    {
        var text = Normalize(line);
        if (seen.Count < MaxRemembered)
        {
            if (!seen.Add(text))
            {
                return;
            }
        }
        else if (seen.Contains(text))
        {
            return;
        }

        count++;
        if (listed.Count < MaxListedLines)
        {
            listed.Add(text);
        }
    }

    private static string Normalize(ReadOnlySpan<char> line)
    {
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        var text = AnsiEscape().Replace(line.ToString(), string.Empty);
        return text.Trim();
    }

    internal static LineKind Classify(ReadOnlySpan<char> line)
    {
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        // Cheap pre-check: most lines mention neither word.
        if (line.IndexOfAny(FirstLetters) < 0)
        {
            return LineKind.None;
        }

        var text = line.ToString();
        if (text.Contains('\u001b', StringComparison.Ordinal))
        {
            text = AnsiEscape().Replace(text, string.Empty);
        }

        if (CargoTotalsLine().IsMatch(text))
        {
            return LineKind.None;
        }

        if (ErrorLine().IsMatch(text))
        {
            return LineKind.Error;
        }

        return WarningLine().IsMatch(text) ? LineKind.Warning : LineKind.None;
    }

    private static readonly System.Buffers.SearchValues<char> FirstLetters =
        System.Buffers.SearchValues.Create("eEwWfFpPuU");

    internal enum LineKind { None, Error, Warning }

    // "error" as a label: at a line start or after a separator, optionally with a code, then ':' '[' or ' -'.
    // Not preceded by a letter, digit, '_', '-', '.' or '/' (so -Werror, test_error, my-error, error.ts don't match),
    // and not "Error(s)" (the MSBuild totals line).
    [GeneratedRegex(
        """(?:(?<![\w\-./])(?:fatal\s+)?error(?:\s+[A-Z]+[0-9]+)?(?:\[[A-Za-z]*[0-9]+\])?\s*:|(?<![\w\-./])error\[[A-Za-z]*[0-9]+\]|\bnpm\s+ERR!|\bERR!\s|\bundefined reference to\b|\bld returned [1-9]\d* exit status|\bpanicked at\b|^\s*Traceback \(most recent call last\)|^\s*FAILED\s|\bFAIL(?:ED)?:\s|^make(?:\[\d+\])?: \*\*\*)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(
        """(?<![\w\-./])warning(?:\s+[A-Z]+[0-9]+)?(?:\[[A-Za-z\-]*[0-9]*\])?\s*:""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WarningLine();

    // Cargo's per-crate totals repeat what rustc already reported, like MSBuild's "1 Error(s)".
    [GeneratedRegex(
        """^\s*(?:warning: `[^`]+` \(.*\) generated \d+ warnings?\b|error: could not compile `[^`]+` .*\bdue to \d+ previous errors?\b)""",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CargoTotalsLine();

    [GeneratedRegex("""\x1b\[[0-9;?]*[A-Za-z]""")]
    private static partial Regex AnsiEscape();
}
