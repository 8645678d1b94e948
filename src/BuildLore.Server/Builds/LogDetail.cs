namespace BuildLore.Server.Builds;

/// <summary>How much of a build's log a response carries (<c>?log=tail|full|none</c>).</summary>
internal enum LogDetail
{
    /// <summary>The last <see cref="LogDetails.TailChars"/> characters, with <c>log_truncated</c> saying whether that is all.</summary>
    Tail,
    Full,
    None,
}

internal static class LogDetails
{
    /// <summary>The list page's default: enough for the end of a failure, small enough that 200 builds stay a few MB.</summary>
    public const int TailChars = 64 * 1024;

    public const string Allowed = "one of: tail, full, none";

    public static bool TryParse(string? value, LogDetail fallback, out LogDetail detail)
    {
        switch (value?.ToLowerInvariant())
        {
            case null or "":
                detail = fallback;
                return true;
            case "tail":
                detail = LogDetail.Tail;
                return true;
            case "full":
                detail = LogDetail.Full;
                return true;
            case "none":
                detail = LogDetail.None;
                return true;
            default:
                detail = fallback;
                return false;
        }
    }
}
