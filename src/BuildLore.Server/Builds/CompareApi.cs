using BuildLore.Core.Analysis;
using BuildLore.Core.Storage;
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
            .WithSummary("New diagnostics (by fingerprint), resolved ones, the commit range, the files changed in it and the duration change versus the last successful build of the same project and branch.");
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
            new CommitRange(baseline?.Origin.CommitSha, build.Origin.CommitSha),
            build.Duration is { } d1 && baseline?.Duration is { } d0 ? (d1 - d0).TotalSeconds : null)
        {
            ChangedFiles = changedFiles,
        });
    }
}

public sealed record CommitRange(string? From, string? To);

public sealed record CompareResponse(
    string BuildId,
    BuildDto? Baseline,
    IReadOnlyList<DiagnosticDto> NewDiagnostics,
    IReadOnlyList<DiagnosticDto> ResolvedDiagnostics,
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
