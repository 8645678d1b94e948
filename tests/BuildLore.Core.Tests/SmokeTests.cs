using BuildLore.Core.Logs;

namespace BuildLore.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Summarize_CountsLines()
    {
        Assert.Equal(2, LogSummarizer.Summarize("a\nb\n").TotalLines);
    }
}
