namespace BuildLore.Client;

/// <summary>Describes a build pushed by a CI job (<c>POST /llm/learning/builds</c>); every field is optional.</summary>
public sealed class BuildCreation
{
    /// <summary>The project; the server's workspace name when null.</summary>
    public string? Project { get; init; }
    public string? Branch { get; init; }
    public string? Commit { get; init; }
    public string? CommitMessage { get; init; }
    public string? Author { get; init; }
    /// <summary>e.g. <c>github-actions</c>, <c>gitlab</c>, <c>jenkins</c>, <c>local</c>.</summary>
    public string? CiProvider { get; init; }
    public string? JobName { get; init; }
    public string? JobUrl { get; init; }

    /// <summary>What started the build: <c>push</c>, <c>pull_request</c>, <c>schedule</c>, <c>manual</c>, <c>api</c>, or the CI's own word (lowercase).</summary>
    public string? Trigger { get; init; }
}

/// <summary>The answer to creating or finishing a pushed build.</summary>
public sealed class IngestResult
{
    public string Status { get; init; } = "";
    public string BuildId { get; init; } = "";
    public BuildInfo Build { get; init; } = new();
}

/// <summary>What became of one pushed log chunk.</summary>
public sealed class AppendLogResult
{
    public string Status { get; init; } = "";
    public string BuildId { get; init; } = "";
    public long Seq { get; init; }
    public long LastSeq { get; init; }

    /// <summary><c>appended</c>, or <c>duplicate</c> when a retry found the chunk already stored.</summary>
    public string Result { get; init; } = "";
    public long Chars { get; init; }
}

internal sealed class FinishRequest
{
    public string Status { get; init; } = "";
    public int? ExitCode { get; init; }
}

/// <summary>One event of a followed build: <c>log</c> (see <see cref="LogStreamData.Text"/>), <c>diagnostic</c> or <c>end</c>.</summary>
public sealed record LogStreamEvent(string Event, LogStreamData Data);

/// <summary>The fields an event carries; which are set depends on the event.</summary>
public sealed class LogStreamData
{
    /// <summary>log: a piece of the log.</summary>
    public string? Text { get; init; }

    /// <summary>end: the final status; diagnostic: error or warning (as <see cref="Severity"/>).</summary>
    public string? Status { get; init; }
    public int? ExitCode { get; init; }
    public string? Category { get; init; }
    public string? Reason { get; init; }
    public string? Severity { get; init; }
    public string? File { get; init; }
    public int? Line { get; init; }
    public int? Column { get; init; }
    public string? Code { get; init; }
    public string? Message { get; init; }
    public string? Tool { get; init; }
    public long? LogLine { get; init; }
    public string? Fingerprint { get; init; }
}
