using BuildLore.Core.Storage;
using BuildLore.Core.TestResults;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.TestResults;

/// <summary>Test reports attached to builds (JUnit XML or TRX), and the flaky tests they reveal.</summary>
internal static class TestResultsApi
{
    private const int MaxReportBytes = 32 * 1024 * 1024;

    public static IEndpointRouteBuilder MapTestResults(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/llm/learning").WithTags("Tests");

        group.MapPost("/build/{id}/tests", UploadAsync)
            .WithName("UploadTestResults")
            .WithSummary("Attach a test report to a build: JUnit XML (surefire, pytest, jest-junit, node:test, go-junit-report...) or TRX; the format is detected.");

        group.MapGet("/tests/flaky", FlakyAsync)
            .WithName("ListFlakyTests")
            .WithSummary("Tests that passed and failed on one commit, or flipped between consecutive builds of a branch without a related change; filter with project, branch, days.");

        return app;
    }

    private static async Task<Results<Ok<TestUploadResponse>, JsonHttpResult<ErrorResponse>>> UploadAsync(
        string id, HttpRequest request, IBuildStore store, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, MaxReportBytes, cancellationToken);
        if (body is null)
        {
            return ApiErrors.Create(StatusCodes.Status413PayloadTooLarge, "A test report may be at most 32 MiB.", "body");
        }

        IReadOnlyList<TestCaseResult> results;
        try
        {
            using var stream = new MemoryStream(body.Value.ToArray(), writable: false);
            results = TestResultParser.Parse(stream);
        }
        catch (TestResultFormatException e)
        {
            return ApiErrors.BadRequest(e.Message, "body", "JUnit XML or TRX");
        }

        try
        {
            await store.AddTestResultsAsync(id, results, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        return TypedResults.Ok(new TestUploadResponse(id, TestSummaryDto.From(results)));
    }

    private static async Task<Results<Ok<FlakyTestsResponse>, JsonHttpResult<ErrorResponse>>> FlakyAsync(
        string? project, string? branch, string? days, IBuildStore store, IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        if (!Builds.BuildsApi.TryParseInt(days, 30, 1, 3650, out var window))
        {
            return ApiErrors.BadRequest($"days must be a whole number from 1 to 3650 (got '{days}').", "days", "1..3650");
        }

        // What changed between two builds' commits is read from the workspace's repository when it knows them.
        var workspace = options.Value.ResolveWorkspace();
        var runs = await store.ListTestRunsAsync(project, branch, DateTimeOffset.UtcNow.AddDays(-window), cancellationToken);
        var flaky = await FlakyTestRule.FindAsync(runs, (from, to, ct) => Runner.GitInfo.ChangedFilesAsync(workspace, from, to, ct), cancellationToken);
        return TypedResults.Ok(new FlakyTestsResponse([.. flaky.Select(f => new FlakyTestDto(f.Name, f.Runs, f.Failures, f.Flips, f.FlipRate, f.FailedAndPassedOnOneCommit, f.LastSeen))]));
    }
}

public sealed record FailedTestDto(string Name, string? Suite, string? Message);

/// <summary>A build's test results in brief, with the failed tests listed.</summary>
public sealed record TestSummaryDto(int Total, int Passed, int Failed, int Skipped, IReadOnlyList<FailedTestDto> FailedTests)
{
    public static TestSummaryDto From(IReadOnlyList<TestCaseResult> results) => new(
        results.Count,
        results.Count(r => r.Outcome == TestOutcome.Passed),
        results.Count(r => r.Outcome == TestOutcome.Failed),
        results.Count(r => r.Outcome == TestOutcome.Skipped),
        [.. results.Where(r => r.Outcome == TestOutcome.Failed).Take(200).Select(r => new FailedTestDto(r.Name, r.Suite, r.Message))]);
}

public sealed record TestUploadResponse(string BuildId, TestSummaryDto Tests)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record FlakyTestDto(string Name, int Runs, int Failures, int Flips, double FlipRate, bool FailedAndPassedOnOneCommit, DateTimeOffset LastSeen);

public sealed record FlakyTestsResponse(IReadOnlyList<FlakyTestDto> Tests)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
