namespace BuildLore.Client;

/// <summary>The server's liveness answer, from <see cref="LLMClient.GetHealthAsync"/>.</summary>
public sealed class HealthInfo
{
    /// <summary><c>ok</c> when the server is ready.</summary>
    public string Status { get; init; } = "";

    /// <summary>The server's version.</summary>
    public string Version { get; init; } = "";

    /// <summary>The store the server runs on: <c>sqlite</c> or <c>postgres</c>.</summary>
    public string Store { get; init; } = "";

    /// <summary>The server's own project (its workspace's name), which builds and reports that name none belong to.</summary>
    public string? Project { get; init; }
}
