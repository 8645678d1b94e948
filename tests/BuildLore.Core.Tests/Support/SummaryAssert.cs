using BuildLore.Core.Logs;

namespace BuildLore.Core.Tests.Support;

internal static class SummaryAssert
{
    /// <summary>LogSummary is a record holding lists, so its own Equals compares the lists by reference.</summary>
    public static void Equal(LogSummary expected, LogSummary actual)
    {
        Assert.Equal(expected.TotalLines, actual.TotalLines);
        Assert.Equal(expected.ErrorCount, actual.ErrorCount);
        Assert.Equal(expected.WarningCount, actual.WarningCount);
        Assert.Equal(expected.Errors, actual.Errors);
        Assert.Equal(expected.Warnings, actual.Warnings);
    }
}
