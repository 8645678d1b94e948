using System.Globalization;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Matchers;

/// <summary>
/// Runs problem matchers over one log, line by line, the way the GitHub Actions runner does
/// (<c>IssueMatcher.Match</c> and <c>OutputManager</c> in actions/runner). Stateful: use one per log;
/// not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Per line: ANSI escape sequences (colors, gcc's erase-line) are stripped; matchers are tried in order and the first whose match yields a
/// problem wins the line (at most one problem per line); whenever a matcher matches, every other matcher's
/// partial multi-line state is reset. A multi-line matcher carries fields captured by earlier patterns
/// into later ones (earlier captures win); a problem is complete only when the last pattern matches; a
/// <c>loop</c> last pattern emits one problem per consecutive matching line, all sharing the earlier
/// patterns' fields, and a line matching neither ends the loop.
/// </para>
/// <para>
/// As in the runner a problem is dropped when its message is empty or whitespace, or its severity is not
/// <c>error</c>/<c>warning</c>/<c>notice</c> (case-insensitive); an empty severity takes the matcher's
/// default, else <c>error</c>. Line and column must be plain non-negative integers or are left null.
/// Unlike the runner, the file is not rooted against a workspace or checked to exist: it is kept as
/// captured (joined to the directory of <c>fromPath</c> when relative).
/// </para>
/// <para>
/// A regex that exceeds its match timeout skips that line for that matcher and resets its partial state;
/// after <see cref="MaxTimeouts"/> timeouts the matcher is disabled for the rest of the log (the runner
/// removes a matcher after 3 failed attempts).
/// </para>
/// </remarks>
public sealed partial class ProblemMatcherRunner
{
    /// <summary>Timeouts after which a matcher is disabled for the rest of the log.</summary>
    public const int MaxTimeouts = 3;

    private readonly MatcherState[] _states;
    private readonly List<string> _disabled = [];

    /// <summary>Creates a runner for one log.</summary>
    public ProblemMatcherRunner(IEnumerable<ProblemMatcher> matchers)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        _states = matchers.Select(m => new MatcherState(m)).ToArray();
    }

    /// <summary>Owners of matchers disabled after <see cref="MaxTimeouts"/> regex timeouts.</summary>
    public IReadOnlyList<string> DisabledMatchers => _disabled;

    /// <summary>Feeds the next line (without its newline) and returns the problems it completed.</summary>
    /// <param name="line">The log line.</param>
    /// <param name="logLineNumber">The line's number in the log, reported back in the problems.</param>
    public IReadOnlyList<MatchedProblem> ProcessLine(string line, long logLineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (_states.Length == 0)
        {
            return [];
        }

        var text = line.Contains("\u001b[", StringComparison.Ordinal) ? AnsiColorRegex().Replace(line, string.Empty) : line;
        foreach (var state in _states)
        {
            if (state.Disabled)
            {
                continue;
            }

            PartialMatch? match;
            try
            {
                match = state.Match(text, logLineNumber);
            }
            catch (RegexMatchTimeoutException)
            {
                state.Reset();
                if (++state.Timeouts >= MaxTimeouts)
                {
                    state.Disabled = true;
                    _disabled.Add(state.Matcher.Owner);
                }

                continue;
            }

            if (match is null)
            {
                continue;
            }

            foreach (var other in _states)
            {
                if (!ReferenceEquals(other, state))
                {
                    other.Reset();
                }
            }

            if (ToProblem(state.Matcher.Owner, match, logLineNumber) is { } problem)
            {
                return [problem];
            }
        }

        return [];
    }

    /// <summary>
    /// Ends the log. A multi-line match still waiting for its last pattern is not a problem (the runner
    /// never reports one either), so this only discards partial state and returns an empty list; the
    /// runner can then be reused for another log.
    /// </summary>
    public IReadOnlyList<MatchedProblem> Flush()
    {
        foreach (var state in _states)
        {
            state.Reset();
        }

        return [];
    }

    private static MatchedProblem? ToProblem(string owner, PartialMatch match, long logLineNumber)
    {
        if (string.IsNullOrWhiteSpace(match.Message))
        {
            return null;
        }

        var severity = string.IsNullOrEmpty(match.Severity) ? "error" : ProblemMatcherLoader.NormalizeSeverity(match.Severity);
        if (severity is null)
        {
            return null;
        }

        return new MatchedProblem(
            owner,
            severity,
            ResolveFile(match.File, match.FromPath),
            ParseNumber(match.Line),
            ParseNumber(match.Column),
            string.IsNullOrWhiteSpace(match.Code) ? null : match.Code.Trim(),
            match.Message,
            match.StartLogLine,
            logLineNumber);
    }

    private static int? ParseNumber(string? value) =>
        !string.IsNullOrEmpty(value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static string? ResolveFile(string? file, string? fromPath)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(fromPath) || IsRooted(file))
        {
            return file;
        }

        var separator = fromPath.AsSpan().LastIndexOfAny('/', '\\');
        return separator <= 0 ? file : string.Concat(fromPath.AsSpan(0, separator + 1), file);
    }

    private static bool IsRooted(string path) =>
        path[0] is '/' or '\\' || (path.Length > 1 && char.IsAsciiLetter(path[0]) && path[1] == ':');

    // Whole CSI sequences: the runner's \x1B\[[0-9;]*m? would leave the K of gcc's ESC[K behind.
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]", RegexOptions.CultureInvariant)]
    private static partial Regex AnsiColorRegex();

    /// <summary>Fields captured so far by a (possibly multi-line) match.</summary>
    private sealed class PartialMatch
    {
        public PartialMatch(PartialMatch? running, ProblemPattern pattern, GroupCollection groups, long logLineNumber, string? defaultSeverity)
        {
            // Earlier patterns' captures win, as in the runner.
            File = running?.File ?? Value(groups, pattern.File);
            FromPath = running?.FromPath ?? Value(groups, pattern.FromPath);
            Line = running?.Line ?? Value(groups, pattern.Line);
            Column = running?.Column ?? Value(groups, pattern.Column);
            Severity = running?.Severity ?? Value(groups, pattern.Severity);
            Code = running?.Code ?? Value(groups, pattern.Code);
            Message = running?.Message ?? Value(groups, pattern.Message);
            StartLogLine = running?.StartLogLine ?? logLineNumber;
            if (string.IsNullOrEmpty(Severity) && !string.IsNullOrEmpty(defaultSeverity))
            {
                Severity = defaultSeverity;
            }
        }

        public string? File { get; }

        public string? FromPath { get; }

        public string? Line { get; }

        public string? Column { get; }

        public string? Severity { get; }

        public string? Code { get; }

        public string? Message { get; }

        public long StartLogLine { get; }

        private static string? Value(GroupCollection groups, int? index) =>
            index is { } i && i < groups.Count ? groups[i].Value : null;
    }

    private sealed class MatcherState
    {
        // _running[i] holds the match in progress after pattern i matched (for all but the last pattern).
        private PartialMatch?[] _running;

        public MatcherState(ProblemMatcher matcher)
        {
            Matcher = matcher;
            _running = new PartialMatch?[matcher.Patterns.Count - 1];
        }

        public ProblemMatcher Matcher { get; }

        public int Timeouts { get; set; }

        public bool Disabled { get; set; }

        public void Reset()
        {
            if (_running.Length > 0)
            {
                _running = new PartialMatch?[_running.Length];
            }
        }

        /// <summary>Returns a complete match ending at this line, or null.</summary>
        public PartialMatch? Match(string line, long logLineNumber)
        {
            var patterns = Matcher.Patterns;
            if (patterns.Count == 1)
            {
                var single = patterns[0].Regex.Match(line);
                return single.Success ? new PartialMatch(null, patterns[0], single.Groups, logLineNumber, Matcher.DefaultSeverity) : null;
            }

            // Last pattern first, so one line cannot advance a match by two patterns.
            for (var i = patterns.Count - 1; i >= 0; i--)
            {
                var running = i > 0 ? _running[i - 1] : null;
                if (i > 0 && running is null)
                {
                    continue;
                }

                var pattern = patterns[i];
                var isLast = i == patterns.Count - 1;
                var regexMatch = pattern.Regex.Match(line);
                if (regexMatch.Success)
                {
                    if (isLast)
                    {
                        Reset();
                        if (pattern.Loop)
                        {
                            // Keep the running match so the next line may loop again.
                            _running[i - 1] = running;
                        }

                        return new PartialMatch(running, pattern, regexMatch.Groups, logLineNumber, Matcher.DefaultSeverity);
                    }

                    _running[i] = new PartialMatch(running, pattern, regexMatch.Groups, logLineNumber, defaultSeverity: null);
                }
                else if (isLast)
                {
                    _running[i - 1] = null;
                }
                else
                {
                    _running[i] = null;
                }
            }

            return null;
        }
    }
}
