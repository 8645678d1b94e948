using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Makes the paths in diagnostics relative to the workspace: to the given root, and to a checkout root
/// detected from the CI systems' well-known folders (GitHub Actions, GitLab, Jenkins, Azure Pipelines,
/// CircleCI, Buildkite). Both apply: a path under the given root is made relative to it, any other
/// path under the detected CI checkout root relative to that.
/// </summary>
public sealed partial class PathNormalizer(string? root = null)
{
    private readonly string? _given = Normalize(root);
    private string? _detected;

    private static readonly System.Buffers.SearchValues<string> RootMarkers = System.Buffers.SearchValues.Create(
        ["/home/runner/", "/__w/", "/github/workspace/", "/builds/", "/workspace/", "/home/vsts/", ":\\a\\", ":/a/", "/home/circleci/", "/buildkite-agent/"],
        StringComparison.Ordinal);

    /// <summary>The root in use: the given one, else the CI checkout root detected from the log so far.</summary>
    public string? Root => _given ?? _detected;

    /// <summary>The CI checkout root detected from the log so far, if any.</summary>
    public string? DetectedRoot => _detected;

    /// <summary>Looks at a log line for a CI checkout root, until one is found.</summary>
    public void Observe(string line)
    {
        if (_detected is not null || line.Length < 8 || line.AsSpan().IndexOfAny(RootMarkers) < 0)
        {
            return;
        }

        var match = CiRoot().Match(line);
        if (match.Success)
        {
            _detected = Normalize(match.Groups["root"].Value);
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
        if (!StripRoot(ref path, _given))
        {
            if (_detected is null && CiRoot().Match(path) is { Success: true } match)
            {
                _detected = Normalize(match.Groups["root"].Value);
            }

            StripRoot(ref path, _detected);
        }

        if (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        return path;
    }

    private static bool StripRoot(ref string path, string? root)
    {
        if (root is null)
        {
            return false;
        }

        // Usually a prefix; some tools glue output in front of it (Gradle 4's ":compileJava/path").
        var at = path.IndexOf(root, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }

        path = path[(at + root.Length)..];
        return true;
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
