namespace BuildLore.Client;

/// <summary>How a project's builds have been doing, from <see cref="LLMClient.GetProjectHealthAsync"/>.</summary>
public sealed class ProjectHealth
{
    /// <summary>The project asked about; null for all projects.</summary>
    public string? Project { get; init; }

    public int Days { get; init; }

    public int Builds { get; init; }

    public int FinishedBuilds { get; init; }

    /// <summary>Share of finished builds that passed, from 0 to 1.</summary>
    public double SuccessRate { get; init; }

    public double BuildsPerDay { get; init; }

    public double? MeanTimeToRecoveryHours { get; init; }

    public double? MedianDurationSeconds { get; init; }

    public double? P95DurationSeconds { get; init; }

    /// <summary>Median duration of the later half of the window's builds minus that of the earlier half.</summary>
    public double? MedianDurationTrendSeconds { get; init; }

    /// <summary>p95 duration of the later half of the window's builds minus that of the earlier half.</summary>
    public double? P95DurationTrendSeconds { get; init; }

    /// <summary>The durations behind the two trends; null when there are not enough finished builds.</summary>
    public DurationTrend? DurationTrend { get; init; }

    public IReadOnlyList<CategoryCount> TopFailureCategories { get; init; } = [];

    public IReadOnlyList<string> FlakyTests { get; init; } = [];

    /// <summary>The errors that recur most (in two builds or more), with the builds they appeared in.</summary>
    public IReadOnlyList<FingerprintCount> TopFingerprints { get; init; } = [];

    /// <summary>For failure reports whose outcome is known: how often the next build passed, by confidence band.</summary>
    public IReadOnlyList<CalibrationBand> ConfidenceCalibration { get; init; } = [];

    /// <summary>0 to 100; the server's API reference documents the formula.</summary>
    public double HealthScore { get; init; }
}

/// <summary>A recurring error: its fingerprint, its normalized template and how many builds it appeared in.</summary>
public sealed class FingerprintCount
{
    public string Fingerprint { get; init; } = "";

    public string Template { get; init; } = "";

    public long Builds { get; init; }
}

/// <summary>Reports with a confidence from <see cref="From"/> to <see cref="To"/>: how many had a known outcome, and how many were followed by a green build.</summary>
public sealed class CalibrationBand
{
    public double From { get; init; }

    public double To { get; init; }

    public int Reports { get; init; }

    public int Fixed { get; init; }

    /// <summary><see cref="Fixed"/> / <see cref="Reports"/>; null without reports.</summary>
    public double? FixRate { get; init; }
}

/// <summary>What the server knows of failures with some fingerprints (<c>GET /llm/learning/knowledge</c>).</summary>
public sealed class Knowledge
{
    public IReadOnlyList<string> Fingerprints { get; init; } = [];

    /// <summary>Earlier reports on these failures, advice that was followed by a fix first.</summary>
    public IReadOnlyList<KnownIssueInfo> KnownIssues { get; init; } = [];
}

/// <summary>Median and p95 build durations (seconds) of the earlier and the later half of a window's finished builds.</summary>
public sealed class DurationTrend
{
    public int EarlyBuilds { get; init; }

    public int LateBuilds { get; init; }

    public double EarlyMedianSeconds { get; init; }

    public double LateMedianSeconds { get; init; }

    public double EarlyP95Seconds { get; init; }

    public double LateP95Seconds { get; init; }
}

/// <summary>How many finished builds failed for one reason.</summary>
public sealed class CategoryCount
{
    public string Category { get; init; } = "";

    public int Builds { get; init; }
}

/// <summary>
/// A build compared with the last green build of its project and branch, from <see cref="LLMClient.CompareWithLastGreenAsync"/>.
/// </summary>
public sealed class BuildComparison
{
    public string BuildId { get; init; } = "";

    /// <summary>The last green build before it; null when there is none.</summary>
    public BuildInfo? Baseline { get; init; }

    /// <summary>Diagnostics whose fingerprint the baseline did not have.</summary>
    public IReadOnlyList<DiagnosticInfo> NewDiagnostics { get; init; } = [];

    /// <summary>The baseline's diagnostics that are gone.</summary>
    public IReadOnlyList<DiagnosticInfo> ResolvedDiagnostics { get; init; } = [];

    public CommitRange Commits { get; init; } = new();

    /// <summary>Files changed between the two commits; null when the server cannot tell (commits unknown to its workspace).</summary>
    public IReadOnlyList<string>? ChangedFiles { get; init; }

    public double? DurationDeltaSeconds { get; init; }
}

/// <summary>The commits of a baseline and of the build compared with it.</summary>
public sealed class CommitRange
{
    public string? From { get; init; }

    public string? To { get; init; }
}

/// <summary>An event of <see cref="LLMClient.FollowBuildEventsAsync"/>: <c>ready</c> once the stream is open, then <c>build_finished</c>.</summary>
public sealed class BuildEvent
{
    /// <summary><c>ready</c> or <c>build_finished</c>.</summary>
    public string Name { get; init; } = "";

    /// <summary>The finished build, for <c>build_finished</c>.</summary>
    public FinishedBuild? Build { get; init; }
}

/// <summary>The data of a <c>build_finished</c> event.</summary>
public sealed class FinishedBuild
{
    public string Id { get; init; } = "";

    public string Project { get; init; } = "";

    public string? Branch { get; init; }

    /// <summary>One of <see cref="BuildStatuses"/>.</summary>
    public string Status { get; init; } = "";

    public string? Category { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }
}
