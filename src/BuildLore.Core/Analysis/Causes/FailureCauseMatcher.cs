using System.Globalization;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Causes;

/// <summary>
/// Finds known failure causes in one log, line by line, with Jenkins Build Failure Analyzer semantics:
/// a cause is found when ANY of its indications matches a whole line; each indication keeps only its
/// first matching line (and captured groups) as evidence. Stateful: use one per log; not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="FoundCause.Description"/> expands <c>${I,G}</c> (whitespace allowed inside the braces) to
/// group <c>G</c> (0 = the whole line) of the first line matched by indication <c>I</c>, both 1-based as
/// in BFA. A token whose indication did not match, whose group does not exist or did not participate, is
/// replaced by nothing; <c>\${I,G}</c> stays as the literal text <c>${I,G}</c>. Difference from BFA: BFA
/// expands only the tokens of the earliest found indication and blanks the others, here every matched
/// indication fills its own tokens (identical whenever a single indication matched).
/// </para>
/// <para>
/// <see cref="Results"/> lists causes by their earliest evidence line (then definition order); each
/// cause's evidence is in log order.
/// </para>
/// </remarks>
public sealed partial class FailureCauseMatcher
{
    private readonly CauseState[] _causes;
    private IReadOnlyList<FoundCause>? _results;
    private int _pending;

    /// <summary>Creates a matcher for one log; pass <see cref="FailureCauseLoader.BuiltIn"/> for the built-in causes.</summary>
    public FailureCauseMatcher(IEnumerable<FailureCause> causes)
    {
        ArgumentNullException.ThrowIfNull(causes);
        _causes = causes.Select(c => new CauseState(c)).ToArray();
        _pending = _causes.Sum(c => c.Cause.Indications.Count);
    }

    /// <summary>The causes found so far.</summary>
    public IReadOnlyList<FoundCause> Results => _results ??= BuildResults();

    /// <summary>Feeds the next line (without its newline).</summary>
    /// <param name="line">The log line.</param>
    /// <param name="logLineNumber">The line's number in the log, kept as evidence.</param>
    public void ProcessLine(string line, long logLineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (_pending == 0)
        {
            return;
        }

        foreach (var state in _causes)
        {
            var indications = state.Cause.Indications;
            for (var i = 0; i < indications.Count; i++)
            {
                if (state.Found[i] is not null)
                {
                    continue;
                }

                Match match;
                try
                {
                    match = indications[i].Regex.Match(line);
                }
                catch (RegexMatchTimeoutException)
                {
                    continue; // BFA logs the timeout and moves on; so do we.
                }

                if (!match.Success)
                {
                    continue;
                }

                var groups = new string[match.Groups.Count];
                for (var g = 0; g < groups.Length; g++)
                {
                    groups[g] = match.Groups[g].Value;
                }

                state.Found[i] = new FoundIndication(indications[i].Number, indications[i].Pattern, logLineNumber, line, groups);
                state.FirstLine ??= logLineNumber;
                _pending--;
                _results = null;
            }
        }
    }

    private List<FoundCause> BuildResults()
    {
        var found = new List<(long FirstLine, int Order, FoundCause Cause)>();
        for (var order = 0; order < _causes.Length; order++)
        {
            var state = _causes[order];
            if (state.FirstLine is not { } firstLine)
            {
                continue;
            }

            var evidence = state.Found
                .OfType<FoundIndication>()
                .OrderBy(f => f.LogLine)
                .ThenBy(f => f.IndicationNumber)
                .ToArray();
            var cause = new FoundCause(
                state.Cause.Name,
                ExpandDescription(state.Cause.Description, state.Found),
                state.Cause.Categories,
                evidence);
            found.Add((firstLine, order, cause));
        }

        return found.OrderBy(f => f.FirstLine).ThenBy(f => f.Order).Select(f => f.Cause).ToList();
    }

    /// <summary>Expands <c>${I,G}</c> tokens from the first match of each indication (index I-1 of <paramref name="found"/>).</summary>
    internal static string ExpandDescription(string description, IReadOnlyList<FoundIndication?> found)
    {
        if (!description.Contains("${", StringComparison.Ordinal))
        {
            return description;
        }

        return TokenRegex().Replace(description, token =>
        {
            if (token.Groups["escape"].Success)
            {
                return token.Value[1..]; // "\${1,2}" stays as the literal "${1,2}"
            }

            if (!int.TryParse(token.Groups["i"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var indication)
                || !int.TryParse(token.Groups["g"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var group)
                || indication < 1
                || indication > found.Count
                || found[indication - 1] is not { } match
                || group >= match.Groups.Count)
            {
                return string.Empty;
            }

            return match.Groups[group];
        });
    }

    [GeneratedRegex(@"(?<escape>\\)?\$\{\s*(?<i>\d+)\s*,\s*(?<g>\d+)\s*\}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex TokenRegex();

    private sealed class CauseState(FailureCause cause)
    {
        public FailureCause Cause { get; } = cause;

        public FoundIndication?[] Found { get; } = new FoundIndication?[cause.Indications.Count];

        public long? FirstLine { get; set; }
    }
}
