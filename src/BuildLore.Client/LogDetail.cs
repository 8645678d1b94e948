namespace BuildLore.Client;

/// <summary>How much of each build's log a response carries (the <c>log</c> query parameter).</summary>
public enum LogDetail
{
    /// <summary>The end of the log (the last 64 KiB); <see cref="BuildInfo.LogTruncated"/> says whether that is all of it.</summary>
    Tail,

    /// <summary>The whole log.</summary>
    Full,

    /// <summary>No log: <see cref="BuildInfo.Log"/> is null. The cheapest way to read statuses.</summary>
    None,
}
