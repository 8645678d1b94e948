using System.Diagnostics;
using System.Text;

namespace BuildLore.Core.Codebase;

/// <summary>
/// Reads a workspace into a <see cref="CodebaseSnapshot"/>. In a git repository the file list comes
/// from git itself (<c>git ls-files --cached --others --exclude-standard</c>), so every
/// <c>.gitignore</c> rule applies exactly as git applies it; elsewhere the folder is walked.
/// Secret files, symbolic links that leave the workspace and dependency or output folders are never
/// included.
/// </summary>
public sealed class CodebaseScanner(CodebaseScanOptions? options = null)
{
    private readonly CodebaseScanOptions _options = options ?? new CodebaseScanOptions();

    public const int PreviewLength = 500;

    /// <summary>The workspace owner's extra ignore file (gitignore syntax) for what BuildLore must never show.</summary>
    public const string IgnoreFileName = ".buildloreignore";

    private static readonly HashSet<string> KeyConfigNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "package.json", "tsconfig.json", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile",
        "Directory.Build.props", "Directory.Packages.props", "global.json", "Cargo.toml", "go.mod",
        "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "CMakeLists.txt", "Makefile",
        "Dockerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yaml", ".gitlab-ci.yml",
        "Jenkinsfile", "buildlore.json", "appsettings.json", "vite.config.ts", "vite.config.js",
        "webpack.config.js", "jest.config.js", "Gemfile", "composer.json",
    };

    private static readonly HashSet<string> BackendExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".fs", ".vb", ".py", ".go", ".rs", ".java", ".kt", ".scala", ".rb", ".php", ".c", ".h",
        ".cc", ".cpp", ".hpp", ".cxx", ".ex", ".exs", ".erl", ".swift", ".m", ".sql", ".sh",
    };

    private static readonly HashSet<string> FrontendOnlyExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".tsx", ".jsx", ".vue", ".svelte", ".html", ".htm", ".css", ".scss", ".sass", ".less", ".razor", ".cshtml",
    };

    private static readonly HashSet<string> ScriptExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".ts", ".js", ".mjs", ".cjs", ".mts", ".cts",
    };

    private static readonly HashSet<string> FrontendFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "frontend", "client", "web", "webapp", "ui", "www", "public", "static", "components", "pages", "views", "wwwroot",
    };

    private static readonly HashSet<string> TestFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "test", "tests", "__tests__", "spec", "specs", "testing", "e2e",
    };

    /// <summary>
    /// The workspace's files a client may see, relative with '/' separators: git-ignored files, secret
    /// files, dependency and output folders and links that leave the workspace are not among them.
    /// </summary>
    public IReadOnlyList<string> ListVisibleFiles(string workspaceRoot, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        var realRoot = RealPath(root) ?? root;
        var files = ListFiles(root, cancellationToken);
        files.Sort(StringComparer.Ordinal);
        return [.. files.Where(f => File.Exists(Path.Combine(root, f)) && IsInsideRoot(realRoot, Path.Combine(root, f)))];
    }

    /// <summary>True when <paramref name="relative"/> is a file a client may see (same rules as <see cref="ListVisibleFiles"/>).</summary>
    public bool IsVisible(string workspaceRoot, string relative, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        var full = Path.Combine(root, relative);
        if (!IsListable(relative) || !File.Exists(full) || !IsInsideRoot(RealPath(root) ?? root, full))
        {
            return false;
        }

        // git decides what it ignores; outside a repository nothing is ignored but the rules above.
        return !(_options.UseGit && GitIgnores(root, relative, cancellationToken));
    }

    private static bool GitIgnores(string root, string relative, CancellationToken cancellationToken)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // .buildloreignore (gitignore syntax) is read as the excludes file, on top of .gitignore.
            string[] excludes = File.Exists(Path.Combine(root, IgnoreFileName)) ? ["-c", $"core.excludesFile={IgnoreFileName}"] : [];
            foreach (var arg in (string[])[.. excludes, "check-ignore", "-q", "--no-index", "--", relative])
            {
                start.ArgumentList.Add(arg);
            }

            using var git = Process.Start(start);
            if (git is null)
            {
                return false;
            }

            git.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            return git.ExitCode == 0; // 0: ignored, 1: not ignored, 128: not a repository
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public CodebaseSnapshot Scan(string workspaceRoot, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(workspaceRoot);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Workspace '{root}' does not exist.");
        }

        var realRoot = RealPath(root) ?? root;
        var files = ListFiles(root, cancellationToken);
        files.Sort(StringComparer.Ordinal);

        var rootNode = new DirectoryBuilder(Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar)));
        var keyConfigs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var backend = new List<SourceFile>();
        var frontend = new List<SourceFile>();
        var tests = new List<SourceFile>();
        bool hasBackend = false, hasFrontend = false, hasTests = false, treeTruncated = false;
        var listed = 0;
        var included = 0;
        long totalTokens = 0;
        var languages = new Dictionary<string, long>(StringComparer.Ordinal);
        var visible = new List<string>();

        foreach (var relative in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = Path.Combine(root, relative);
            var info = new FileInfo(full);
            if (!info.Exists || !IsInsideRoot(realRoot, full))
            {
                continue;
            }

            included++;

            visible.Add(relative);
            var kind = Classify(relative);
            var needsText = kind != FileKind.Other || IsKeyConfig(relative);
            var text = needsText ? ReadText(full, info.Length) : null;
            long? lines = text?.Lines;
            long? tokens = text is { IsBinary: false } ? TokenCounter.Estimate(text.Content, Encoding.UTF8.GetByteCount(text.Content), info.Length) : null;
            totalTokens += tokens ?? 0;

            if (listed < _options.MaxTreeEntries)
            {
                rootNode.Add(relative.Split('/'), info.Length, lines, tokens);
                listed++;
            }
            else
            {
                treeTruncated = true;
            }

            if (IsKeyConfig(relative) && text is { IsBinary: false } && keyConfigs.Count < _options.MaxConfigFiles)
            {
                keyConfigs[relative] = text.Content.Length > _options.MaxConfigFileChars
                    ? text.Content[.._options.MaxConfigFileChars]
                    : text.Content;
            }

            if (text is null || text.IsBinary)
            {
                continue;
            }

            if (kind != FileKind.Other)
            {
                var language = Languages.Of(relative);
                languages[language] = languages.GetValueOrDefault(language) + text.Lines;
            }

            var source = new SourceFile(Path.GetFileName(relative), relative, text.Lines, Preview(text.Content));
            switch (kind)
            {
                case FileKind.Test:
                    hasTests = true;
                    AddCapped(tests, source);
                    break;
                case FileKind.Frontend:
                    hasFrontend = true;
                    AddCapped(frontend, source);
                    break;
                case FileKind.Backend:
                    hasBackend = true;
                    AddCapped(backend, source);
                    break;
            }
        }

        return new CodebaseSnapshot(
            rootNode.Name,
            rootNode.Build(),
            treeTruncated,
            keyConfigs,
            backend,
            frontend,
            tests,
            new StructureSummary(hasBackend, hasFrontend, hasTests),
            included)
        {
            TotalTokens = totalTokens,
            Facts = ProjectFactsReader.Read(keyConfigs, visible, languages),
        };
    }

    private void AddCapped(List<SourceFile> list, SourceFile file)
    {
        if (list.Count < _options.MaxSourceFiles)
        {
            list.Add(file);
        }
    }

    private static string Preview(string content) =>
        content.Length <= PreviewLength ? content : content[..PreviewLength];

    private static bool IsKeyConfig(string relative)
    {
        var name = Path.GetFileName(relative);
        if (KeyConfigNames.Contains(name)
            || name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".sln", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return relative.StartsWith(".github/workflows/", StringComparison.Ordinal)
               && (name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase));
    }

    private enum FileKind { Other, Backend, Frontend, Test }

    private static FileKind Classify(string relative)
    {
        var segments = relative.Split('/');
        var name = segments[^1];
        var extension = Path.GetExtension(name);
        var isSource = BackendExtensions.Contains(extension) || FrontendOnlyExtensions.Contains(extension) || ScriptExtensions.Contains(extension);
        if (!isSource)
        {
            return FileKind.Other;
        }

        if (IsTestFile(segments, name))
        {
            return FileKind.Test;
        }

        if (FrontendOnlyExtensions.Contains(extension))
        {
            return FileKind.Frontend;
        }

        if (ScriptExtensions.Contains(extension))
        {
            // JavaScript and TypeScript run on both sides; the folder they live in tells which.
            for (var i = 0; i < segments.Length - 1; i++)
            {
                if (FrontendFolders.Contains(segments[i]))
                {
                    return FileKind.Frontend;
                }
            }
        }

        return FileKind.Backend;
    }

    private static bool IsTestFile(string[] segments, string name)
    {
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (TestFolders.Contains(segments[i])
                || segments[i].EndsWith(".Tests", StringComparison.OrdinalIgnoreCase)
                || segments[i].EndsWith(".Test", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        var stem = Path.GetFileNameWithoutExtension(name);
        return stem.StartsWith("test_", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith("_test", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith("Tests", StringComparison.Ordinal)
               || stem.EndsWith("Test", StringComparison.Ordinal)
               || stem.EndsWith(".test", StringComparison.OrdinalIgnoreCase)
               || stem.EndsWith(".spec", StringComparison.OrdinalIgnoreCase);
    }

    private sealed record FileText(string Content, long Lines, bool IsBinary);

    /// <summary>Reads a file's head for its preview and counts its lines without loading it whole.</summary>
    private FileText ReadText(string path, long length)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            var buffer = new byte[64 * 1024];
            var read = stream.ReadAtLeast(buffer, Math.Min(buffer.Length, (int)Math.Min(length, buffer.Length)), throwOnEndOfStream: false);
            var head = buffer.AsSpan(0, read);
            if (head[..Math.Min(head.Length, 8000)].Contains((byte)0))
            {
                return new FileText(string.Empty, 0, IsBinary: true);
            }

            var keep = Math.Min(read, _options.MaxConfigFileChars * 4);
            var content = Encoding.UTF8.GetString(head[..keep]);
            long lines = head.Count((byte)'\n');
            var last = read > 0 ? head[read - 1] : (byte)'\n';
            long total = read;
            while (total < _options.MaxBytesCountedPerFile && (read = stream.Read(buffer)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
                total += read;
            }

            if (last != (byte)'\n' && total > 0)
            {
                lines++;
            }

            return new FileText(content, lines, IsBinary: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileText(string.Empty, 0, IsBinary: true);
        }
    }

    /// <summary>
    /// True when the file really lies under the root once every link on its path is resolved: a link
    /// "inside.py -> escape/passwd" looks inside, but reads /etc/passwd when "escape" links to /etc,
    /// and git may list a tracked "dir/file" whose folder was since replaced by a link.
    /// </summary>
    private static bool IsInsideRoot(string realRoot, string path) =>
        RealPath(path) is { } real && IsUnder(realRoot, real);

    /// <summary>The path with every symbolic link in it resolved, like realpath(3); null for a link loop.</summary>
    internal static string? RealPath(string path)
    {
        var resolved = Path.GetPathRoot(path) ?? "/";
        var pending = new Stack<string>(path[resolved.Length..].Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).Reverse());
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Combine(resolved, segment);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                resolved = next;
                continue;
            }

            if (++links > 40)
            {
                return null;
            }

            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target) ?? "/";
                target = target[resolved.Length..];
            }

            foreach (var part in target.Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(part);
            }
        }

        return resolved;
    }

    internal static bool IsUnder(string root, string path)
    {
        var normalizedRoot = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(normalizedRoot, StringComparison.Ordinal);
    }

    private List<string> ListFiles(string root, CancellationToken cancellationToken)
    {
        var fromGit = TryListWithGit(root, cancellationToken);
        var files = fromGit ?? WalkFiles(root, cancellationToken);
        return files.Where(f => IsListable(f)).ToList();
    }

    private static bool IsListable(string relative)
    {
        var segments = relative.Split('/');
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (WorkspacePaths.IsSkippedDirectory(segments[i]))
            {
                return false;
            }
        }

        return !WorkspacePaths.IsSecretFile(segments[^1]);
    }

    private List<string>? TryListWithGit(string root, CancellationToken cancellationToken)
    {
        if (!_options.UseGit)
        {
            return null;
        }

        var hasIgnoreFile = File.Exists(Path.Combine(root, IgnoreFileName));
        string[] buildLoreIgnore = hasIgnoreFile ? [$"--exclude-from={IgnoreFileName}"] : [];
        var listed = RunGit(root, ["-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others", "--exclude-standard", .. buildLoreIgnore], cancellationToken);
        if (listed is null)
        {
            return null; // not a repository, or no git: walk the folder instead
        }

        // --cached lists files deleted from the work tree too; Scan skips those that are gone.
        var files = listed.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (hasIgnoreFile)
        {
            // Excludes apply to untracked files only; tracked files matching .buildloreignore are removed here.
            var hidden = RunGit(root, ["-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--ignored", $"--exclude-from={IgnoreFileName}"], cancellationToken);
            var excluded = (hidden ?? "").Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            files.RemoveAll(excluded.Contains);
        }

        return files;
    }

    /// <summary>Runs git in the workspace; its standard output, or null when it failed or is not installed.</summary>
    private static string? RunGit(string root, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            var start = new ProcessStartInfo("git")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var stderr = git.StandardError.ReadToEndAsync(cancellationToken);
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            _ = stderr.Result;
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static List<string> WalkFiles(string root, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options))
            {
                if (entry is DirectoryInfo sub)
                {
                    // Never follow directory links: they may lead anywhere on the host.
                    if (sub.LinkTarget is null && !WorkspacePaths.IsSkippedDirectory(sub.Name))
                    {
                        pending.Push(sub.FullName);
                    }
                }
                else
                {
                    result.Add(Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
        }

        return result;
    }

    private sealed class DirectoryBuilder(string name)
    {
        private readonly SortedDictionary<string, DirectoryBuilder> _directories = new(StringComparer.Ordinal);
        private readonly List<FileTreeNode> _files = [];

        public string Name { get; } = name;

        public void Add(ReadOnlySpan<string> segments, long size, long? lines, long? tokens)
        {
            if (segments.Length == 1)
            {
                _files.Add(new FileTreeNode(segments[0], FileTreeNode.FileType, size, lines, null) { Tokens = tokens });
                return;
            }

            if (!_directories.TryGetValue(segments[0], out var child))
            {
                child = new DirectoryBuilder(segments[0]);
                _directories.Add(segments[0], child);
            }

            child.Add(segments[1..], size, lines, tokens);
        }

        public FileTreeNode Build()
        {
            var children = new List<FileTreeNode>(_directories.Count + _files.Count);
            children.AddRange(_directories.Values.Select(d => d.Build()));
            children.AddRange(_files.OrderBy(f => f.Name, StringComparer.Ordinal));
            return new FileTreeNode(Name, FileTreeNode.DirectoryType, null, null, children) { Tokens = children.Sum(c => c.Tokens ?? 0) };
        }
    }
}

/// <summary>Caps that keep a codebase response a sensible size whatever the workspace.</summary>
public sealed record CodebaseScanOptions
{
    public int MaxTreeEntries { get; init; } = 20_000;
    public int MaxSourceFiles { get; init; } = 300;
    public int MaxConfigFiles { get; init; } = 100;
    public int MaxConfigFileChars { get; init; } = 64 * 1024;
    /// <summary>Lines are counted in at most this many bytes of each file.</summary>
    public long MaxBytesCountedPerFile { get; init; } = 16L * 1024 * 1024;
    /// <summary>Ask git for the file list when the workspace is a repository.</summary>
    public bool UseGit { get; init; } = true;
}
