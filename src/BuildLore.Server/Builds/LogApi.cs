using System.Text;
using System.Text.RegularExpressions;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace BuildLore.Server.Builds;

/// <summary>
/// <c>GET /llm/learning/build/{id}/log</c>: the parts of a log an LLM can afford to read: a range of
/// lines (from the end with a negative offset), a server-side search with context, or the failure
/// excerpt; with totals and <c>has_more</c> so nothing is cut silently. The log is read as a stream.
/// </summary>
internal static class LogApi
{
    public const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/build/{id}/log", GetLog)
            .WithTags("Builds")
            .WithName("GetLog")
            .WithSummary("Lines of a build's log: a range, a search, or the failure excerpt.")
            .WithDescription(
                "offset: first line, 0-based; negative counts from the end (-200 = the last 200 lines). limit: lines (or matches) to return, 1..10000, default 200. " +
                "grep: a regular expression (case-insensitive) with context lines around each match (0..20, default 2). excerpt=true: the failure excerpt instead. " +
                "timestamps=true: each line (of a range or a search) with the time it began, as captured by the runner or received from the CI (absent when unknown).");
        return app;
    }

    private static async Task<Results<Ok<LogResponse>, JsonHttpResult<ErrorResponse>>> GetLog(
        string id, string? offset, string? limit, string? grep, string? context, string? excerpt, string? timestamps, IBuildStore store, CancellationToken cancellationToken)
    {
        if (!TryParseFlag(timestamps, out var withTimes))
        {
            return ApiErrors.BadRequest($"timestamps must be true or false (got '{timestamps}').", "timestamps", "true or false");
        }

        if (!BuildsApi.TryParseInt(limit, 200, 1, MaxLimit, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to {MaxLimit} (got '{limit}').", "limit", $"1..{MaxLimit}");
        }

        if (!BuildsApi.TryParseInt(offset, 0, int.MinValue + 1, int.MaxValue, out var start))
        {
            return ApiErrors.BadRequest($"offset must be a whole number (got '{offset}').", "offset", "an integer; negative counts from the end");
        }

        if (!BuildsApi.TryParseInt(context, 2, 0, 20, out var around))
        {
            return ApiErrors.BadRequest($"context must be a whole number from 0 to 20 (got '{context}').", "context", "0..20");
        }

        Regex? pattern = null;
        if (!string.IsNullOrEmpty(grep))
        {
            try
            {
                pattern = new Regex(grep, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return ApiErrors.BadRequest($"grep is not a supported regular expression: {e.Message}", "grep", "a .NET regular expression without backreferences or lookarounds");
            }
        }

        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        if (excerpt is "true" or "1")
        {
            // A build that is running, or was ended without an analysis (interrupted, idle), is analyzed as stored.
            var analysis = build.Analysis ?? await BuildsApi.AnalyzeStoredLogAsync(store, build, BuildsApi.DefaultExcerptTokens, cancellationToken);
            var lines = analysis.FailureExcerpt.SelectMany(r => r.Text.Split('\n').Select((text, i) => new LogLineDto(r.StartLine + i, text, null))).ToList();
            var (omittedErrors, omittedLines) = ExcerptOmissions(analysis);
            return TypedResults.Ok(new LogResponse(id, build.Status, analysis.TotalLines, 0, lines.Count, lines, omittedErrors > 0 || omittedLines > 0)
            {
                OmittedErrors = omittedErrors,
                OmittedLines = omittedLines,
            });
        }

        if (pattern is not null)
        {
            return TypedResults.Ok(await SearchAsync(store, id, build.Status, pattern, take, around, withTimes, cancellationToken));
        }

        var total = start < 0 ? await CountLinesAsync(store, id, cancellationToken) : -1;
        var first = start < 0 ? Math.Max(0, total + start) : start;
        var collected = new List<LogLineDto>();
        var hasMore = false;
        var seen = await ForEachLineAsync(store, id, withTimes, (number, text, time) =>
        {
            if (number <= first)
            {
                return true;
            }

            if (collected.Count == take)
            {
                hasMore = true;
                return true; // keep counting lines for the total
            }

            collected.Add(new LogLineDto(number, text, null) { Time = time });
            return true;
        }, cancellationToken);
        return TypedResults.Ok(new LogResponse(id, build.Status, seen, first, take, collected, hasMore));
    }

    private static async Task<LogResponse> SearchAsync(IBuildStore store, string id, string status, Regex pattern, int maxMatches, int around, bool withTimes, CancellationToken cancellationToken)
    {
        var before = new Queue<(long Number, string Text, DateTimeOffset? Time)>();
        var result = new List<LogLineDto>();
        long lastEmitted = 0, afterUntil = 0;
        var matches = 0;
        long totalMatches = 0;
        var hasMore = false;
        var total = await ForEachLineAsync(store, id, withTimes, (number, text, time) =>
        {
            var isMatch = SafeIsMatch(pattern, text);
            if (isMatch)
            {
                totalMatches++;
            }

            if (isMatch && matches == maxMatches)
            {
                hasMore = true;
                isMatch = false;
            }

            if (isMatch)
            {
                matches++;
                foreach (var (n, t, at) in before.Where(b => b.Number > lastEmitted))
                {
                    result.Add(new LogLineDto(n, t, false) { Time = at });
                }

                result.Add(new LogLineDto(number, text, true) { Time = time });
                lastEmitted = number;
                afterUntil = number + around;
                before.Clear();
            }
            else if (number <= afterUntil)
            {
                result.Add(new LogLineDto(number, text, false) { Time = time });
                lastEmitted = number;
            }
            else
            {
                before.Enqueue((number, text, time));
                if (before.Count > around)
                {
                    before.Dequeue();
                }
            }

            return true;
        }, cancellationToken);
        return new LogResponse(id, status, total, 0, maxMatches, result, hasMore) { Matches = matches, TotalMatches = totalMatches };
    }

    /// <summary>
    /// What the excerpt leaves out: errors (counted, also those beyond the listed diagnostics) whose first
    /// line is in no excerpt range, and lines of error blocks that no range shows. Nothing for a build the
    /// log shows no failure of (no excerpt is made then).
    /// </summary>
    private static (long Errors, long Lines) ExcerptOmissions(Core.Analysis.LogAnalysis analysis)
    {
        if (analysis.FailureExcerpt.Count == 0 && analysis.Category is null)
        {
            return (0, 0);
        }

        var ranges = analysis.FailureExcerpt;
        bool Shown(long line) => ranges.Any(r => r.StartLine <= line && line <= r.EndLine);
        var errors = analysis.Diagnostics.Where(d => d.Severity == Core.Analysis.DiagnosticSeverity.Error).ToList();
        var omittedErrors = Math.Max(0, analysis.ErrorCount - errors.Count(d => Shown(d.LogLine)));
        var blockLines = new HashSet<long>();
        foreach (var d in errors)
        {
            for (var line = d.LogLine; line <= Math.Max(d.LogLine, d.EndLogLine); line++)
            {
                blockLines.Add(line);
            }
        }

        return (omittedErrors, blockLines.Count(line => !Shown(line)));
    }

    private static bool SafeIsMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Task<long> CountLinesAsync(IBuildStore store, string id, CancellationToken cancellationToken) =>
        ForEachLineAsync(store, id, withTimes: false, (_, _, _) => true, cancellationToken);

    private static bool TryParseFlag(string? text, out bool value)
    {
        value = text is "true" or "1";
        return text is null or "" or "true" or "1" or "false" or "0";
    }

    /// <summary>
    /// Calls <paramref name="visit"/> for each line (1-based) of the stored log, chunk by chunk, with the
    /// time the line began when <paramref name="withTimes"/> (null when not stored); returns the line count.
    /// </summary>
    private static async Task<long> ForEachLineAsync(IBuildStore store, string id, bool withTimes, Func<long, string, DateTimeOffset?, bool> visit, CancellationToken cancellationToken)
    {
        var partial = new StringBuilder();
        long number = 0;
        // A line's time is read where it begins, which is where the rule of LineTimes says it does.
        var atLineStart = true;
        DateTimeOffset? lineTime = null;
        var chunks = withTimes ? store.ReadLogWithTimesAsync(id, cancellationToken) : WithoutTimes(store.ReadLogAsync(id, cancellationToken));
        await foreach (var (chunk, times) in chunks)
        {
            if (chunk.Length == 0)
            {
                continue;
            }

            // A mutable struct: kept in a local, never behind a Nullable (whose Value is a copy).
            var cursor = times is null ? default : times.GetCursor();
            if (atLineStart)
            {
                lineTime = times is null ? null : cursor.Next();
            }

            var span = chunk.AsSpan();
            int newline;
            while ((newline = span.IndexOf('\n')) >= 0)
            {
                partial.Append(span[..newline]);
                var line = partial.ToString();
                partial.Clear();
                visit(++number, line.EndsWith('\r') ? line[..^1] : line, lineTime);
                span = span[(newline + 1)..];
                if (!span.IsEmpty)
                {
                    lineTime = times is null ? null : cursor.Next();
                }
            }

            partial.Append(span);
            atLineStart = chunk[^1] == '\n';
        }

        if (partial.Length > 0)
        {
            visit(++number, partial.ToString(), lineTime);
        }

        return number;
    }

    private static async IAsyncEnumerable<(string Text, LineTimes? Times)> WithoutTimes(IAsyncEnumerable<string> chunks)
    {
        await foreach (var chunk in chunks.ConfigureAwait(false))
        {
            yield return (chunk, null);
        }
    }
}

public sealed record LogLineDto(
    long Number,
    string Text,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Match)
{
    /// <summary>When the line began (with <c>timestamps=true</c>; absent when not known).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Time { get; init; }
}

public sealed record LogResponse(string BuildId, string BuildStatus, long TotalLines, long Offset, int Limit, IReadOnlyList<LogLineDto> Lines, bool HasMore)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";

    /// <summary>How many lines matched <c>grep</c> among those returned (null without a search).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Matches { get; init; }

    /// <summary>How many lines of the whole log match <c>grep</c>, returned or not (null without a search).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? TotalMatches { get; init; }

    /// <summary>With <c>excerpt=true</c>: errors whose first line the excerpt does not show (it is capped in ranges and tokens).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? OmittedErrors { get; init; }

    /// <summary>With <c>excerpt=true</c>: lines of error blocks that the excerpt does not show.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? OmittedLines { get; init; }
}
