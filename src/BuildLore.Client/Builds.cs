namespace BuildLore.Client;

/// <summary>Which builds <see cref="LLMClient.GetBuildsAsync(BuildQuery, CancellationToken)"/> lists: a page, narrowed by exact values.</summary>
public sealed class BuildQuery
{
    /// <summary>1 to 200.</summary>
    public int Limit { get; init; } = 20;

    public int Skip { get; init; }

    /// <summary>How much of each build's log to include; the end of it by default.</summary>
    public LogDetail Log { get; init; } = LogDetail.Tail;

    /// <summary>Only builds of this project.</summary>
    public string? Project { get; init; }

    /// <summary>Only builds of this branch.</summary>
    public string? Branch { get; init; }

    /// <summary>Only builds with this status, one of <see cref="BuildStatuses"/>.</summary>
    public string? Status { get; init; }
}

/// <summary>One page of builds, newest first, from <see cref="LLMClient.GetBuildsAsync(int, int, LogDetail, CancellationToken)"/>.</summary>
public sealed class BuildPage
{
    /// <summary><c>ok</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>The builds of this page, newest first.</summary>
    public IReadOnlyList<BuildInfo> Builds { get; init; } = [];

    /// <summary>How many builds the server holds in all; page on with <see cref="Skip"/>.</summary>
    public long Total { get; init; }

    /// <summary>How many builds were skipped before this page.</summary>
    public int Skip { get; init; }

    /// <summary>The page size the server applied.</summary>
    public int Limit { get; init; }
}

/// <summary>A build as listed by <see cref="LLMClient.GetBuildsAsync(int, int, LogDetail, CancellationToken)"/>: its state, timing, origin and (part of) its log.</summary>
public class BuildInfo
{
    /// <summary>The build's id, used by every other call about it.</summary>
    public string Id { get; init; } = "";

    /// <summary>One of <see cref="BuildStatuses"/>.</summary>
    public string Status { get; init; } = "";

    /// <summary>The workspace (project) the build belongs to.</summary>
    public string Project { get; init; } = "";

    /// <summary>Where the build came from, for example <c>runner</c> for builds started with <see cref="LLMClient.RunBuildAsync"/>.</summary>
    public string Source { get; init; } = "";

    /// <summary>The build profile that ran, when known.</summary>
    public string? Profile { get; init; }

    /// <summary>The command that ran, when known.</summary>
    public string? Command { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>The build command's exit code, once it has exited.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the build ended as it did when the exit code does not say (cancelled, timed out, interrupted...).</summary>
    public string? Reason { get; init; }

    /// <summary>The log, or its end (see <see cref="LogTruncated"/>); null when it was asked for with <see cref="LogDetail.None"/>.</summary>
    public string? Log { get; init; }

    /// <summary>True when <see cref="Log"/> holds only the end of the log.</summary>
    public bool LogTruncated { get; init; }

    /// <summary>The length of the whole log in characters.</summary>
    public long LogChars { get; init; }

    /// <summary>The branch built, when known.</summary>
    public string? Branch { get; init; }

    /// <summary>The commit built, when known.</summary>
    public string? Commit { get; init; }

    public string? CommitMessage { get; init; }

    public string? Author { get; init; }

    /// <summary>The CI system that pushed the build (<c>github-actions</c>, <c>gitlab</c>, <c>jenkins</c>, ...).</summary>
    public string? CiProvider { get; init; }

    public string? JobName { get; init; }

    /// <summary>A link to the CI job.</summary>
    public string? JobUrl { get; init; }

    /// <summary>What started the build: <c>push</c>, <c>pull_request</c>, <c>schedule</c>, <c>manual</c>, <c>api</c>, or the CI's own word.</summary>
    public string? Trigger { get; init; }

    /// <summary>Why it failed (<c>compile_error</c>, <c>test_failure</c>, ...); null for a success or while it runs.</summary>
    public string? Category { get; init; }
}

/// <summary>
/// One build with everything known about it, from <see cref="LLMClient.GetBuildAsync"/>: its log, the
/// errors and warnings found in it, and the reports written about it.
/// </summary>
public sealed class BuildDetail : BuildInfo
{
    /// <summary>The errors and warnings the server found in the whole log.</summary>
    public LogSummary LogSummary { get; init; } = new();

    /// <summary>The reports written about this build, oldest first. Empty when no LLM has analysed it yet.</summary>
    public IReadOnlyList<ReportInfo> LlmReports { get; init; } = [];

    /// <summary>How sure the server is of <see cref="BuildInfo.Category"/>, from 0 to 1.</summary>
    public double CategoryConfidence { get; init; }

    /// <summary>Each distinct error and warning, located.</summary>
    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; init; } = [];

    /// <summary>The log ranges that explain the failure: what to read first.</summary>
    public IReadOnlyList<ExcerptInfo> FailureExcerpt { get; init; } = [];

    /// <summary>Distinct fingerprints of the build's errors.</summary>
    public IReadOnlyList<string> Fingerprints { get; init; } = [];

    /// <summary>Earlier analyses of the same failures and whether their advice worked (fixed first).</summary>
    public IReadOnlyList<KnownIssueInfo> KnownIssues { get; init; } = [];
}

/// <summary>An error or warning found in a build's log.</summary>
public sealed class DiagnosticInfo
{
    public string Severity { get; init; } = "";
    public string? File { get; init; }
    public int? Line { get; init; }
    public int? Column { get; init; }
    public string? Code { get; init; }
    public string Message { get; init; } = "";
    public string? Tool { get; init; }
    public long LogLine { get; init; }
    public string Fingerprint { get; init; } = "";
}

/// <summary>A range of log lines quoted in a failure excerpt.</summary>
public sealed class ExcerptInfo
{
    public long StartLine { get; init; }
    public long EndLine { get; init; }
    public string Text { get; init; } = "";
}

/// <summary>An earlier failure analysis of the same fingerprint, with its outcome (<c>fixed</c>, <c>failed_differently</c>, <c>still_failing</c>, <c>unknown</c>).</summary>
public sealed class KnownIssueInfo
{
    public long ReportId { get; init; }
    public string BuildId { get; init; } = "";
    public string Analysis { get; init; } = "";
    public IReadOnlyList<string> Recommendations { get; init; } = [];
    public double Confidence { get; init; }
    public string Fingerprint { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string? RootCause { get; init; }

    /// <summary>The build that followed the report and decided its outcome; null while there is none.</summary>
    public string? NextBuildId { get; init; }
}

/// <summary>What the server found in a build's log: its size and its error and warning lines.</summary>
public sealed class LogSummary
{
    public long TotalLines { get; init; }

    public long ErrorCount { get; init; }

    public long WarningCount { get; init; }

    /// <summary>The error lines (the server may keep only the first ones; <see cref="ErrorCount"/> counts all).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The warning lines (the server may keep only the first ones; <see cref="WarningCount"/> counts all).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
