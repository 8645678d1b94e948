namespace BuildLore.Core.Analysis;

/// <summary>
/// One distinct error or warning found in a build log, located in the source when the tool said where.
/// </summary>
public sealed record Diagnostic
{
    /// <summary><c>error</c> or <c>warning</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>Source file, relative to the workspace root when the log showed it under that root.</summary>
    public string? File { get; init; }
    public int? Line { get; init; }
    public int? Column { get; init; }

    /// <summary>The tool's own code: <c>CS0103</c>, <c>TS2322</c>, <c>E0308</c>, <c>NU1101</c>, an eslint rule...</summary>
    public string? Code { get; init; }
    public required string Message { get; init; }

    /// <summary>Which tool reported it (<c>csc</c>, <c>gcc</c>, <c>rustc</c>, <c>pytest</c>, ...), or null for a generic error line.</summary>
    public string? Tool { get; init; }

    /// <summary>1-based line of the log where the diagnostic starts.</summary>
    public required long LogLine { get; init; }

    /// <summary>1-based line of the log where its block (notes, spans, stack frames) ends.</summary>
    public long EndLogLine { get; init; }

    /// <summary>Stable id of the normalized message template; equal for the same error across builds and machines.</summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>The template the fingerprint was computed from (paths, numbers and quoted names masked).</summary>
    public string Template { get; init; } = "";

    /// <summary>The diagnostic's whole block as it appeared in the log, its lines joined by <c>\n</c> (at most 4,096 characters).</summary>
    public string Context { get; init; } = "";

    /// <summary>A one-line rendering for the seed's <c>log_summary.errors</c> / <c>warnings</c>.</summary>
    public string Display()
    {
        var location = File is null ? "" : Line is null ? $"{File}: " : Column is null ? $"{File}:{Line}: " : $"{File}:{Line}:{Column}: ";
        var code = Code is null ? "" : $" {Code}";
        return $"{location}{Severity}{code}: {Message}";
    }
}

public static class DiagnosticSeverity
{
    public const string Error = "error";
    public const string Warning = "warning";
}

/// <summary>Why a build failed, in broad classes an engineer (or an LLM) reacts to differently.</summary>
public static class FailureCategory
{
    public const string CompileError = "compile_error";
    public const string LinkError = "link_error";
    public const string TestFailure = "test_failure";
    public const string MissingDependency = "missing_dependency";
    public const string Timeout = "timeout";
    public const string Crash = "crash";
    public const string LintError = "lint_error";
    public const string ConfigError = "config_error";
    public const string NetworkError = "network_error";
    public const string Infrastructure = "infrastructure";
    public const string Unknown = "unknown";

    public static IReadOnlyList<string> All { get; } =
        [CompileError, LinkError, TestFailure, MissingDependency, Timeout, Crash, LintError, ConfigError, NetworkError, Infrastructure, Unknown];
}

/// <summary>A range of log lines quoted in the failure excerpt.</summary>
public sealed record ExcerptRange(long StartLine, long EndLine, string Text);

/// <summary>A log line that supports the failure category.</summary>
public sealed record CategoryEvidence(long LogLine, string Text, string Category);

/// <summary>Everything the analyzer learned from one log.</summary>
public sealed record LogAnalysis
{
    public required long TotalLines { get; init; }
    public required long ErrorCount { get; init; }
    public required long WarningCount { get; init; }
    /// <summary>Distinct diagnostics, in log order (capped at <see cref="LogAnalyzer.MaxDiagnostics"/>; the counts are not).</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }
    /// <summary>Null when the log shows no failure.</summary>
    public string? Category { get; init; }
    public double CategoryConfidence { get; init; }
    public IReadOnlyList<CategoryEvidence> Evidence { get; init; } = [];
    public IReadOnlyList<ExcerptRange> FailureExcerpt { get; init; } = [];
    /// <summary>Failure causes found in the log: the workspace's configured ones, then, for a failed build, the built-in ones (<see cref="Causes.FailureCauseLoader.BuiltIn"/>).</summary>
    public IReadOnlyList<FoundFailureCause> Causes { get; init; } = [];

    /// <summary>The workspace root that absolute paths were made relative to, when one was known or detected.</summary>
    public string? Root { get; init; }
}
