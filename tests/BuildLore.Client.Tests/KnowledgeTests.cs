namespace BuildLore.Client.Tests;

/// <summary>The learning a client reads back: knowledge per fingerprint, and the project's health with its recurring errors.</summary>
public sealed class KnowledgeTests
{
    private const string Log = "src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n";

    [Fact]
    public async Task Knowledge_AndHealth_ShowTheEarlierReportAndTheRecurringError()
    {
        await using var scope = await ServerScope.StartAsync();
        var first = await PushAsync(scope.Client);
        var report = await scope.Client.SubmitReportAsync(new ReportSubmission
        {
            BuildId = first, Type = ReportTypes.FailureAnalysis, Analysis = "total is not declared", Recommendations = ["Declare total"], Confidence = 0.8,
            IdempotencyKey = "client-test-1",
        });
        var retried = await scope.Client.SubmitReportAsync(new ReportSubmission
        {
            BuildId = first, Type = ReportTypes.FailureAnalysis, Analysis = "total is not declared", Recommendations = ["Declare total"], Confidence = 0.8,
            IdempotencyKey = "client-test-1",
        });
        var again = await PushAsync(scope.Client);
        var detail = await scope.Client.GetBuildAsync(again, LogDetail.None);

        var knowledge = await scope.Client.GetKnowledgeAsync(detail.Fingerprints);
        var health = await scope.Client.GetProjectHealthAsync();

        Assert.Equal(report.ReportId, retried.ReportId);
        var issue = Assert.Single(knowledge.KnownIssues);
        Assert.Equal(report.ReportId, issue.ReportId);
        Assert.Equal(["Declare total"], issue.Recommendations);
        Assert.Equal(detail.Fingerprints, knowledge.Fingerprints);
        var recurring = Assert.Single(health.TopFingerprints);
        Assert.Equal(2, recurring.Builds);
        Assert.Contains("undeclared", recurring.Template, StringComparison.Ordinal);
        Assert.NotEmpty(health.ConfidenceCalibration);
        await Assert.ThrowsAsync<ArgumentException>(() => scope.Client.GetKnowledgeAsync([]));
    }

    /// <summary>A build pushed as a CI would: created, its log appended, finished; the server analyzes it.</summary>
    private static async Task<string> PushAsync(LLMClient client)
    {
        var build = await client.CreateBuildAsync();
        await client.AppendLogAsync(build.BuildId, 1, Log);
        await client.FinishBuildAsync(build.BuildId, BuildStatuses.Failed, exitCode: 1);
        return build.BuildId;
    }
}
