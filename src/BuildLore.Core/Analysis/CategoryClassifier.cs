using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Decides a failed build's <see cref="FailureCategory"/> from its diagnostics and from lines that
/// reveal a cause without being a diagnostic (a segfault, a DNS failure, a full disk). Each piece of
/// evidence adds weight to a category; the heaviest wins, and the confidence says how clear-cut that was.
/// </summary>
internal sealed partial class CategoryClassifier
{
    private const int MaxEvidence = 5;
    private readonly Dictionary<string, double> _weights = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CategoryEvidence>> _evidence = new(StringComparer.Ordinal);

    public void Add(string category, long line, string text, double weight)
    {
        _weights[category] = _weights.GetValueOrDefault(category) + weight;
        if (!_evidence.TryGetValue(category, out var list))
        {
            _evidence[category] = list = [];
        }

        if (list.Count < MaxEvidence)
        {
            list.Add(new CategoryEvidence(line, text.Length > 300 ? text[..300] : text, category));
        }
    }

    /// <summary>Weighs a diagnostic by the tool that reported it.</summary>
    public void AddDiagnostic(Diagnostic diagnostic)
    {
        if (diagnostic.Severity != DiagnosticSeverity.Error)
        {
            return;
        }

        var category = diagnostic.Tool switch
        {
            "csc" or "fsc" or "vbc" or "gcc" or "tsc" or "rustc" or "go" or "javac" or "gfortran" => FailureCategory.CompileError,
            "ld" => FailureCategory.LinkError,
            "dotnet-test" or "pytest" or "jest" or "vitest" or "node-test" or "cargo-test" or "go-test" => FailureCategory.TestFailure,
            "eslint" => FailureCategory.LintError,
            "cmake" => FailureCategory.ConfigError,
            "nuget" => FailureCategory.MissingDependency,
            // An uncaught exception at run time: the program crashed (a missing module says otherwise, more strongly).
            "node" or "python" => FailureCategory.Crash,
            _ => null,
        };
        if (category is not null)
        {
            Add(category, diagnostic.LogLine, diagnostic.Display(), diagnostic.File is null ? 0.6 : 1);
        }
    }

    private static readonly System.Buffers.SearchValues<string> SignalWords = System.Buffers.SearchValues.Create(
    [
        "space", "enospc", "quota", "runner", "communication", "hosted", "agent", "job failed", "docker", "timed out", "timeout", "exceeded", "deadline",
        "segmentation", "sigsegv", "core dumped", "killed", "memory", "bad_alloc", "overflow", "sigabrt", "aborted", "exit code", "exited with code", "bus error",
        "resolve", "name resolution", "not known", "enotfound", "eai_again", "econn", "etimedout", "refused", "unreachable", "unable to connect", "ssl", "tls",
        "unable to access", "failed to connect", "module", "could not find", "satisfies", "goroot", "cannot find", "unable to find", "unresolved", "e0432", "no matching",
        "not found", "error 124",
    ], StringComparison.OrdinalIgnoreCase);

    /// <summary>Looks at any line for causes that are not diagnostics.</summary>
    public void Observe(string line, long number)
    {
        if (line.AsSpan().IndexOfAny(SignalWords) < 0)
        {
            return;
        }

        foreach (var (regex, category, weight) in Signals)
        {
            if (regex.IsMatch(line))
            {
                Add(category, number, line, weight);
                return;
            }
        }
    }

    public (string Category, double Confidence, IReadOnlyList<CategoryEvidence> Evidence) Decide(bool hasErrors)
    {
        if (_weights.Count == 0)
        {
            return (FailureCategory.Unknown, hasErrors ? 0.3 : 0.2, []);
        }

        var ordered = _weights.OrderByDescending(w => w.Value).ThenBy(w => Priority(w.Key)).ToList();
        var (best, weight) = ordered[0];
        var total = ordered.Sum(w => w.Value);
        // Share of the evidence, nudged up by how much of it there is.
        var confidence = Math.Round(Math.Min(0.97, 0.45 + 0.45 * (weight / total) + Math.Min(0.1, weight * 0.02)), 2);
        return (best, confidence, _evidence[best]);
    }

    // On equal weight, the more fundamental cause wins: a full disk explains a compile error, not the reverse.
    private static int Priority(string category) => category switch
    {
        FailureCategory.Infrastructure => 0,
        FailureCategory.Timeout => 1,
        FailureCategory.Crash => 2,
        FailureCategory.NetworkError => 3,
        FailureCategory.MissingDependency => 4,
        FailureCategory.ConfigError => 5,
        FailureCategory.LinkError => 6,
        FailureCategory.CompileError => 7,
        FailureCategory.TestFailure => 8,
        FailureCategory.LintError => 9,
        _ => 10,
    };

    private static readonly (Regex Regex, string Category, double Weight)[] Signals =
    [
        (NoSpace(), FailureCategory.Infrastructure, 5),
        (RunnerLost(), FailureCategory.Infrastructure, 5),
        (TimedOut(), FailureCategory.Timeout, 4),
        (Crashed(), FailureCategory.Crash, 4),
        (Network(), FailureCategory.NetworkError, 3),
        (MissingModule(), FailureCategory.MissingDependency, 2),
    ];

    [GeneratedRegex(@"No space left on device|ENOSPC|There is not enough space on the disk|disk quota exceeded", RegexOptions.IgnoreCase)]
    private static partial Regex NoSpace();

    [GeneratedRegex(@"The runner has received a shutdown signal|lost communication with the server|The hosted runner encountered an error|Runner lost|agent went offline|ERROR: Job failed: (?:execution took longer|system failure)|Cannot connect to the Docker daemon", RegexOptions.IgnoreCase)]
    private static partial Regex RunnerLost();

    [GeneratedRegex(@"\(Error 124\)|exit (?:code|status) 124\b|\btimed out after\b|\bexceeded the maximum execution time\b|\bTimeout of \d+ms exceeded\b|\bBuild timed out\b|\bjob (?:has )?timed out\b|\bTimeoutError\b|\bDeadline exceeded\b|\btimeout: (?:the monitored command|sending signal)", RegexOptions.IgnoreCase)]
    private static partial Regex TimedOut();

    [GeneratedRegex(@"Segmentation fault|SIGSEGV|core dumped|\bKilled\b$|^Killed|Out of memory|OutOfMemoryError|JavaScript heap out of memory|std::bad_alloc|Stack overflow|SIGABRT|Aborted \(core dumped\)|exit code 137|exited with code 139|Bus error", RegexOptions.IgnoreCase)]
    private static partial Regex Crashed();

    [GeneratedRegex(@"Could not resolve host|Temporary failure in name resolution|Name or service not known|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|\bENOTFOUND\b|\bECONNREFUSED\b|\bETIMEDOUT\b|\bECONNRESET\b|Connection refused|Connection timed out|Network is unreachable|Unable to connect to the remote server|SSL connection could not be established|TLS handshake timeout|unable to access '[^']*': |Failed to connect to", RegexOptions.IgnoreCase)]
    private static partial Regex Network();

    [GeneratedRegex(@"\bsh: (?:\d+: )?\S+: (?:command )?not found|command not found|exited with code 127|ModuleNotFoundError|No module named|Cannot find module|Could not find a version that satisfies|package .* is not in GOROOT|cannot find package|Unable to find package|could not find (?:a )?dependency|unresolved import|error\[E0432\]|No matching distribution found", RegexOptions.IgnoreCase)]
    private static partial Regex MissingModule();
}
