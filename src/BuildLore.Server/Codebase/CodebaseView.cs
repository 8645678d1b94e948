using System.Text.Json;

namespace BuildLore.Server.Codebase;

/// <summary>
/// The last steps from a workspace's view to what a client receives: the tree cut to a depth, then the
/// whole fitted to a token budget. The HTTP endpoint and <c>buildlore codebase</c> both go through it,
/// so the command line prints exactly what the API returns.
/// </summary>
public static class CodebaseView
{
    public const int MinTokens = 200;
    public const int MaxTokens = 10_000_000;

    /// <summary>The view with its tree cut to <paramref name="depth"/> levels (int.MaxValue: all) and fitted to <paramref name="maxTokens"/> (0: no budget).</summary>
    public static CodebaseDto Shape(CodebaseDto view, int maxTokens, int depth)
    {
        var cut = depth == int.MaxValue ? view : view with { FileTree = CodebaseBudget.Cut(view.FileTree, depth) };
        return maxTokens > 0 ? CodebaseBudget.Fit(cut, maxTokens) : cut;
    }

    /// <summary>The response body of <c>GET /llm/learning/codebase</c> for <paramref name="view"/>.</summary>
    public static string ToJson(CodebaseDto view) =>
        JsonSerializer.Serialize(new CodebaseResponse(view), ServerJson.Web.CodebaseResponse);

    internal static byte[] ToUtf8Json(CodebaseDto view) =>
        JsonSerializer.SerializeToUtf8Bytes(new CodebaseResponse(view), ServerJson.Web.CodebaseResponse);
}
