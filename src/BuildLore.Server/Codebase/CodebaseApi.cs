using BuildLore.Core.Codebase;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Codebase;

/// <summary><c>GET /llm/learning/codebase</c>: the workspace as an LLM needs to see it.</summary>
internal static class CodebaseApi
{
    public static IEndpointRouteBuilder MapCodebase(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/learning/codebase", GetCodebase)
            .WithTags("Codebase")
            .WithName("GetCodebase")
            .WithSummary("The workspace's file tree, key configuration files, source previews and structure summary.")
            .WithDescription(
                "workspace_root is the workspace folder's name, not its absolute path, so the host's layout is not revealed. " +
                "git-ignored files, secret files (.env*, *.pem, *.key, id_rsa*, appsettings.*.json...) and links leaving the workspace are never included.");

        app.MapGet("/llm/learning/codebase/file", GetFile)
            .WithTags("Codebase")
            .WithName("GetCodebaseFile")
            .WithSummary("One file of the workspace (or lines start..end of it), with its language and line count; secrets redacted.");

        app.MapGet("/llm/learning/codebase/search", Search)
            .WithTags("Codebase")
            .WithName("SearchCodebase")
            .WithSummary("Lines of the workspace's visible text files containing q (plain text, or a regular expression with regex=true), with context.");
        return app;
    }

    private static Results<Ok<CodebaseFileResponse>, JsonHttpResult<ErrorResponse>> GetFile(
        string? path, string? start, string? end, IOptions<BuildLoreOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!Builds.BuildsApi.TryParseInt(start, 1, 1, int.MaxValue, out var first) || !Builds.BuildsApi.TryParseInt(end, int.MaxValue, 1, int.MaxValue, out var last) || last < first)
        {
            return ApiErrors.BadRequest("start and end are 1-based line numbers with start <= end.", start is null ? "end" : "start", "1 <= start <= end");
        }

        try
        {
            var file = new WorkspaceFiles(options.Value.ResolveWorkspace()).Read(path ?? "", first, end is null ? null : last, cancellationToken);
            return TypedResults.Ok(new CodebaseFileResponse(file.Path, file.Language, file.Size, file.TotalLines, file.StartLine, file.EndLine, file.Content, file.Binary, file.Truncated, file.Redactions)
            {
                NextStartLine = file.NextStartLine,
            });
        }
        catch (WorkspacePathException e)
        {
            CodebaseLog.Refused(loggers.CreateLogger("BuildLore.Codebase"), path ?? "", e.Message);
            return ApiErrors.Create(StatusCodes.Status403Forbidden, e.Message, "path", "a visible file path relative to the workspace root");
        }
    }

    private static Results<Ok<CodebaseSearchResponse>, JsonHttpResult<ErrorResponse>> Search(
        string? q, string? regex, string? limit, string? context, string[]? include, string[]? exclude, IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(q))
        {
            return ApiErrors.BadRequest("q is required: the text (or, with regex=true, the regular expression) to find.", "q", "a non-empty string");
        }

        if (!Builds.BuildsApi.TryParseInt(limit, 50, 1, 500, out var take))
        {
            return ApiErrors.BadRequest($"limit must be a whole number from 1 to 500 (got '{limit}').", "limit", "1..500");
        }

        if (!Builds.BuildsApi.TryParseInt(context, 2, 0, 20, out var around))
        {
            return ApiErrors.BadRequest($"context must be a whole number from 0 to 20 (got '{context}').", "context", "0..20");
        }

        if (!TryCreateFilter(include, exclude, out var filter, out var error))
        {
            return error;
        }

        try
        {
            var (hits, truncated) = new WorkspaceFiles(options.Value.ResolveWorkspace()).Search(q, regex is "true" or "1", take, around, filter, cancellationToken);
            return TypedResults.Ok(new CodebaseSearchResponse(q, [.. hits.Select(h => new SearchHitDto(h.Path, h.Line, h.Column, h.Text, h.Before, h.After, h.Cut))], truncated));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return ApiErrors.BadRequest($"q is not a supported regular expression: {e.Message}", "q", "a .NET regular expression without backreferences or lookarounds");
        }
    }

    private static async Task<Results<Ok<CodebaseResponse>, FileContentHttpResult, JsonHttpResult<ErrorResponse>>> GetCodebase(
        string? max_tokens, string? depth, string[]? include, string[]? exclude, IOptions<BuildLoreOptions> options, CodebaseCache cache, CancellationToken cancellationToken)
    {
        if (!Builds.BuildsApi.TryParseInt(max_tokens, 0, CodebaseView.MinTokens, CodebaseView.MaxTokens, out var budget))
        {
            return ApiErrors.BadRequest($"max_tokens must be a whole number from {CodebaseView.MinTokens} to {CodebaseView.MaxTokens} (got '{max_tokens}').", "max_tokens", $"{CodebaseView.MinTokens}..{CodebaseView.MaxTokens}");
        }

        if (!Builds.BuildsApi.TryParseInt(depth, int.MaxValue, 1, 1000, out var levels))
        {
            return ApiErrors.BadRequest($"depth must be a whole number from 1 to 1000 (got '{depth}').", "depth", "1..1000");
        }

        if (!TryCreateFilter(include, exclude, out var filter, out var error))
        {
            return error;
        }

        var workspace = options.Value.ResolveWorkspace();
        var cached = await cache.GetAsync(workspace, cancellationToken);
        if (filter is null && budget == 0 && levels == int.MaxValue)
        {
            // The common request: the body was serialized once, when the scan was cached.
            return TypedResults.Bytes(cached.FullResponse, "application/json; charset=utf-8");
        }

        var view = filter is null ? cached.Full : cached.Index.Snapshot(filter, cancellationToken).ToDto();
        return TypedResults.Ok(new CodebaseResponse(CodebaseView.Shape(view, budget, levels)));
    }

    private static bool TryCreateFilter(string[]? include, string[]? exclude, out CodebaseFilter? filter, out JsonHttpResult<ErrorResponse> error)
    {
        try
        {
            filter = CodebaseFilter.Create(include, exclude);
            error = null!;
            return true;
        }
        catch (CodebaseFilterException e)
        {
            filter = null;
            error = ApiErrors.BadRequest(e.Message, e.Field, CodebaseFilter.Allowed);
            return false;
        }
    }
}

/// <summary>
/// A file or some of its lines. With <c>truncated</c>, <c>content</c> holds exactly lines
/// <c>start_line</c>..<c>end_line</c> and <c>next_start_line</c> is where to go on; a single line longer
/// than the cap is sent cut, ending with a "[BuildLore: cut here; ...]" note.
/// </summary>
public sealed record CodebaseFileResponse(string Path, string Language, long Size, long TotalLines, long StartLine, long EndLine, string? Content, bool Binary, bool Truncated, int Redactions)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? NextStartLine { get; init; }
}

/// <summary>A search hit; <c>cut</c> says a line (the hit's or a context line) was longer than 500 characters and only a window of it is given.</summary>
public sealed record SearchHitDto(string Path, long Line, long Column, string Text, IReadOnlyList<string> Before, IReadOnlyList<string> After, bool Cut);

public sealed record CodebaseSearchResponse(string Query, IReadOnlyList<SearchHitDto> Hits, bool Truncated)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

internal static partial class CodebaseLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Refused codebase path '{Path}': {Reason}")]
    public static partial void Refused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "The codebase watcher failed ({Reason}): the cached scan is dropped; the next request rescans and watches again")]
    public static partial void WatcherError(ILogger logger, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Cannot watch workspace '{Workspace}' for changes ({Reason}): every request scans it; trying again in {Seconds} s")]
    public static partial void WatchFailed(ILogger logger, string workspace, string reason, int seconds);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Scanned {Files} files of '{Workspace}' in {Milliseconds} ms (reading {ReadingMs} ms, tokens {TokensMs} ms, view {ViewMs} ms); {Fate}")]
    public static partial void Scanned(ILogger logger, int files, string workspace, long milliseconds, long readingMs, long tokensMs, long viewMs, string fate);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Could not index workspace '{Workspace}' at start ({Reason}); the first codebase request scans it")]
    public static partial void IndexOnStartFailed(ILogger logger, string workspace, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "The cached codebase view is stale: {Change} '{Path}'")]
    public static partial void Stale(ILogger logger, WatcherChangeTypes change, string path);
}

public sealed record CodebaseResponse(CodebaseDto Codebase)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record CodebaseDto(
    string WorkspaceRoot,
    FileTreeNodeDto FileTree,
    bool FileTreeTruncated,
    IReadOnlyDictionary<string, string> KeyConfigFiles,
    IReadOnlyList<SourceFileDto> BackendFiles,
    IReadOnlyList<SourceFileDto> FrontendFiles,
    IReadOnlyList<SourceFileDto> TestFiles,
    StructureSummaryDto StructureSummary,
    int FileCount)
{
    /// <summary>How many key configuration files the view holds (key_config_files has at most 100).</summary>
    public int KeyConfigFilesTotal { get; init; }

    /// <summary>True when key_config_files holds fewer files than the view has.</summary>
    public bool KeyConfigFilesTruncated { get; init; }

    /// <summary>Key configuration files whose text in key_config_files was cut at 64 K characters.</summary>
    public IReadOnlyList<string> KeyConfigFilesCut { get; init; } = [];

    /// <summary>How many backend files the view holds (backend_files lists at most 300).</summary>
    public int BackendFilesTotal { get; init; }

    /// <summary>True when backend_files lists fewer files than the view has (the cap, or max_tokens).</summary>
    public bool BackendFilesTruncated { get; init; }

    public int FrontendFilesTotal { get; init; }

    public bool FrontendFilesTruncated { get; init; }

    public int TestFilesTotal { get; init; }

    public bool TestFilesTruncated { get; init; }

    /// <summary>Estimated o200k tokens of the workspace's text files.</summary>
    public long TotalTokens { get; init; }

    /// <summary>How the token figures were obtained (counted file by file, or from a sample).</summary>
    public TokenEstimateDto? TokenEstimate { get; init; }

    /// <summary>Dependencies declared in the manifests (NuGet, npm, PyPI, Cargo, Go, Maven): what a dependency_audit is written from.</summary>
    public IReadOnlyList<DependencyDto> Dependencies { get; init; } = [];

    /// <summary>True when some manifest was not read whole (cut at 4 MiB, or past the 1,000-manifest cap): the list may be incomplete.</summary>
    public bool DependenciesTruncated { get; init; }

    /// <summary>Which manifests the dependencies were read from, and which were cut, did not parse, or were skipped.</summary>
    public ManifestCoverageDto DependencyManifests { get; init; } = new(0, [], [], [], 0);

    /// <summary>With max_tokens: this response's own size in tokens.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? ResponseTokens { get; init; }

    /// <summary>With max_tokens: what was left out or shortened to fit the budget.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? Omitted { get; init; }

    /// <summary>With max_tokens: what was left out, by name (bounded; not_named counts the rest).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LeftOutDto? LeftOut { get; init; }
}

/// <summary>
/// What a token budget left out: <c>source_files</c> dropped from the backend, frontend and test lists,
/// <c>key_config_files</c> dropped, <c>tree_folders</c> whose contents were cut from the tree (each ends
/// with '/'), and <c>not_named</c>, how many more source files and folders went unnamed to save tokens.
/// </summary>
public sealed record LeftOutDto(IReadOnlyList<string> SourceFiles, IReadOnlyList<string> KeyConfigFiles, IReadOnlyList<string> TreeFolders, int NotNamed);

public sealed record FileTreeNodeDto(
    string Name,
    string Type,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Size,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Lines,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FileTreeNodeDto>? Children,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Tokens = null);

public sealed record SourceFileDto(string Name, string Path, long Lines, string Preview);

public sealed record StructureSummaryDto(bool HasBackend, bool HasFrontend, bool HasTests)
{
    /// <summary>Lines of code per language.</summary>
    public IReadOnlyDictionary<string, long> Languages { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<string> Frameworks { get; init; } = [];
    public IReadOnlyList<string> BuildSystems { get; init; } = [];
    public IReadOnlyList<string> TestFrameworks { get; init; } = [];
    public IReadOnlyList<string> CiSystems { get; init; } = [];
}

/// <summary>How token figures were obtained: <c>method</c> is <c>counted</c> (every text file) or <c>sampled</c>.</summary>
public sealed record TokenEstimateDto(string Encoding, string Method, int FilesCounted, long BytesCounted);

/// <summary>
/// How completely the manifests were read: <c>read</c> parsed; <c>cut</c> longer than the cap and parsed
/// from their beginning; <c>unparsable</c> not valid in their format; <c>skipped</c> (the first 50) and
/// <c>skipped_count</c> past the manifest cap, not read at all.
/// </summary>
public sealed record ManifestCoverageDto(int Read, IReadOnlyList<string> Cut, IReadOnlyList<string> Unparsable, IReadOnlyList<string> Skipped, int SkippedCount);

/// <summary>A dependency declared in one of the workspace's manifests.</summary>
public sealed record DependencyDto(string Name, string? Version, string Ecosystem, string Scope, string Manifest);

public static class CodebaseMapping
{
    /// <summary>The wire form of a snapshot, as <c>GET /llm/learning/codebase</c> returns it.</summary>
    public static CodebaseDto ToDto(this CodebaseSnapshot snapshot) => new(
        snapshot.WorkspaceName,
        snapshot.FileTree.ToDto(),
        snapshot.TreeTruncated,
        snapshot.KeyConfigFiles,
        [.. snapshot.BackendFiles.Select(ToDto)],
        [.. snapshot.FrontendFiles.Select(ToDto)],
        [.. snapshot.TestFiles.Select(ToDto)],
        new StructureSummaryDto(snapshot.StructureSummary.HasBackend, snapshot.StructureSummary.HasFrontend, snapshot.StructureSummary.HasTests)
        {
            Languages = snapshot.Facts.Languages,
            Frameworks = snapshot.Facts.Frameworks,
            BuildSystems = snapshot.Facts.BuildSystems,
            TestFrameworks = snapshot.Facts.TestFrameworks,
            CiSystems = snapshot.Facts.CiSystems,
        },
        snapshot.FileCount)
    {
        KeyConfigFilesTotal = snapshot.KeyConfigFileCount,
        KeyConfigFilesTruncated = snapshot.KeyConfigFiles.Count < snapshot.KeyConfigFileCount,
        KeyConfigFilesCut = snapshot.KeyConfigFilesCut,
        BackendFilesTotal = snapshot.BackendFileCount,
        BackendFilesTruncated = snapshot.BackendFiles.Count < snapshot.BackendFileCount,
        FrontendFilesTotal = snapshot.FrontendFileCount,
        FrontendFilesTruncated = snapshot.FrontendFiles.Count < snapshot.FrontendFileCount,
        TestFilesTotal = snapshot.TestFileCount,
        TestFilesTruncated = snapshot.TestFiles.Count < snapshot.TestFileCount,
        TotalTokens = snapshot.TotalTokens,
        TokenEstimate = new TokenEstimateDto(snapshot.TokenEstimate.Encoding, snapshot.TokenEstimate.Method, snapshot.TokenEstimate.FilesCounted, snapshot.TokenEstimate.BytesCounted),
        Dependencies = [.. snapshot.Facts.Dependencies.Select(d => new DependencyDto(d.Name, d.Version, d.Ecosystem, d.Scope, d.Manifest))],
        DependenciesTruncated = snapshot.Facts.Manifests.Truncated,
        DependencyManifests = snapshot.Facts.Manifests.ToDto(),
    };

    private static FileTreeNodeDto ToDto(this FileTreeNode node) =>
        new(node.Name, node.Type, node.Size, node.Lines, node.Children?.Select(ToDto).ToList(), node.Tokens);

    private static ManifestCoverageDto ToDto(this ManifestCoverage m) => new(m.Read, m.Cut, m.Unparsable, m.Skipped, m.SkippedCount);

    private static SourceFileDto ToDto(SourceFile file) => new(file.Name, file.Path, file.Lines, file.Preview);
}
