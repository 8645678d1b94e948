using System.Text.Json.Serialization;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
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
    public string? Branch { get; init; }
    public string? Commit { get; init; }
    public string? CommitMessage { get; init; }
    public string? Author { get; init; }
    public string? CiProvider { get; init; }
    public string? JobName { get; init; }
    public string? JobUrl { get; init; }

    /// <summary>What started the build: push, pull_request, schedule, manual, api, or the CI's own word.</summary>
    public string? Trigger { get; init; }

    /// <summary>Why the build failed (compile_error, test_failure, ...); null for a success or while it runs.</summary>
    public string? Category { get; init; }

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
    public double CategoryConfidence { get; init; }

    /// <summary>Log lines that support the category.</summary>
    public IReadOnlyList<EvidenceDto> CategoryEvidence { get; init; } = [];

    /// <summary>How many secrets were replaced by *** before the log was stored.</summary>
    public long Redactions { get; init; }

    [JsonPropertyOrder(100)]
    public required LogSummaryDto LogSummary { get; init; }

    /// <summary>The smallest set of log ranges that explains the failure: what to read first.</summary>
    [JsonPropertyOrder(101)]
    public IReadOnlyList<ExcerptDto> FailureExcerpt { get; init; } = [];

    [JsonPropertyOrder(102)]
    public IReadOnlyList<DiagnosticDto> Diagnostics { get; init; } = [];

    /// <summary>Distinct fingerprints of the build's errors, to look up in /llm/learning/patterns.</summary>
    [JsonPropertyOrder(103)]
    public IReadOnlyList<string> Fingerprints { get; init; } = [];

    /// <summary>Failure causes found in the log: the workspace's (buildlore.json "failure_causes"), then, for a failed build, the built-in ones (disk full, out of memory, segfault, network, runner lost, timeout).</summary>
    [JsonPropertyOrder(104)]
    public IReadOnlyList<FailureCauseDto> FailureCauses { get; init; } = [];

    [JsonPropertyOrder(105)]
    public required IReadOnlyList<ReportDto> LlmReports { get; init; }

    /// <summary>Earlier analyses of builds that failed with the same fingerprints, and whether their advice worked: the learning.</summary>
    [JsonPropertyOrder(106)]
    public IReadOnlyList<BuildLore.Server.Reports.KnownIssueDto> KnownIssues { get; init; } = [];

    /// <summary>The build's test results, when test reports were attached (JUnit or TRX).</summary>
    [JsonPropertyOrder(99)]
    public BuildLore.Server.TestResults.TestSummaryDto? Tests { get; init; }
}

public sealed record FailureCauseDto(string Name, string Description, IReadOnlyList<string> Categories, IReadOnlyList<long> LogLines);

public sealed record DiagnosticDto(
    string Severity,
    string? File,
    int? Line,
    int? Column,
    string? Code,
    string Message,
    string? Tool,
    long LogLine,
    long EndLogLine,
    string Fingerprint)
{
    /// <summary>
    /// The diagnostic's whole block as it appeared in the log (its notes, spans, code frame or stack), at most
    /// 4,096 characters. Kept with the build's stored analysis; omitted where there is none (routes that list
    /// diagnostics of other builds, analyses stored before it was kept).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Context { get; init; }
}

public sealed record ExcerptDto(long StartLine, long EndLine, string Text);

public sealed record EvidenceDto(long LogLine, string Text);

public sealed record LogSummaryDto(long TotalLines, long ErrorCount, long WarningCount, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>A report on the wire: the seed's fields first, then what BuildLore adds (all optional on submission).</summary>
public sealed record ReportDto(
    long Id,
    string? BuildId,
    string Type,
    string Analysis,
    IReadOnlyList<string> Recommendations,
    double Confidence,
    string? SessionId,
    DateTimeOffset CreatedAt)
{
    /// <summary>The build's project, or the project a project-level report was submitted for.</summary>
    public required string Project { get; init; }

    /// <summary>The authenticated identity (a token's name) that submitted it; null without authentication.</summary>
    public string? SubmittedBy { get; init; }

    public string? RootCause { get; init; }

    public IReadOnlyList<AffectedFileDto> AffectedFiles { get; init; } = [];

    public string? Category { get; init; }

    public string? Model { get; init; }

    public TokensUsedDto? TokensUsed { get; init; }
}

/// <summary>A file a report points at, with the lines that matter (possibly none).</summary>
public sealed record AffectedFileDto(string Path, IReadOnlyList<int> Lines);

/// <summary>What writing the report cost, in the model's tokens.</summary>
public sealed record TokensUsedDto(long? Input, long? Output);

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
        Branch = build.Branch,
        Commit = build.Origin.CommitSha,
        CommitMessage = build.Origin.CommitMessage,
        Author = build.Origin.Author,
        CiProvider = build.Origin.CiProvider,
        JobName = build.Origin.JobName,
        JobUrl = build.Origin.JobUrl,
        Trigger = build.Origin.Trigger,
        Category = build.Category,
        Log = log,
        LogTruncated = logTruncated,
        LogChars = build.LogChars,
    };

    public static BuildDetailDto ToDetailDto(this Build build, LogAnalysis analysis, IReadOnlyList<Report> reports, IReadOnlyList<BuildLore.Server.Reports.KnownIssueDto> knownIssues,
        BuildLore.Server.TestResults.TestSummaryDto? tests = null)
    {
        var summary = analysis.ToLogSummary();
        return new BuildDetailDto
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
            Branch = build.Branch,
            Commit = build.Origin.CommitSha,
            CommitMessage = build.Origin.CommitMessage,
            Author = build.Origin.Author,
            CiProvider = build.Origin.CiProvider,
            JobName = build.Origin.JobName,
            JobUrl = build.Origin.JobUrl,
            Trigger = build.Origin.Trigger,
            Category = analysis.Category,
            CategoryConfidence = analysis.CategoryConfidence,
            CategoryEvidence = [.. analysis.Evidence.Select(e => new EvidenceDto(e.LogLine, e.Text))],
            Redactions = build.Redactions,
            LogChars = build.LogChars,
            LogSummary = new LogSummaryDto(summary.TotalLines, summary.ErrorCount, summary.WarningCount, summary.Errors, summary.Warnings),
            FailureExcerpt = [.. analysis.FailureExcerpt.Select(r => new ExcerptDto(r.StartLine, r.EndLine, r.Text))],
            Diagnostics = [.. analysis.Diagnostics.Select(d => new DiagnosticDto(d.Severity, d.File, d.Line, d.Column, d.Code, d.Message, d.Tool, d.LogLine, d.EndLogLine, d.Fingerprint)
            {
                Context = d.Context.Length > 0 ? d.Context : null,
            })],
            Fingerprints = [.. analysis.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Fingerprint).Distinct()],
            FailureCauses = [.. analysis.Causes.Select(c => new FailureCauseDto(c.Name, c.Description, c.Categories, c.LogLines))],
            LlmReports = [.. reports.Select(ToDto)],
            KnownIssues = knownIssues,
            Tests = tests,
        };
    }

    public static ReportDto ToDto(this Report report) =>
        new(report.Id, report.BuildId, report.Type, report.Analysis, report.Recommendations, report.Confidence, report.SessionId, report.CreatedAt)
        {
            Project = report.Project,
            SubmittedBy = report.SubmittedBy,
            RootCause = report.Details.RootCause,
            AffectedFiles = [.. report.Details.AffectedFiles.Select(f => new AffectedFileDto(f.Path, f.Lines))],
            Category = report.Details.Category,
            Model = report.Details.Model,
            TokensUsed = report.Details.InputTokens is null && report.Details.OutputTokens is null
                ? null
                : new TokensUsedDto(report.Details.InputTokens, report.Details.OutputTokens),
        };
}
