using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Causes;

/// <summary>
/// Loads a failure cause knowledge base:
/// <c>{"causes":[{"name":…,"description":…,"categories":[…],"indications":[{"pattern":…}]}]}</c>.
/// </summary>
/// <remarks>
/// <para>
/// Validation follows Jenkins' Build Failure Analyzer (<c>FailureCause.validate</c>, <c>doCheckName</c>,
/// <c>doCheckDescription</c>, <c>Indication.IndicationDescriptor.checkPattern</c>): a name is required and
/// unique (ordinal, as BFA compares names), a description is required, at least one indication is
/// required, and every pattern must be non-empty and compile. Categories, optional, must be among
/// <see cref="FailureCategory.All"/> (the vocabulary the log analyzer uses; matched case-insensitively, stored lower case; BFA allows any
/// text). Property names are case-insensitive; comments and trailing commas are allowed; unknown
/// properties (such as BFA's <c>comment</c>) are ignored.
/// </para>
/// <para>
/// As in BFA (<c>FailureReader</c> uses <c>Matcher.matches()</c>), a pattern must match the WHOLE line,
/// hence the customary <c>.*text.*</c>. Patterns run on the non-backtracking engine; a pattern that needs
/// the backtracking engine (lookarounds, backreferences) runs there with a
/// <see cref="BacktrackingMatchTimeout"/>, and a line that times out is skipped for that indication.
/// </para>
/// </remarks>
public static class FailureCauseLoader
{
    /// <summary>Match timeout for patterns that cannot use the non-backtracking engine.</summary>
    public static readonly TimeSpan BacktrackingMatchTimeout = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan NonBacktrackingMatchTimeout = TimeSpan.FromSeconds(2);

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly Lazy<IReadOnlyList<FailureCause>> BuiltInCauses = new(() => Load(BuiltInJson, builtIn: true));

    /// <summary>
    /// Built-in causes: disk full (infrastructure), out of memory / killed (crash), segmentation fault
    /// (crash), network failure (network_error), runner lost (infrastructure), timeout (timeout).
    /// </summary>
    public static IReadOnlyList<FailureCause> BuiltIn => BuiltInCauses.Value;

    /// <summary>Parses and validates a knowledge base.</summary>
    /// <exception cref="FailureCauseException">The JSON is malformed or a cause is invalid.</exception>
    public static IReadOnlyList<FailureCause> Load(string json) => Load(json, builtIn: false);

    private static IReadOnlyList<FailureCause> Load(string json, bool builtIn)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FailureCauseException($"The failure cause file is not valid JSON: {ex.Message}", null, null, null, ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !Properties(document.RootElement).TryGetValue("causes", out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                throw new FailureCauseException("The failure cause file must be an object with a 'causes' array.");
            }

            var causes = new List<FailureCause>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var cause = LoadCause(element, index, builtIn);
                if (!names.Add(cause.Name))
                {
                    throw Fail(index, cause.Name, null, "there is another cause with that name");
                }

                causes.Add(cause);
                index++;
            }

            return causes;
        }
    }

    private static FailureCause LoadCause(JsonElement element, int index, bool builtIn)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(index, null, null, "a cause must be a JSON object");
        }

        var properties = Properties(element);
        var name = OptionalString(properties, "name", index, null);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Fail(index, null, null, "a name is required");
        }

        var description = OptionalString(properties, "description", index, name);
        if (string.IsNullOrWhiteSpace(description))
        {
            throw Fail(index, name, null, "a description is required");
        }

        var categories = new List<string>();
        if (properties.TryGetValue("categories", out var categoryArray) && categoryArray.ValueKind != JsonValueKind.Null)
        {
            if (categoryArray.ValueKind != JsonValueKind.Array)
            {
                throw Fail(index, name, null, "'categories' must be an array of strings");
            }

            foreach (var category in categoryArray.EnumerateArray())
            {
                var text = category.ValueKind == JsonValueKind.String ? category.GetString() : null;
                var known = text is null
                    ? null
                    : FailureCategory.All.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
                if (known is null)
                {
                    throw Fail(
                        index,
                        name,
                        null,
                        $"unknown category '{category}'; allowed: {string.Join(", ", FailureCategory.All)}");
                }

                if (!categories.Contains(known, StringComparer.Ordinal))
                {
                    categories.Add(known);
                }
            }
        }

        if (!properties.TryGetValue("indications", out var indicationArray)
            || indicationArray.ValueKind != JsonValueKind.Array
            || indicationArray.GetArrayLength() == 0)
        {
            throw Fail(index, name, null, "at least one indication is required");
        }

        var indications = new List<FailureIndication>();
        var number = 1;
        foreach (var indication in indicationArray.EnumerateArray())
        {
            indications.Add(LoadIndication(indication, index, name, number++, builtIn));
        }

        return new FailureCause(name, description, categories, indications);
    }

    private static FailureIndication LoadIndication(JsonElement element, int causeIndex, string causeName, int number, bool builtIn)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(causeIndex, causeName, number, "an indication must be an object with a 'pattern'");
        }

        var pattern = OptionalString(Properties(element), "pattern", causeIndex, causeName, number);
        if (string.IsNullOrEmpty(pattern))
        {
            throw Fail(causeIndex, causeName, number, "a pattern is required");
        }

        try
        {
            // Checked now, so a bad pattern fails the load with its position; the matcher is built on first use.
            _ = new Regex(Anchored(pattern), RegexOptions.CultureInvariant);
            return new FailureIndication(number, pattern, builtIn ? () => CompileBuiltIn(pattern) : () => Compile(pattern));
        }
        catch (ArgumentException ex)
        {
            throw Fail(causeIndex, causeName, number, $"the pattern '{pattern}' is not a valid regular expression: {ex.Message}", ex);
        }
    }

    /// <summary>Compiles a pattern anchored to the whole line, non-backtracking when the pattern allows.</summary>
    private static Regex Compile(string pattern)
    {
        var anchored = Anchored(pattern);
        try
        {
            return new Regex(anchored, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, NonBacktrackingMatchTimeout);
        }
        catch (NotSupportedException)
        {
            // Lookarounds, backreferences, atomic groups...: backtracking engine, bounded by a timeout.
            return new Regex(anchored, RegexOptions.CultureInvariant, BacktrackingMatchTimeout);
        }
    }

    /// <summary>
    /// The built-in patterns are ours, literal text between <c>.*</c> (no nested quantifiers), which the
    /// backtracking engine matches quickly on the lines, cut at 8 KiB, that reach it; it is built in no time, where the non-backtracking engine takes about 3 ms
    /// and 1 MB a pattern, which a one-shot <c>buildlore analyze</c> would pay for all of them. The timeout
    /// still bounds it.
    /// </summary>
    private static Regex CompileBuiltIn(string pattern) => new(Anchored(pattern), RegexOptions.CultureInvariant, BacktrackingMatchTimeout);

    private static string Anchored(string pattern) => $@"\A(?:{pattern})\z";

    private static Dictionary<string, JsonElement> Properties(JsonElement element)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            properties[property.Name] = property.Value;
        }

        return properties;
    }

    private static string? OptionalString(
        Dictionary<string, JsonElement> properties, string name, int causeIndex, string? causeName, int? indication = null)
    {
        if (!properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fail(causeIndex, causeName, indication, $"'{name}' must be a string");
    }

    private static FailureCauseException Fail(int causeIndex, string? causeName, int? indication, string rule, Exception? inner = null)
    {
        var where = causeName is null
            ? $"causes[{causeIndex.ToString(CultureInfo.InvariantCulture)}]"
            : $"causes[{causeIndex.ToString(CultureInfo.InvariantCulture)}] ('{causeName}')";
        if (indication is { } i)
        {
            where += $", indication {i.ToString(CultureInfo.InvariantCulture)}";
        }

        return new FailureCauseException($"{where}: {rule}", causeIndex, causeName, indication, inner);
    }

    // Patterns match whole lines (BFA semantics). Kept as data, in the same format users load.
    private const string BuiltInJson = """
        {
          "causes": [
            {
              "name": "Disk full",
              "description": "The build machine ran out of disk space. Free space before the build (caches, old artifacts, unused Docker images) or use a runner with a larger disk.",
              "categories": ["infrastructure"],
              "indications": [
                { "pattern": ".*No space left on device.*" },
                { "pattern": ".*\\bENOSPC\\b.*" },
                { "pattern": ".*There is not enough space on the disk.*" },
                { "pattern": ".*[Dd]isk quota exceeded.*" }
              ]
            },
            {
              "name": "Out of memory",
              "description": "A process ran out of memory or was killed (SIGKILL, exit code 137), typically by the kernel's out-of-memory killer. Reduce build or test parallelism, fit heap limits (-Xmx, --max-old-space-size) to the machine, or use a runner with more memory.",
              "categories": ["crash"],
              "indications": [
                { "pattern": ".*java\\.lang\\.OutOfMemoryError.*" },
                { "pattern": ".*JavaScript heap out of memory.*" },
                { "pattern": ".*Out of memory: Kill(?:ed)? process.*" },
                { "pattern": ".*[Kk]illed signal terminated program.*" },
                { "pattern": "(?:.*[\\s:])?Killed(?:\\s.*)?" },
                { "pattern": ".*(?:exit code|exited with code|Error) 137\\b.*" },
                { "pattern": ".*(?:Cannot allocate memory|std::bad_alloc|\\bMemoryError\\b).*" }
              ]
            },
            {
              "name": "Segmentation fault",
              "description": "A process crashed on an invalid memory access (SIGSEGV, exit code 139). Find the crashing program and its stack trace above; common causes are bugs in native code, prebuilt binaries that do not match the system (ABI, glibc), or stack overflow.",
              "categories": ["crash"],
              "indications": [
                { "pattern": ".*Segmentation fault.*" },
                { "pattern": ".*\\bSIGSEGV\\b.*" },
                { "pattern": ".*(?:exit code|exited with code|Error) 139\\b.*" },
                { "pattern": ".*0x[Cc]0000005.*" }
              ]
            },
            {
              "name": "Network failure",
              "description": "A network request failed: a host name could not be resolved, or a server (package registry, git host, service) refused or dropped the connection. Usually transient, so retry; if it persists, check the registry URL, proxy and DNS settings.",
              "categories": ["network_error"],
              "indications": [
                { "pattern": ".*Could not resolve host.*" },
                { "pattern": ".*getaddrinfo (?:ENOTFOUND|EAI_AGAIN).*" },
                { "pattern": ".*Temporary failure in name resolution.*" },
                { "pattern": ".*Name or service not known.*" },
                { "pattern": ".*No such host is known.*" },
                { "pattern": ".*\\bECONNREFUSED\\b.*" },
                { "pattern": ".*[Cc]onnection refused.*" },
                { "pattern": ".*\\bECONNRESET\\b.*" },
                { "pattern": ".*Failed to connect to .* port \\d+.*" },
                { "pattern": ".*Unable to load the service index for source.*" },
                { "pattern": ".*Max retries exceeded with url.*" }
              ]
            },
            {
              "name": "Runner lost",
              "description": "The CI runner went away during the job (shutdown signal, lost communication with the server), e.g. a preempted VM, a runner starved of resources or a network partition. Not caused by the code; re-run the job.",
              "categories": ["infrastructure"],
              "indications": [
                { "pattern": ".*The runner has received a shutdown signal.*" },
                { "pattern": ".*lost communication with the server.*" },
                { "pattern": ".*We stopped hearing from agent.*" }
              ]
            },
            {
              "name": "Timeout",
              "description": "A step, a test or the whole job ran longer than its time limit and was stopped. Find the slow or hung test or step (deadlock, waiting on the network, an interactive prompt), or raise the limit if the work legitimately takes longer.",
              "categories": ["timeout"],
              "indications": [
                { "pattern": ".*has exceeded the maximum execution time.*" },
                { "pattern": ".*Timeout of \\d+ms exceeded.*" },
                { "pattern": ".*Exceeded timeout of \\d+ ?ms for a (?:test|hook).*" },
                { "pattern": "(?i).*\\btimed out\\b.*" },
                { "pattern": ".*context deadline exceeded.*" }
              ]
            }
          ]
        }
        """;
}
