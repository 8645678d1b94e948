using System.Net;

namespace BuildLore.Client.Tests;

/// <summary>SubmitReportAsync and the reports GetBuildAsync shows, against the real server.</summary>
public sealed class ReportsTests
{
    private const string Log = "src/Program.cs(3,1): error CS0103: The name 'x' does not exist in the current context\n";

    private static readonly string[] AllReportTypes =
    [
        ReportTypes.FailureAnalysis,
        ReportTypes.CodeImprovement,
        ReportTypes.TestCoverage,
        ReportTypes.DependencyAudit,
        ReportTypes.PerformanceAnalysis,
    ];

    [Fact]
    public async Task SubmitReport_EveryFieldRoundTripsThroughGetBuild()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var reportId = await scope.Client.SubmitReportAsync(
            buildId,
            ReportTypes.FailureAnalysis,
            "The build fails because 'x' is never declared.\nSee Program.cs line 3 — «unicode» too.",
            ["Declare x before use", "Add a test for Program"],
            0.85);

        var build = await scope.Client.GetBuildAsync(buildId);
        var report = Assert.Single(build.LlmReports);
        Assert.Equal(reportId, report.Id);
        Assert.Equal(buildId, report.BuildId);
        Assert.Equal(ReportTypes.FailureAnalysis, report.Type);
        Assert.Equal("The build fails because 'x' is never declared.\nSee Program.cs line 3 — «unicode» too.", report.Analysis);
        Assert.Equal(["Declare x before use", "Add a test for Program"], report.Recommendations);
        Assert.Equal(0.85, report.Confidence);
        Assert.Null(report.SessionId);
        Assert.InRange(report.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task SubmitReport_ReportSubmission_ReturnsTheStoredResult()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        var result = await scope.Client.SubmitReportAsync(new ReportSubmission
        {
            BuildId = buildId,
            Type = ReportTypes.TestCoverage,
            Analysis = "No tests cover Program.",
            Confidence = 0,
        });

        Assert.Equal("ok", result.Status);
        Assert.Equal("report stored", result.Message);
        Assert.True(result.ReportId > 0);
        var report = Assert.Single((await scope.Client.GetBuildAsync(buildId, LogDetail.None)).LlmReports);
        Assert.Equal(result.ReportId, report.Id);
        Assert.Empty(report.Recommendations);
        Assert.Equal(0, report.Confidence);
    }

    [Fact]
    public async Task SubmitReport_ReturnsIncreasingReportIdsListedOldestFirst()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);
        var other = await scope.SeedBuildAsync(BuildStatuses.Success, "ok\n");

        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await scope.Client.SubmitReportAsync(i == 2 ? other : buildId, AllReportTypes[i], $"analysis {i}", [], 1));
        }

        Assert.True(ids.Zip(ids.Skip(1)).All(pair => pair.Second > pair.First), string.Join(", ", ids));
        var reports = (await scope.Client.GetBuildAsync(buildId, LogDetail.None)).LlmReports;
        Assert.Equal([ids[0], ids[1], ids[3]], reports.Select(r => r.Id));
        Assert.Equal(["analysis 0", "analysis 1", "analysis 3"], reports.Select(r => r.Analysis));
        Assert.Equal(ids[2], Assert.Single((await scope.Client.GetBuildAsync(other, LogDetail.None)).LlmReports).Id);
    }

    [Theory]
    [InlineData(ReportTypes.FailureAnalysis)]
    [InlineData(ReportTypes.CodeImprovement)]
    [InlineData(ReportTypes.TestCoverage)]
    [InlineData(ReportTypes.DependencyAudit)]
    [InlineData(ReportTypes.PerformanceAnalysis)]
    public async Task SubmitReport_AcceptsEachReportType(string type)
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        await scope.Client.SubmitReportAsync(buildId, type, "findings", ["do this"], 0.5);

        Assert.Equal(type, Assert.Single((await scope.Client.GetBuildAsync(buildId, LogDetail.None)).LlmReports).Type);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    public async Task SubmitReport_ConfidenceOutOfRange_Throws400NamingConfidence(double confidence)
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        var error = await Assert.ThrowsAsync<LLMClientException>(
            () => scope.Client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "findings", [], confidence));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("confidence", error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Allowed));
        Assert.False(string.IsNullOrWhiteSpace(error.ServerMessage));
        Assert.Contains("(field 'confidence'; allowed: ", error.Message, StringComparison.Ordinal);
        Assert.Empty((await scope.Client.GetBuildAsync(buildId, LogDetail.None)).LlmReports);
    }

    [Fact]
    public async Task SubmitReport_UnknownType_Throws400NamingTypeAndListingTheClientsTypes()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        var error = await Assert.ThrowsAsync<LLMClientException>(
            () => scope.Client.SubmitReportAsync(buildId, "root_cause", "findings", [], 0.5));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("type", error.Field);
        Assert.NotNull(error.Allowed);
        // The client's constants are exactly what the server accepts.
        Assert.All(AllReportTypes, type => Assert.Contains(type, error.Allowed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitReport_BlankAnalysis_Throws400NamingAnalysis()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        var error = await Assert.ThrowsAsync<LLMClientException>(
            () => scope.Client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "   ", [], 0.5));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("analysis", error.Field);
    }

    [Fact]
    public async Task SubmitReport_UnknownBuild_Throws404NamingBuildId()
    {
        await using var scope = await ServerScope.StartAsync();

        var error = await Assert.ThrowsAsync<LLMClientException>(
            () => scope.Client.SubmitReportAsync("no-such-build", ReportTypes.FailureAnalysis, "findings", [], 0.5));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("build_id", error.Field);
        Assert.Contains("no-such-build", error.ServerMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task SubmitReport_NonFiniteConfidence_IsRejectedBeforeSending(double confidence)
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => scope.Client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "findings", [], confidence));

        Assert.Empty((await scope.Client.GetBuildAsync(buildId, LogDetail.None)).LlmReports);
    }

    [Fact]
    public async Task SubmitReport_WithSessionId_RecordsItOnTheStoredReport()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);
        using var client = new LLMClient(scope.Url, sessionId: "oauth-session-id-123");

        await client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "findings", ["fix"], 0.9);
        await scope.Client.SubmitReportAsync(buildId, ReportTypes.CodeImprovement, "more findings", [], 0.4);

        var reports = (await scope.Client.GetBuildAsync(buildId)).LlmReports;
        Assert.Equal(2, reports.Count);
        Assert.Equal("oauth-session-id-123", reports[0].SessionId);
        Assert.Null(reports[1].SessionId);
    }

    [Fact]
    public async Task SessionId_WithReservedCharacters_IsSentIntactAndNeverShownInErrors()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, Log);
        const string session = "secret&session=1 +/?";
        using var client = new LLMClient(scope.Url, sessionId: session);

        await client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "findings", [], 0.9);
        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetBuildAsync("missing"));

        Assert.Equal(session, Assert.Single((await client.GetBuildAsync(buildId)).LlmReports).SessionId);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
