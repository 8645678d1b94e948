namespace BuildLore.Server.Runner;

/// <summary>What the workspace's git checkout says about itself, read from <c>.git</c> without running git.</summary>
internal static class GitInfo
{
    /// <summary>The checked-out branch, or null (not a repository, detached HEAD, unreadable).</summary>
    public static string? CurrentBranch(string workspace)
    {
        try
        {
            var head = Path.Combine(workspace, ".git", "HEAD");
            if (!File.Exists(head))
            {
                return null;
            }

            var text = File.ReadAllText(head).Trim();
            const string prefix = "ref: refs/heads/";
            return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
