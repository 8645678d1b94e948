using BuildLore.Core.Analysis;
using BuildLore.Core.Logs;

namespace BuildLore.Core.Builds;

/// <summary>A build as the store keeps it. The log itself is stored apart, in chunks.</summary>
public sealed record Build
{
    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string Project { get; init; }
    /// <summary>Where the build came from: <c>runner</c> for <c>/build/run</c>, otherwise the ingesting client.</summary>
    public required string Source { get; init; }
    /// <summary>The runner profile name, when the runner produced it.</summary>
    public string? Profile { get; init; }
    /// <summary>The command line that ran, for display only; it never comes from a request.</summary>
    public string? Command { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? ExitCode { get; init; }
    /// <summary>Why a build ended as <c>error</c>, <c>cancelled</c> or <c>timeout</c> (e.g. <c>interrupted</c>).</summary>
    public string? Reason { get; init; }
    /// <summary>Length of the stored log in UTF-16 characters.</summary>
    public long LogChars { get; init; }
    /// <summary>The summary computed when the build finished; null while it runs.</summary>
    public LogSummary? Summary { get; init; }

    /// <summary>The branch built, when known.</summary>
    public string? Branch { get; init; }

    /// <summary>Where it came from in source control and CI, when the ingesting client said.</summary>
    public BuildOrigin Origin { get; init; } = BuildOrigin.None;

    /// <summary>Failure category decided when the build finished (null for a success or while it runs).</summary>
    public string? Category { get; init; }

    /// <summary>How many secrets were redacted from the log before it was stored.</summary>
    public long Redactions { get; init; }

    /// <summary>The full analysis; loaded by <c>GetBuildAsync</c> only (it can be large), null while the build runs.</summary>
    public LogAnalysis? Analysis { get; init; }

    public TimeSpan? Duration => StartedAt is { } s && FinishedAt is { } f ? f - s : null;
}

/// <summary>What a caller supplies to create a build.</summary>
public sealed record NewBuild(string Project, string Source, string? Profile = null, string? Command = null, string Status = BuildStatus.Queued, string? Branch = null)
{
    public BuildOrigin Origin { get; init; } = BuildOrigin.None;
}

/// <summary>
/// The commit and CI job a build belongs to, as the CI that pushed it described them, and what
/// started it (<see cref="Trigger"/>: <c>push</c>, <c>pull_request</c>, <c>schedule</c>, <c>manual</c>,
/// <c>api</c>, or the CI's own word).
/// </summary>
public sealed record BuildOrigin(
    string? CommitSha = null,
    string? CommitMessage = null,
    string? Author = null,
    string? CiProvider = null,
    string? JobName = null,
    string? JobUrl = null,
    string? Trigger = null)
{
    public static BuildOrigin None { get; } = new();
}

/// <summary>The words a build's trigger is usually one of; others (a CI's own event names) are kept as given.</summary>
public static class BuildTrigger
{
    public const string Push = "push";
    public const string PullRequest = "pull_request";
    public const string Schedule = "schedule";
    public const string Manual = "manual";
    public const string Api = "api";

    public const int MaxLength = 64;

    /// <summary>True for a short lowercase word: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>.</summary>
    public static bool IsValid(string trigger) =>
        trigger.Length is > 0 and <= MaxLength && trigger.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.');
}

/// <summary>What became of a pushed log chunk.</summary>
public enum ChunkResult
{
    /// <summary>Stored after the previous one.</summary>
    Appended,

    /// <summary>Already stored (a retry): nothing was added.</summary>
    Duplicate,

    /// <summary>Chunks before it are missing; nothing was added.</summary>
    Gap,

    /// <summary>The build has finished; nothing was added.</summary>
    Finished,
}

/// <summary>How a build ended.</summary>
public sealed record BuildCompletion(string Status, int? ExitCode, string? Reason, LogSummary Summary, DateTimeOffset FinishedAt)
{
    /// <summary>The analyzer's result; its diagnostics become searchable by fingerprint.</summary>
    public LogAnalysis? Analysis { get; init; }

    public long Redactions { get; init; }
}

/// <summary>A fingerprint that recurs across builds.</summary>
public sealed record Pattern(
    string Fingerprint,
    string Template,
    string Severity,
    string? Tool,
    string? Code,
    long Occurrences,
    long Builds,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string Example,
    string ExampleBuildId);

/// <summary>Which recurring fingerprints to list.</summary>
public sealed record PatternQuery(
    string? Project = null,
    string? Branch = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    string? Severity = null,
    int MinBuilds = 1,
    int Limit = 50);

/// <summary>One page of builds, newest first.</summary>
public sealed record BuildPage(IReadOnlyList<Build> Builds, long Total);

/// <summary>The last part of a build's log.</summary>
public sealed record LogTail(string Text, bool Truncated);
