using System.Globalization;
using BuildLore.Core.Builds;
using BuildLore.Core.Analysis;
using BuildLore.Core.Reports;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Builds;

/// <summary>The seed's read side for builds: <c>GET /llm/learning/builds</c> and <c>GET /llm/learning/build/{id}</c>.</summary>
internal static class BuildsApi
{
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapBuilds(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/llm/learning").WithTags("Builds");

        group.MapGet("/builds", ListBuilds)
            .WithName("ListBuilds")
            .WithSummary("Recent builds, newest first, with the end of each log.")
            .WithDescription(
                "Pages with skip/limit (limit 1..200, default 20). Each build carries the last 64 KiB of its log " +
                "(log=tail, the default; log_truncated says whether that is all of it), the whole log (log=full) or none (log=none). " +
                "project, branch, status: only the builds with exactly that value (status: queued, running, success, failed, error, cancelled, timeout); total counts those. " +
                "session_id is accepted and ignored while authentication is off.");

        group.MapGet("/build/{id}", GetBuild)
            .WithName("GetBuild")
            .WithSummary("One build with its whole log, its log summary and the reports written about it.")
            .WithDescription(
                "diagnostics: each distinct error and warning with file, line, column, code, tool and fingerprint; category: why it failed; " +
                "failure_excerpt: the log ranges that explain the failure, fitted to excerpt_tokens (default 2000). log=tail|full|none as on the list.")
            .Produces<BuildDetailResponse>()
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest);

        return app;
    }

    private static async Task<Results<Ok<BuildListResponse>, JsonHttpResult<ErrorResponse>>> ListBuilds(
        IBuildStore store,
        string? limit,
        string? skip,
        string? log,
        string? project,
        string? branch,
        string? status,
        CancellationToken cancellationToken)
    {
        if (!TryParseInt(limit, 20, 1, MaxLimit, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to {MaxLimit} (got '{limit}').", "limit", $"1..{MaxLimit}");
        }

        if (!TryParseInt(skip, 0, 0, int.MaxValue, out var offset))
        {
            return ApiErrors.BadRequest($"skip must be a whole number of 0 or more (got '{skip}').", "skip", "0 or more");
        }

        if (!LogDetails.TryParse(log, LogDetail.Tail, out var detail))
        {
            return ApiErrors.BadRequest($"log must be tail, full or none (got '{log}').", "log", LogDetails.Allowed);
        }

        if (status is { Length: > 0 } && !BuildStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return ApiErrors.BadRequest($"status must be a build status (got '{status}').", "status", string.Join(", ", BuildStatus.All));
        }

        var page = await store.ListBuildsAsync(new BuildListQuery(offset, take, NullIfEmpty(project), NullIfEmpty(branch), NullIfEmpty(status)), cancellationToken);
        var builds = new List<BuildDto>(page.Builds.Count);
        foreach (var build in page.Builds)
        {
            var (text, truncated) = await ReadLogAsync(store, build, detail, cancellationToken);
            builds.Add(build.ToDto(text, truncated));
        }

        return TypedResults.Ok(new BuildListResponse(builds, page.Total, offset, take));
    }

    private static async Task<IResult> GetBuild(IBuildStore store, string id, string? log, string? excerpt_tokens, CancellationToken cancellationToken)
    {
        if (!LogDetails.TryParse(log, LogDetail.Full, out var detail))
        {
            return ApiErrors.BadRequest($"log must be tail, full or none (got '{log}').", "log", LogDetails.Allowed);
        }

        if (!TryParseInt(excerpt_tokens, DefaultExcerptTokens, 100, 100_000, out var excerptTokens))
        {
            return ApiErrors.BadRequest($"excerpt_tokens must be a whole number from 100 to 100000 (got '{excerpt_tokens}').", "excerpt_tokens", "100..100000");
        }

        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        // A running build has no stored analysis yet, and a custom excerpt budget needs a new one:
        // analyze the log as stored so far, one chunk at a time.
        var analysis = build.Analysis is not null && excerptTokens == DefaultExcerptTokens
            ? build.Analysis
            : await AnalyzeStoredLogAsync(store, build, excerptTokens, cancellationToken);
        var reports = await store.ListReportsAsync(build.Id, cancellationToken);
        var fingerprints = analysis.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Fingerprint).Distinct().ToList();
        var known = build.Status == BuildStatus.Success ? [] : await new KnowledgeBase(store).FindAsync(fingerprints, build.Id, 10, cancellationToken);
        var tests = await store.ListTestResultsAsync(build.Id, cancellationToken);
        var dto = build.ToDetailDto(analysis, reports, [.. known.Select(Reports.KnownIssueMapping.ToDto)], tests.Count == 0 ? null : BuildLore.Server.TestResults.TestSummaryDto.From(tests));
        return new BuildDetailResult(dto, store, detail);
    }

    internal const int DefaultExcerptTokens = 2000;

    internal static async Task<LogAnalysis> AnalyzeStoredLogAsync(IBuildStore store, Build build, int excerptTokens, CancellationToken cancellationToken)
    {
        var analyzer = new LogAnalyzer(build.Analysis?.Root);
        await foreach (var chunk in store.ReadLogAsync(build.Id, cancellationToken))
        {
            analyzer.Append(chunk);
        }

        bool? succeeded = build.Status switch
        {
            BuildStatus.Success or BuildStatus.Cancelled => true,
            BuildStatus.Failed or BuildStatus.Error or BuildStatus.Timeout => false,
            _ => null,
        };
        var fresh = analyzer.Complete(succeeded, excerptTokens);
        // A stored analysis may carry what only the runner knew (a timeout, an interruption).
        return build.Analysis is { } stored ? fresh with { Category = stored.Category, CategoryConfidence = stored.CategoryConfidence, Evidence = stored.Evidence } : fresh;
    }

    internal static async Task<(string? Text, bool Truncated)> ReadLogAsync(IBuildStore store, Build build, LogDetail detail, CancellationToken cancellationToken)
    {
        switch (detail)
        {
            case LogDetail.None:
                return (null, false);
            case LogDetail.Tail:
                var tail = await store.ReadLogTailAsync(build.Id, LogDetails.TailChars, cancellationToken);
                return (tail.Text, tail.Truncated);
            default:
                var text = new System.Text.StringBuilder();
                await foreach (var chunk in store.ReadLogAsync(build.Id, cancellationToken))
                {
                    text.Append(chunk);
                }

                return (text.ToString(), false);
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    internal static bool TryParseInt(string? text, int fallback, int min, int max, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
