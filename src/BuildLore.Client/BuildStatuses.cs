namespace BuildLore.Client;

/// <summary>
/// The values of a build's <c>status</c>. A build is <see cref="Queued"/>, then <see cref="Running"/>, then
/// one of the finished states; see <see cref="IsFinished(string)"/>.
/// </summary>
public static class BuildStatuses
{
    /// <summary>Waiting for the runner.</summary>
    public const string Queued = "queued";

    /// <summary>The build command is running.</summary>
    public const string Running = "running";

    /// <summary>The build command exited with code 0.</summary>
    public const string Success = "success";

    /// <summary>The build command exited with a non-zero code.</summary>
    public const string Failed = "failed";

    /// <summary>The build could not run or was interrupted (for example the server stopped); <c>reason</c> says why.</summary>
    public const string Error = "error";

    /// <summary>The build was cancelled on request.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The build ran longer than its profile allows and was stopped.</summary>
    public const string Timeout = "timeout";

    /// <summary>True once a build can no longer change: its log, summary and exit code are final.</summary>
    /// <param name="status">A build's <c>status</c>.</param>
    public static bool IsFinished(string status) =>
        status is Success or Failed or Error or Cancelled or Timeout;
}
