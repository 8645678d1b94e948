using BuildLore.Core.Codebase;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
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
        return app;
    }

    private static async Task<Ok<CodebaseResponse>> GetCodebase(IOptions<BuildLoreOptions> options, CancellationToken cancellationToken)
    {
        var workspace = options.Value.ResolveWorkspace();
        var snapshot = await Task.Run(() => new CodebaseScanner().Scan(workspace, cancellationToken), cancellationToken);
        return TypedResults.Ok(new CodebaseResponse(snapshot.ToDto()));
    }
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
    int FileCount);

public sealed record FileTreeNodeDto(
    string Name,
    string Type,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Size,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? Lines,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FileTreeNodeDto>? Children);

public sealed record SourceFileDto(string Name, string Path, long Lines, string Preview);

public sealed record StructureSummaryDto(bool HasBackend, bool HasFrontend, bool HasTests);

internal static class CodebaseMapping
{
    public static CodebaseDto ToDto(this CodebaseSnapshot snapshot) => new(
        snapshot.WorkspaceName,
        snapshot.FileTree.ToDto(),
        snapshot.TreeTruncated,
        snapshot.KeyConfigFiles,
        [.. snapshot.BackendFiles.Select(ToDto)],
        [.. snapshot.FrontendFiles.Select(ToDto)],
        [.. snapshot.TestFiles.Select(ToDto)],
        new StructureSummaryDto(snapshot.StructureSummary.HasBackend, snapshot.StructureSummary.HasFrontend, snapshot.StructureSummary.HasTests),
        snapshot.FileCount);

    private static FileTreeNodeDto ToDto(this FileTreeNode node) =>
        new(node.Name, node.Type, node.Size, node.Lines, node.Children?.Select(ToDto).ToList());

    private static SourceFileDto ToDto(SourceFile file) => new(file.Name, file.Path, file.Lines, file.Preview);
}
