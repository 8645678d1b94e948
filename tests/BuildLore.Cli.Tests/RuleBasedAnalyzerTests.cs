using BuildLore.Agent;
using BuildLore.Client;

namespace BuildLore.Cli.Tests;

/// <summary>The built-in analyzer's confidence follows what earlier advice on the same failure led to.</summary>
public sealed class RuleBasedAnalyzerTests
{
    private static BuildDetail Failed(params KnownIssueInfo[] knownIssues) => new()
    {
        Id = "b9",
        Status = BuildStatuses.Failed,
        Category = "compile_error",
        CategoryConfidence = 0.9,
        Diagnostics = [new DiagnosticInfo { Severity = "error", File = "src/a.c", Line = 3, Message = "'total' undeclared", Fingerprint = "f1" }],
        KnownIssues = knownIssues,
    };

    private static KnownIssueInfo Issue(long id, string outcome, string advice, double confidence = 0.85) => new()
    {
        ReportId = id,
        BuildId = $"b{id}",
        Recommendations = [advice],
        Confidence = confidence,
        Fingerprint = "f1",
        Outcome = outcome,
    };

    [Fact]
    public async Task AdviceThatFixedTheFailureOnce_IsRepeatedWithItsCalibratedConfidence()
    {
        var analysis = await new RuleBasedAnalyzer().AnalyzeAsync(Failed(Issue(1, "fixed", "Declare total")));

        var repeated = Assert.Single(analysis!.Recommendations, r => r.Text.StartsWith("Declare total", StringComparison.Ordinal));
        Assert.Equal(0.9, repeated.Confidence); // (1 + 2 * 0.85) / (1 + 0 + 2)
        Assert.Contains("report 1", repeated.Text, StringComparison.Ordinal);
        Assert.Equal(0.9, analysis.Confidence);
    }

    [Fact]
    public async Task AdviceThatFixedItOnceButFailedThreeTimes_FallsBelowTheDefaultThreshold()
    {
        var analysis = await new RuleBasedAnalyzer().AnalyzeAsync(Failed(
            Issue(1, "fixed", "Declare total"),
            Issue(2, "still_failing", "Declare total"),
            Issue(3, "still_failing", "Declare total"),
            Issue(4, "failed_differently", "Declare total")));

        var repeated = Assert.Single(analysis!.Recommendations, r => r.Text.StartsWith("Declare total", StringComparison.Ordinal));
        Assert.Equal(0.45, repeated.Confidence); // (1 + 1.7) / (1 + 3 + 2)
        Assert.Contains("1 of 4 times", repeated.Text, StringComparison.Ordinal);
        Assert.True(analysis.Confidence < 0.7);
    }

    [Fact]
    public async Task EarlierAdviceThatNeverFixedIt_IsNotRepeated_AndLowersConfidence()
    {
        var none = await new RuleBasedAnalyzer().AnalyzeAsync(Failed());
        var twiceFailed = await new RuleBasedAnalyzer().AnalyzeAsync(Failed(Issue(1, "still_failing", "Restart the runner"), Issue(2, "still_failing", "Restart the runner")));

        Assert.DoesNotContain(twiceFailed!.Recommendations, r => r.Text.Contains("Restart the runner", StringComparison.Ordinal));
        Assert.True(twiceFailed.Confidence < none!.Confidence, $"{twiceFailed.Confidence} vs {none.Confidence}");
        Assert.Contains("did not fix it 2 time(s)", twiceFailed.Analysis, StringComparison.Ordinal);
    }
}
