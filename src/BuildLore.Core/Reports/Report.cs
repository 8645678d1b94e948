namespace BuildLore.Core.Reports;

/// <summary>An analysis report written by an LLM (or the built-in analyzer) about a build.</summary>
public sealed record Report
{
    public required long Id { get; init; }
    public required string BuildId { get; init; }
    public required string Type { get; init; }
    public required string Analysis { get; init; }
    public required IReadOnlyList<string> Recommendations { get; init; }
    public required double Confidence { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The session that submitted it, when the caller sent one.</summary>
    public string? SessionId { get; init; }
}

/// <summary>Which reports to list; null filters match everything.</summary>
public sealed record ReportQuery(
    string? Type = null,
    string? BuildId = null,
    string? Project = null,
    double? MinConfidence = null,
    DateTimeOffset? Since = null,
    int Skip = 0,
    int Limit = 20);

/// <summary>A report together with the build it analyzed, and the fingerprint it was found by.</summary>
public sealed record ReportOnBuild(Report Report, string Project, string? Branch, DateTimeOffset BuildCreatedAt, string? Fingerprint);

/// <summary>A validated report ready to be stored.</summary>
public sealed record NewReport(
    string BuildId,
    string Type,
    string Analysis,
    IReadOnlyList<string> Recommendations,
    double Confidence,
    string? SessionId)
{
    /// <summary>A client's key for this submission: sending the same key again stores nothing new.</summary>
    public string? IdempotencyKey { get; init; }
}
