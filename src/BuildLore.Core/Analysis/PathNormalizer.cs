using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Makes the paths in diagnostics relative to the workspace root: the given root, or one detected from
/// the CI systems' well-known checkout folders (GitHub Actions, GitLab, Jenkins, Azure Pipelines,
/// CircleCI, Buildkite).
/// </summary>
public sealed partial class PathNormalizer(string? root = null)
{
    private string? _root = Normalize(root);

    private static readonly System.Buffers.SearchValues<string> RootMarkers = System.Buffers.SearchValues.Create(
        ["/home/runner/", "/__w/", "/github/workspace/", "/builds/", "/workspace/", "/home/vsts/", ":\\a\\", ":/a/", "/home/circleci/", "/buildkite-agent/"],
        StringComparison.Ordinal);

    /// <summary>The root in use (given, or detected from the log so far).</summary>
    public string? Root => _root;

    /// <summary>Looks at a log line for a CI checkout root, until one is found.</summary>
    public void Observe(string line)
    {
        if (_root is not null || line.Length < 8 || line.AsSpan().IndexOfAny(RootMarkers) < 0)
        {
            return;
        }

        var match = CiRoot().Match(line);
        if (match.Success)
        {
            _root = Normalize(match.Groups["root"].Value);
        }
    }

    public string? Relativize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return path;
        }

        path = path.Trim();
        if (path.StartsWith("file://", StringComparison.Ordinal))
        {
            path = Uri.UnescapeDataString(path["file://".Length..]);
        }

        path = path.Replace('\\', '/');
        if (_root is null)
        {
            var match = CiRoot().Match(path);
            if (match.Success)
            {
                _root = Normalize(match.Groups["root"].Value);
            }
        }

        if (_root is not null)
        {
            // Usually a prefix; some tools glue output in front of it (Gradle 4's ":compileJava/path").
            var at = path.IndexOf(_root, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                path = path[(at + _root.Length)..];
            }
        }

        if (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        return path;
    }

    private static string? Normalize(string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
        {
            return null;
        }

        root = root.Replace('\\', '/');
        return root.EndsWith('/') ? root : root + "/";
    }

    [GeneratedRegex(
        @"(?<root>/home/runner/work/[^/\s:]+/[^/\s:]+/|/__w/[^/\s:]+/[^/\s:]+/|/github/workspace/|/builds/[^/\s:]+/[^/\s:]+/|/var/lib/jenkins/workspace/[^/\s:]+/|/home/jenkins/(?:agent/)?workspace/[^/\s:]+/|/home/vsts/work/\d+/s/|[A-Za-z]:[\\/]a[\\/][^\\/\s:]+[\\/][^\\/\s:]+[\\/]|/home/circleci/(?:project|repo)/|/var/lib/buildkite-agent/builds/[^/\s:]+/[^/\s:]+/[^/\s:]+/)")]
    private static partial Regex CiRoot();
}
