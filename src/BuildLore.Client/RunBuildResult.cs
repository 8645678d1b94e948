namespace BuildLore.Client;

/// <summary>A build queued by <see cref="LLMClient.RunBuildAsync"/>; follow it with <see cref="LLMClient.WaitForBuildAsync"/>.</summary>
public sealed class RunBuildResult
{
    /// <summary><c>ok</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>For example <c>build queued</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary>The new build's id.</summary>
    public string BuildId { get; init; } = "";

    /// <summary>The new build as it was queued (status <c>queued</c>, no log yet).</summary>
    public BuildInfo Build { get; init; } = new();
}
