namespace BuildLore.Core.Runner;

/// <summary>
/// A build command the workspace owner allows the server to run. Profiles come from
/// <c>buildlore.json</c> or are detected from the workspace's build files; never from a request.
/// </summary>
public sealed record BuildProfile
{
    public required string Name { get; init; }
    /// <summary>Run by the platform shell (<c>/bin/sh -c</c>, or <c>cmd /c</c> on Windows).</summary>
    public required string Command { get; init; }
    /// <summary>Relative to the workspace root; must stay inside it.</summary>
    public string WorkingDirectory { get; init; } = ".";
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public TimeSpan? Timeout { get; init; }
    /// <summary>True when the profile was inferred from build files rather than configured.</summary>
    public bool Detected { get; init; }
}
