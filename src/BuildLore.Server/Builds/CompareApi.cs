using BuildLore.Core.Analysis;
using BuildLore.Core.Storage;
using BuildLore.Core.TestResults;
using BuildLore.Server.Hosting;
using BuildLore.Server.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Builds;

/// <summary><c>GET /llm/learning/build/{id}/compare</c>: what is new in a build since the last green build of its project and branch.</summary>
internal static class CompareApi
{
    public static IEndpointRouteBuilder MapCompare(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/build/{id}/compare", CompareAsync)
            .WithTags("Builds")
            .WithName("CompareWithLastGreen")
            .WithSummary("New diagnostics (by fingerprint), resolved ones, newly failing tests, the commit range, the files changed in it and the duration change versus the last successful build of the same project and branch.")
            .WithDescription("newly_failing_tests: tests that failed in this build and passed, were skipped or did not run in the last green build (baseline_outcome says which: passed, skipped or null). " +
                             "Without a green build before it, everything is new.");
        return app;
    }

    private static async Task<Results<Ok<CompareResponse>, JsonHttpResult<ErrorResponse>>> CompareAsync(
        string id, IBuildStore store, IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        var baseline = await store.FindLastSuccessBeforeAsync(build.Project, build.Branch, build.CreatedAt, build.Id, cancellationToken);
        var current = build.Analysis ?? await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(id, cancellationToken), cancellationToken: cancellationToken);
        var before = baseline?.Analysis?.Diagnostics ?? [];
        var known = before.Select(d => d.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var now = current.Diagnostics.Select(d => d.Fingerprint).ToHashSet(StringComparer.Ordinal);

        static IReadOnlyList<DiagnosticDto> Distinct(IEnumerable<Diagnostic> diagnostics) =>
            [.. diagnostics.GroupBy(d => d.Fingerprint).Select(g => g.First())
                .Select(d => new DiagnosticDto(d.Severity, d.File, d.Line, d.Column, d.Code, d.Message, d.Tool, d.LogLine, d.EndLogLine, d.Fingerprint))];

        var changedFiles = await GitInfo.ChangedFilesAsync(options.Value.ResolveWorkspace(), baseline?.Origin.CommitSha, build.Origin.CommitSha, cancellationToken);
        return TypedResults.Ok(new CompareResponse(
            id,
            baseline?.ToDto(null, false),
            Distinct(current.Diagnostics.Where(d => !known.Contains(d.Fingerprint))),
            Distinct(before.Where(d => !now.Contains(d.Fingerprint))),
            await NewlyFailingTestsAsync(store, build.Id, baseline?.Id, cancellationToken),
            new CommitRange(baseline?.Origin.CommitSha, build.Origin.CommitSha),
            build.Duration is { } d1 && baseline?.Duration is { } d0 ? (d1 - d0).TotalSeconds : null)
        {
            ChangedFiles = changedFiles,
        });
    }

    /// <summary>Tests that failed in the build and did not fail in the baseline (passed, were skipped or did not run), by name.</summary>
    private static async Task<IReadOnlyList<NewlyFailingTestDto>> NewlyFailingTestsAsync(IBuildStore store, string buildId, string? baselineId, CancellationToken cancellationToken)
    {
        var failed = (await store.ListTestResultsAsync(buildId, cancellationToken)).Where(t => t.Outcome == TestOutcome.Failed).ToList();
        if (failed.Count == 0)
        {
            return [];
        }

        // A test reported more than once in the baseline (retries, two reports) keeps its worst outcome
        // there: failed, else passed, else skipped.
        static int Rank(string outcome) => outcome == TestOutcome.Failed ? 2 : outcome == TestOutcome.Passed ? 1 : 0;
        var before = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var test in baselineId is null ? [] : await store.ListTestResultsAsync(baselineId, cancellationToken))
        {
            if (!before.TryGetValue(test.Name, out var outcome) || Rank(test.Outcome) > Rank(outcome))
            {
                before[test.Name] = test.Outcome;
            }
        }

        return [.. failed
            .Where(t => before.GetValueOrDefault(t.Name) != TestOutcome.Failed)
            .DistinctBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new NewlyFailingTestDto(t.Name, t.Suite, t.Message, before.GetValueOrDefault(t.Name)))];
    }
}

public sealed record CommitRange(string? From, string? To);

/// <summary>A test that fails now and did not in the last green build; <c>baseline_outcome</c> is passed, skipped, or null when it did not run there.</summary>
public sealed record NewlyFailingTestDto(string Name, string? Suite, string? Message, string? BaselineOutcome);

public sealed record CompareResponse(
    string BuildId,
    BuildDto? Baseline,
    IReadOnlyList<DiagnosticDto> NewDiagnostics,
    IReadOnlyList<DiagnosticDto> ResolvedDiagnostics,
    IReadOnlyList<NewlyFailingTestDto> NewlyFailingTests,
    CommitRange Commits,
    double? DurationDeltaSeconds)
{
    /// <summary>
    /// Files changed between the baseline's commit and this build's, from the workspace's git repository (at most 500);
    /// null when that cannot be told (no commits recorded, or the workspace does not have them).
    /// </summary>
    public IReadOnlyList<string>? ChangedFiles { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
