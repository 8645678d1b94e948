using System.Text.Json;
using BuildLore.Core.Codebase;

namespace BuildLore.Server.Codebase;

/// <summary>
/// Fits a codebase response into a token budget, giving up the least useful parts first: previews are
/// shortened, then test, frontend and backend file entries dropped from the end of their lists, then
/// configuration files, then the tree is cut to fewer levels. The response says what went.
/// </summary>
internal static class CodebaseBudget
{
    public static CodebaseDto Fit(CodebaseDto dto, int budget)
    {
        var omitted = new Dictionary<string, int>(StringComparer.Ordinal);
        long Measure(CodebaseDto candidate) => TokenCounter.Count(JsonSerializer.Serialize(candidate, ServerJson.Web.CodebaseDto));

        var tokens = Measure(dto);
        foreach (var length in new[] { 200, 80, 0 })
        {
            if (tokens <= budget)
            {
                break;
            }

            dto = dto with { BackendFiles = Shorten(dto.BackendFiles, length), FrontendFiles = Shorten(dto.FrontendFiles, length), TestFiles = Shorten(dto.TestFiles, length) };
            omitted["preview_chars_over"] = length;
            tokens = Measure(dto);
        }

        foreach (var list in new[] { "test_files", "frontend_files", "backend_files" })
        {
            while (tokens > budget && Get(dto, list).Count > 0)
            {
                var items = Get(dto, list);
                var drop = Math.Max(1, items.Count / 5);
                dto = Set(dto, list, [.. items.Take(items.Count - drop)]);
                omitted[list] = omitted.GetValueOrDefault(list) + drop;
                tokens = Measure(dto);
            }
        }

        while (tokens > budget && dto.KeyConfigFiles.Count > 0)
        {
            var largest = dto.KeyConfigFiles.MaxBy(c => c.Value.Length).Key;
            dto = dto with { KeyConfigFiles = dto.KeyConfigFiles.Where(c => c.Key != largest).ToDictionary() };
            omitted["key_config_files"] = omitted.GetValueOrDefault("key_config_files") + 1;
            tokens = Measure(dto);
        }

        for (var depth = 8; tokens > budget && depth >= 1; depth--)
        {
            dto = dto with { FileTree = Cut(dto.FileTree, depth), FileTreeTruncated = true };
            omitted["tree_depth"] = depth;
            tokens = Measure(dto);
        }

        return dto with { ResponseTokens = tokens, Omitted = omitted };
    }

    private static IReadOnlyList<SourceFileDto> Shorten(IReadOnlyList<SourceFileDto> files, int length) =>
        [.. files.Select(f => f.Preview.Length > length ? f with { Preview = f.Preview[..length] } : f)];

    private static IReadOnlyList<SourceFileDto> Get(CodebaseDto dto, string list) => list switch
    {
        "test_files" => dto.TestFiles,
        "frontend_files" => dto.FrontendFiles,
        _ => dto.BackendFiles,
    };

    private static CodebaseDto Set(CodebaseDto dto, string list, IReadOnlyList<SourceFileDto> files) => list switch
    {
        "test_files" => dto with { TestFiles = files },
        "frontend_files" => dto with { FrontendFiles = files },
        _ => dto with { BackendFiles = files },
    };

    /// <summary>The tree with folders below <paramref name="depth"/> levels left empty.</summary>
    internal static FileTreeNodeDto Cut(FileTreeNodeDto node, int depth) =>
        node.Children is null ? node
        : depth <= 0 ? node with { Children = [] }
        : node with { Children = [.. node.Children.Select(c => Cut(c, depth - 1))] };
}
