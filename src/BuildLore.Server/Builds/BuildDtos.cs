using System.Text.Json.Serialization;
using BuildLore.Core.Builds;
using BuildLore.Core.Logs;
using BuildLore.Core.Reports;

namespace BuildLore.Server.Builds;

/// <summary>A build on the wire. <c>log</c> is omitted when the caller asked for <c>log=none</c>.</summary>
public class BuildDto
{
    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string Project { get; init; }
    public required string Source { get; init; }
    public string? Profile { get; init; }
    public string? Command { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public double? DurationSeconds { get; init; }
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Log { get; init; }

    /// <summary>True when <c>log</c> holds only the last part of the build's log.</summary>
    public bool LogTruncated { get; init; }

    /// <summary>Length of the whole log in characters.</summary>
    public long LogChars { get; init; }
}

/// <summary>A build with its analysis and reports.</summary>
public sealed class BuildDetailDto : BuildDto
{
    [JsonPropertyOrder(100)]
    public required LogSummaryDto LogSummary { get; init; }

    [JsonPropertyOrder(101)]
    public required IReadOnlyList<ReportDto> LlmReports { get; init; }
}

public sealed record LogSummaryDto(long TotalLines, long ErrorCount, long WarningCount, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

public sealed record ReportDto(
    long Id,
    string BuildId,
    string Type,
    string Analysis,
    IReadOnlyList<string> Recommendations,
    double Confidence,
    string? SessionId,
    DateTimeOffset CreatedAt);

public sealed record BuildListResponse(IReadOnlyList<BuildDto> Builds, long Total, int Skip, int Limit)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record BuildDetailResponse(BuildDetailDto Build)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

internal static class BuildMapping
{
    public static BuildDto ToDto(this Build build, string? log, bool logTruncated) => new()
    {
        Id = build.Id,
        Status = build.Status,
        Project = build.Project,
        Source = build.Source,
        Profile = build.Profile,
        Command = build.Command,
        CreatedAt = build.CreatedAt,
        StartedAt = build.StartedAt,
        FinishedAt = build.FinishedAt,
        DurationSeconds = build.Duration?.TotalSeconds,
        ExitCode = build.ExitCode,
        Reason = build.Reason,
        Log = log,
        LogTruncated = logTruncated,
        LogChars = build.LogChars,
    };

    public static BuildDetailDto ToDetailDto(this Build build, LogSummary summary, IReadOnlyList<Report> reports) => new()
    {
        Id = build.Id,
        Status = build.Status,
        Project = build.Project,
        Source = build.Source,
        Profile = build.Profile,
        Command = build.Command,
        CreatedAt = build.CreatedAt,
        StartedAt = build.StartedAt,
        FinishedAt = build.FinishedAt,
        DurationSeconds = build.Duration?.TotalSeconds,
        ExitCode = build.ExitCode,
        Reason = build.Reason,
        LogChars = build.LogChars,
        LogSummary = new LogSummaryDto(summary.TotalLines, summary.ErrorCount, summary.WarningCount, summary.Errors, summary.Warnings),
        LlmReports = [.. reports.Select(ToDto)],
    };

    public static ReportDto ToDto(this Report report) =>
        new(report.Id, report.BuildId, report.Type, report.Analysis, report.Recommendations, report.Confidence, report.SessionId, report.CreatedAt);
}
