using BuildLore.Core.Analysis;
using BuildLore.Core.Logs;

namespace BuildLore.Tests;

/// <summary>The seed's log summary of a whole text, as the server computes it.</summary>
public static class Summaries
{
    public static LogSummary Of(string text) => LogAnalyzer.Analyze(text).ToLogSummary();
}
