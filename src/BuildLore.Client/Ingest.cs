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
