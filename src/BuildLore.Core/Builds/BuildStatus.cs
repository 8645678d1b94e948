namespace BuildLore.Core.Builds;

/// <summary>
/// The states a build moves through. They are strings on the wire and in the store, so they are
/// kept as string constants rather than an enum that would need a converter everywhere.
/// </summary>
public static class BuildStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Error = "error";
    public const string Cancelled = "cancelled";
    public const string Timeout = "timeout";

    public static IReadOnlyList<string> All { get; } = [Queued, Running, Success, Failed, Error, Cancelled, Timeout];

    /// <summary>True once a build can no longer change: its log and summary are final.</summary>
    public static bool IsFinished(string status) =>
        status is Success or Failed or Error or Cancelled or Timeout;
}
