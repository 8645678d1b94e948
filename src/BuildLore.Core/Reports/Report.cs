namespace BuildLore.Core.Reports;

/// <summary>
/// An analysis report written by an LLM (or the built-in analyzer). A <c>failure_analysis</c> is about
/// one build; the project-level types may be about a project as a whole, with no build.
/// </summary>
public sealed record Report
{
    public required long Id { get; init; }

    /// <summary>The build analyzed; null for a project-level report.</summary>
    public string? BuildId { get; init; }

    /// <summary>The project the report is about: its build's project, or the one it was submitted for.</summary>
    public required string Project { get; init; }

    public required string Type { get; init; }
    public required string Analysis { get; init; }
    public required IReadOnlyList<string> Recommendations { get; init; }
    public required double Confidence { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The session that submitted it, when the caller sent one.</summary>
    public string? SessionId { get; init; }

    /// <summary>Who submitted it: the authenticated identity's name (a token's name), when there was one.</summary>
    public string? SubmittedBy { get; init; }

    /// <inheritdoc cref="ReportDetails"/>
    public ReportDetails Details { get; init; } = ReportDetails.None;
}

/// <summary>The optional, structured part of a report beyond the seed's fields.</summary>
public sealed record ReportDetails
{
    public static ReportDetails None { get; } = new();

    /// <summary>The underlying cause, in a sentence.</summary>
    public string? RootCause { get; init; }

    /// <summary>Files (and lines) the findings are about.</summary>
    public IReadOnlyList<AffectedFile> AffectedFiles { get; init; } = [];

    /// <summary>A snake_case label; for failure analyses one of the log analyzer's failure categories.</summary>
    public string? Category { get; init; }

    /// <summary>The model that wrote the report.</summary>
    public string? Model { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }
}

/// <summary>A file a report points at, with the lines that matter (possibly none).</summary>
public sealed record AffectedFile(string Path, IReadOnlyList<int> Lines)
{
    public bool Equals(AffectedFile? other) => other is not null && Path == other.Path && Lines.SequenceEqual(other.Lines);

    public override int GetHashCode() => HashCode.Combine(Path, Lines.Count);
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

/// <summary>
/// A validated report ready to be stored. <c>BuildId</c> is required for a failure analysis; when it is set,
/// the report's project is the build's, otherwise <see cref="Project"/> names it.
/// </summary>
public sealed record NewReport(
    string? BuildId,
    string Type,
    string Analysis,
    IReadOnlyList<string> Recommendations,
    double Confidence,
    string? SessionId)
{
    /// <summary>The project of a report with no build.</summary>
    public string? Project { get; init; }

    /// <summary>A client's key for this submission: sending the same key again stores nothing new.</summary>
    public string? IdempotencyKey { get; init; }

    /// <inheritdoc cref="Report.SubmittedBy"/>
    public string? SubmittedBy { get; init; }

    public ReportDetails Details { get; init; } = ReportDetails.None;
}

/// <summary>
/// An earlier failure analysis found through a fingerprint, with the first finished build of its project
/// and branch after it: everything <see cref="KnowledgeBase"/> needs to judge its outcome, read in one query.
/// <c>NextHasFingerprint</c> says whether that build failed with the same fingerprint again.
/// </summary>
public sealed record KnownIssueCandidate(Report Report, string Fingerprint, string? NextBuildId, string? NextStatus, bool NextHasFingerprint);

/// <summary>
/// A failure analysis with the first finished build of its project and branch after it.
/// <c>NextSharesFingerprint</c> says whether that build failed with any error fingerprint of the analyzed build.
/// </summary>
public sealed record ReportFollowUp(long ReportId, double Confidence, string? NextBuildId, string? NextStatus, bool NextSharesFingerprint);

/// <summary>An idempotency key sent again with a different report than the one first stored under it.</summary>
public sealed class IdempotencyKeyReusedException(string key, long existingReportId)
    : Exception($"Idempotency-Key '{key}' was first used for another report (id {existingReportId}): a key names one submission; send a new key for a new report.")
{
    public string Key { get; } = key;

    public long ExistingReportId { get; } = existingReportId;
}
