using System.Text.Json.Serialization;

namespace BuildLore.Client;

/// <summary>A stored analysis report, as listed in <see cref="BuildDetail.LlmReports"/> or by <see cref="LLMClient.GetReportsAsync"/>.</summary>
public sealed class ReportInfo
{
    public long Id { get; init; }

    /// <summary>The build analyzed; null for a project-level report.</summary>
    public string? BuildId { get; init; }

    /// <summary>The build's project, or the project a project-level report is about.</summary>
    public string Project { get; init; } = "";

    /// <summary>One of <see cref="ReportTypes"/>.</summary>
    public string Type { get; init; } = "";

    public string Analysis { get; init; } = "";

    public IReadOnlyList<string> Recommendations { get; init; } = [];

    /// <summary>How sure the author was, from 0 to 1.</summary>
    public double Confidence { get; init; }

    /// <summary>The session that submitted the report, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>The authenticated identity (a token's name) that submitted it; null when the server runs without authentication.</summary>
    public string? SubmittedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The underlying cause, when the author named one.</summary>
    public string? RootCause { get; init; }

    /// <summary>Files (and lines) the findings are about.</summary>
    public IReadOnlyList<AffectedFile> AffectedFiles { get; init; } = [];

    /// <summary>A snake_case label; for failure analyses one of the server's failure categories (<c>compile_error</c>, ...).</summary>
    public string? Category { get; init; }

    /// <summary>The model that wrote the report, when it said.</summary>
    public string? Model { get; init; }

    /// <summary>What writing the report cost, when the author said.</summary>
    public TokensUsed? TokensUsed { get; init; }
}

/// <summary>A file a report points at, with the lines that matter (possibly none).</summary>
public sealed class AffectedFile
{
    /// <summary>The path relative to the workspace root, with <c>/</c> separators.</summary>
    public required string Path { get; init; }

    /// <summary>1-based line numbers.</summary>
    public IReadOnlyList<int> Lines { get; init; } = [];
}

/// <summary>Tokens a model read and wrote for a report.</summary>
public sealed class TokensUsed
{
    public long? Input { get; init; }

    public long? Output { get; init; }
}

/// <summary>
/// An analysis report to submit with <see cref="LLMClient.SubmitReportAsync(ReportSubmission, System.Threading.CancellationToken)"/>.
/// Only the seed's fields are sent unless the others are set.
/// </summary>
public sealed class ReportSubmission
{
    /// <summary>
    /// Sent as the <c>Idempotency-Key</c> header: sending the same report again with the same key stores
    /// nothing new and returns the first report's id, so a retry after a lost answer is safe.
    /// </summary>
    [JsonIgnore]
    public string? IdempotencyKey { get; init; }

    /// <summary>The build the report is about; required for <see cref="ReportTypes.FailureAnalysis"/>, optional for the project-level types.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BuildId { get; init; }

    /// <summary>One of <see cref="ReportTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The findings, in prose.</summary>
    public required string Analysis { get; init; }

    /// <summary>What to do about them, one action per entry.</summary>
    public IReadOnlyList<string> Recommendations { get; init; } = [];

    /// <summary>How sure the author is, from 0 to 1.</summary>
    public required double Confidence { get; init; }

    /// <summary>The project a report without a build is about; the server's project when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Project { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RootCause { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AffectedFile>? AffectedFiles { get; init; }

    /// <summary>A snake_case label; for failure analyses one of the server's failure categories.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TokensUsed? TokensUsed { get; init; }
}

/// <summary>The server's answer to a submitted report.</summary>
public sealed class ReportResult
{
    /// <summary><c>ok</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>For example <c>report stored</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary>The stored report's id.</summary>
    public long ReportId { get; init; }
}

/// <summary>Which reports <see cref="LLMClient.GetReportsAsync"/> lists; null filters match everything.</summary>
public sealed class ReportQuery
{
    /// <summary>One of <see cref="ReportTypes"/>.</summary>
    public string? Type { get; init; }

    public string? BuildId { get; init; }

    public string? Project { get; init; }

    public double? MinConfidence { get; init; }

    public DateTimeOffset? Since { get; init; }

    public int Skip { get; init; }

    /// <summary>1 to 200.</summary>
    public int Limit { get; init; } = 20;
}

/// <summary>One page of reports, newest first.</summary>
public sealed class ReportPage
{
    public IReadOnlyList<ReportInfo> Reports { get; init; } = [];

    /// <summary>How many reports match in all.</summary>
    public long Total { get; init; }

    public int Skip { get; init; }

    public int Limit { get; init; }
}
