namespace BuildLore.Client;

/// <summary>A stored analysis report about a build, as listed in <see cref="BuildDetail.LlmReports"/>.</summary>
public sealed class ReportInfo
{
    public long Id { get; init; }

    public string BuildId { get; init; } = "";

    /// <summary>One of <see cref="ReportTypes"/>.</summary>
    public string Type { get; init; } = "";

    public string Analysis { get; init; } = "";

    public IReadOnlyList<string> Recommendations { get; init; } = [];

    /// <summary>How sure the author was, from 0 to 1.</summary>
    public double Confidence { get; init; }

    /// <summary>The session that submitted the report, if any.</summary>
    public string? SessionId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An analysis report to submit with <see cref="LLMClient.SubmitReportAsync(ReportSubmission, System.Threading.CancellationToken)"/>.</summary>
public sealed class ReportSubmission
{
    /// <summary>The build the report is about; it must exist.</summary>
    public required string BuildId { get; init; }

    /// <summary>One of <see cref="ReportTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The findings, in prose.</summary>
    public required string Analysis { get; init; }

    /// <summary>What to do about them, one action per entry.</summary>
    public IReadOnlyList<string> Recommendations { get; init; } = [];

    /// <summary>How sure the author is, from 0 to 1.</summary>
    public required double Confidence { get; init; }
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
