using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Matchers;

/// <summary>
/// Loads and validates GitHub Actions problem matcher files
/// (<c>{"problemMatcher":[{"owner":…,"severity":…,"pattern":[{"regexp":…,"file":1,…}]}]}</c>).
/// </summary>
/// <remarks>
/// Validation mirrors the Actions runner (<c>IssueMatchersConfig</c>, <c>IssueMatcherConfig</c> and
/// <c>IssuePatternConfig.Validate</c> in actions/runner <c>src/Runner.Worker/IssueMatcher.cs</c>), in its
/// order: owner not empty; default severity empty, <c>error</c>, <c>warning</c> or <c>notice</c>; at least
/// one pattern; <c>loop</c> only on the last pattern of a multi-line matcher; a loop pattern sets
/// <c>message</c>; the regexp compiles; no property set by two patterns; no group number below 0 or at or
/// past the regex's group count; some pattern sets <c>message</c>; owners distinct (case-insensitive).
/// Two rules are added: <c>regexp</c> must be present and non-empty (the toolkit's problem-matchers.md
/// marks it required; the runner would treat it as an empty pattern that matches every line), and the
/// document must have a <c>problemMatcher</c> array (the runner silently loads nothing). Property names
/// are case-insensitive; JSON comments and trailing commas are allowed; unknown properties are ignored.
/// Regexes use the runner's options (<see cref="RegexOptions.ECMAScript"/> |
/// <see cref="RegexOptions.CultureInvariant"/>) plus a match timeout.
/// </remarks>
public static class ProblemMatcherLoader
{
    /// <summary>Per-line match timeout used by <see cref="Load(string)"/>.</summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(200);

    internal const RegexOptions Options = RegexOptions.ECMAScript | RegexOptions.CultureInvariant;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly string[] GroupProperties = ["file", "line", "column", "severity", "code", "message", "fromPath"];

    /// <summary>Parses and validates a problem matcher file, with <see cref="DefaultMatchTimeout"/>.</summary>
    /// <exception cref="ProblemMatcherException">The JSON is malformed or a definition breaks a rule.</exception>
    public static IReadOnlyList<ProblemMatcher> Load(string json) => Load(json, DefaultMatchTimeout);

    /// <summary>Parses and validates a problem matcher file; each regex match gets at most <paramref name="matchTimeout"/>.</summary>
    /// <exception cref="ProblemMatcherException">The JSON is malformed or a definition breaks a rule.</exception>
    public static IReadOnlyList<ProblemMatcher> Load(string json, TimeSpan matchTimeout)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (matchTimeout <= TimeSpan.Zero && matchTimeout != Regex.InfiniteMatchTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(matchTimeout), "The match timeout must be positive.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ProblemMatcherException($"The problem matcher file is not valid JSON: {ex.Message}", null, null, null, ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProblemMatcherException("The problem matcher file must be a JSON object.");
            }

            var rootProperties = Properties(root);
            if (!rootProperties.TryGetValue("problemMatcher", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                throw new ProblemMatcherException("The problem matcher file must have a 'problemMatcher' array.");
            }

            var matchers = new List<ProblemMatcher>();
            var owners = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var matcher = LoadMatcher(element, index, matchTimeout);
                if (!owners.Add(matcher.Owner))
                {
                    throw Fail(index, matcher.Owner, null, $"Duplicate owner name '{matcher.Owner}'");
                }

                matchers.Add(matcher);
                index++;
            }

            return matchers;
        }
    }

    private static ProblemMatcher LoadMatcher(JsonElement element, int index, TimeSpan matchTimeout)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(index, null, null, "A matcher must be a JSON object");
        }

        var properties = Properties(element);
        var owner = OptionalString(properties, "owner", index, null, null);
        if (string.IsNullOrEmpty(owner))
        {
            throw Fail(index, null, null, "Owner must not be empty");
        }

        var severity = OptionalString(properties, "severity", index, owner, null);
        string? defaultSeverity = null;
        if (!string.IsNullOrEmpty(severity))
        {
            defaultSeverity = NormalizeSeverity(severity)
                ?? throw Fail(index, owner, null, $"Matcher '{owner}' contains unexpected default severity '{severity}'");
        }

        if (!properties.TryGetValue("pattern", out var patternArray) || patternArray.ValueKind == JsonValueKind.Null)
        {
            throw Fail(index, owner, null, $"Matcher '{owner}' does not contain any patterns");
        }

        if (patternArray.ValueKind != JsonValueKind.Array)
        {
            throw Fail(index, owner, null, "The property 'pattern' must be an array of patterns");
        }

        var count = patternArray.GetArrayLength();
        if (count == 0)
        {
            throw Fail(index, owner, null, $"Matcher '{owner}' does not contain any patterns");
        }

        var setBy = new Dictionary<string, int>(StringComparer.Ordinal);
        var patterns = new List<ProblemPattern>(count);
        var patternIndex = 0;
        foreach (var patternElement in patternArray.EnumerateArray())
        {
            var isFirst = patternIndex == 0;
            var isLast = patternIndex == count - 1;
            patterns.Add(LoadPattern(patternElement, index, owner, patternIndex, isFirst, isLast, setBy, matchTimeout));
            patternIndex++;
        }

        if (!setBy.ContainsKey("message"))
        {
            throw Fail(index, owner, null, "At least one pattern must set 'message'");
        }

        return new ProblemMatcher(owner, defaultSeverity, patterns);
    }

    private static ProblemPattern LoadPattern(
        JsonElement element,
        int matcherIndex,
        string owner,
        int patternIndex,
        bool isFirst,
        bool isLast,
        Dictionary<string, int> setBy,
        TimeSpan matchTimeout)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(matcherIndex, owner, patternIndex, "A pattern must be a JSON object");
        }

        var properties = Properties(element);
        var loop = false;
        if (properties.TryGetValue("loop", out var loopElement) && loopElement.ValueKind != JsonValueKind.Null)
        {
            loop = loopElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail(matcherIndex, owner, patternIndex, "The property 'loop' must be true or false"),
            };
        }

        var groups = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var name in GroupProperties)
        {
            groups[name] = OptionalInt(properties, name, matcherIndex, owner, patternIndex);
        }

        // Only the last pattern in a multiline matcher may set 'loop'.
        if (loop && (isFirst || !isLast))
        {
            throw Fail(matcherIndex, owner, patternIndex, "Only the last pattern in a multiline matcher may set 'loop'");
        }

        if (loop && groups["message"] is null)
        {
            throw Fail(matcherIndex, owner, patternIndex, "The loop pattern must set 'message'");
        }

        var regexp = OptionalString(properties, "regexp", matcherIndex, owner, patternIndex);
        if (string.IsNullOrEmpty(regexp))
        {
            throw Fail(matcherIndex, owner, patternIndex, "The property 'regexp' is required");
        }

        Regex regex;
        try
        {
            regex = new Regex(regexp, Options, matchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw Fail(matcherIndex, owner, patternIndex, $"The regexp '{regexp}' is invalid: {ex.Message}", ex);
        }

        var groupCount = regex.GetGroupNumbers().Length;
        foreach (var name in GroupProperties)
        {
            if (groups[name] is not { } value)
            {
                continue;
            }

            if (setBy.TryGetValue(name, out var earlier))
            {
                throw Fail(matcherIndex, owner, patternIndex, $"The property '{name}' is set twice (already set by pattern {earlier})");
            }

            if (value < 0 || value >= groupCount)
            {
                throw Fail(matcherIndex, owner, patternIndex, $"The property '{name}' is set to {value} which is out of range");
            }

            setBy[name] = patternIndex;
        }

        return new ProblemPattern(
            regexp,
            regex,
            file: groups["file"],
            fromPath: groups["fromPath"],
            line: groups["line"],
            column: groups["column"],
            severity: groups["severity"],
            code: groups["code"],
            message: groups["message"],
            loop: loop);
    }

    /// <summary>Maps a severity to <c>error</c>/<c>warning</c>/<c>notice</c> (case-insensitive), else null.</summary>
    internal static string? NormalizeSeverity(string severity)
    {
        if (string.Equals(severity, "error", StringComparison.OrdinalIgnoreCase))
        {
            return "error";
        }

        if (string.Equals(severity, "warning", StringComparison.OrdinalIgnoreCase))
        {
            return "warning";
        }

        return string.Equals(severity, "notice", StringComparison.OrdinalIgnoreCase) ? "notice" : null;
    }

    private static Dictionary<string, JsonElement> Properties(JsonElement element)
    {
        // Case-insensitive names, last one wins (as the runner's JSON reader does).
        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            properties[property.Name] = property.Value;
        }

        return properties;
    }

    private static string? OptionalString(
        Dictionary<string, JsonElement> properties, string name, int matcherIndex, string? owner, int? patternIndex)
    {
        if (!properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fail(matcherIndex, owner, patternIndex, $"The property '{name}' must be a string");
    }

    private static int? OptionalInt(
        Dictionary<string, JsonElement> properties, string name, int matcherIndex, string? owner, int? patternIndex)
    {
        if (!properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Fail(matcherIndex, owner, patternIndex, $"The property '{name}' must be an integer group number");
    }

    private static ProblemMatcherException Fail(int matcherIndex, string? owner, int? patternIndex, string rule, Exception? inner = null)
    {
        var where = owner is null
            ? $"problemMatcher[{matcherIndex.ToString(CultureInfo.InvariantCulture)}]"
            : $"problemMatcher[{matcherIndex.ToString(CultureInfo.InvariantCulture)}] (owner '{owner}')";
        if (patternIndex is { } p)
        {
            where += $", pattern[{p.ToString(CultureInfo.InvariantCulture)}]";
        }

        return new ProblemMatcherException($"{where}: {rule}", matcherIndex, owner, patternIndex, inner);
    }
}
