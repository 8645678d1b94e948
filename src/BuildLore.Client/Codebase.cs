namespace BuildLore.Client;

/// <summary>
/// The workspace as an LLM needs to see it, from <see cref="LLMClient.GetCodebaseAsync(CodebaseOptions, CancellationToken)"/>: its file tree,
/// key configuration files, previews of its source files and what kind of project it is.
/// </summary>
public sealed class Codebase
{
    /// <summary>The workspace folder's name (not its path on the server).</summary>
    public string WorkspaceRoot { get; init; } = "";

    /// <summary>The root directory of the workspace.</summary>
    public FileTreeNode FileTree { get; init; } = new();

    /// <summary>True when the tree was cut short because the workspace is large.</summary>
    public bool FileTreeTruncated { get; init; }

    /// <summary>Key configuration files by relative path (for example <c>package.json</c>, <c>Directory.Build.props</c>) and their text.</summary>
    public IReadOnlyDictionary<string, string> KeyConfigFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>How many key configuration files the view holds; <see cref="KeyConfigFiles"/> has at most the server's cap.</summary>
    public int KeyConfigFilesTotal { get; init; }

    /// <summary>True when <see cref="KeyConfigFiles"/> holds fewer files than the view has.</summary>
    public bool KeyConfigFilesTruncated { get; init; }

    /// <summary>Key configuration files whose text was cut at the server's per-file cap.</summary>
    public IReadOnlyList<string> KeyConfigFilesCut { get; init; } = [];

    public IReadOnlyList<SourceFileInfo> BackendFiles { get; init; } = [];

    /// <summary>How many backend files the view holds; <see cref="BackendFiles"/> lists at most the server's cap.</summary>
    public int BackendFilesTotal { get; init; }

    /// <summary>True when <see cref="BackendFiles"/> lists fewer files than the view has (the cap, or a token budget).</summary>
    public bool BackendFilesTruncated { get; init; }

    public IReadOnlyList<SourceFileInfo> FrontendFiles { get; init; } = [];

    public int FrontendFilesTotal { get; init; }

    public bool FrontendFilesTruncated { get; init; }

    public IReadOnlyList<SourceFileInfo> TestFiles { get; init; } = [];

    public int TestFilesTotal { get; init; }

    public bool TestFilesTruncated { get; init; }

    public StructureSummary StructureSummary { get; init; } = new();

    /// <summary>How many files the workspace holds (those the server may show).</summary>
    public int FileCount { get; init; }

    /// <summary>Dependencies declared in the workspace's manifests (NuGet, npm, PyPI, Cargo, Go, Maven).</summary>
    public IReadOnlyList<DependencyInfo> Dependencies { get; init; } = [];

    /// <summary>True when some manifest was not read whole, so <see cref="Dependencies"/> may be incomplete; <see cref="DependencyManifests"/> says which.</summary>
    public bool DependenciesTruncated { get; init; }

    /// <summary>Which manifests the dependencies were read from, and which were cut, did not parse, or were skipped.</summary>
    public ManifestCoverage DependencyManifests { get; init; } = new();

    /// <summary>Estimated o200k tokens of all the text files in the view.</summary>
    public long TotalTokens { get; init; }

    /// <summary>With <see cref="CodebaseOptions.MaxTokens"/>: the response's own size in tokens.</summary>
    public long? ResponseTokens { get; init; }

    /// <summary>With <see cref="CodebaseOptions.MaxTokens"/>: what was left out or shortened to fit, such as <c>test_files</c>: 12.</summary>
    public IReadOnlyDictionary<string, int>? Omitted { get; init; }

    /// <summary>With <see cref="CodebaseOptions.MaxTokens"/>: what was left out, by name.</summary>
    public LeftOut? LeftOut { get; init; }
}

/// <summary>
/// What a token budget left out, least relevant first: generated and vendored code, tests, deep paths,
/// nested configuration, then tree levels. Names are bounded; <see cref="NotNamed"/> counts the rest.
/// </summary>
public sealed class LeftOut
{
    /// <summary>Entries dropped from the backend, frontend and test lists.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    public IReadOnlyList<string> KeyConfigFiles { get; init; } = [];

    /// <summary>Folders (ending with '/') whose contents were cut from the tree.</summary>
    public IReadOnlyList<string> TreeFolders { get; init; } = [];

    /// <summary>How many more source files and folders went without being named.</summary>
    public int NotNamed { get; init; }
}

/// <summary>A dependency declared in one of the workspace's manifests.</summary>
public sealed class DependencyInfo
{
    public string Name { get; init; } = "";

    /// <summary>The version or range as declared (for NuGet, the central version when the project gives none); null when none is.</summary>
    public string? Version { get; init; }

    /// <summary><c>nuget</c>, <c>npm</c>, <c>pypi</c>, <c>cargo</c>, <c>go</c> or <c>maven</c>.</summary>
    public string Ecosystem { get; init; } = "";

    /// <summary><c>runtime</c>, <c>dev</c> (build and tooling too), <c>test</c> or <c>indirect</c>.</summary>
    public string Scope { get; init; } = "";

    /// <summary>The manifest that declares it, relative to the workspace root.</summary>
    public string Manifest { get; init; } = "";
}

/// <summary>How completely the workspace's manifests were read for <see cref="Codebase.Dependencies"/>.</summary>
public sealed class ManifestCoverage
{
    /// <summary>How many manifests were parsed.</summary>
    public int Read { get; init; }

    /// <summary>Manifests longer than the server's cap, parsed from their beginning only.</summary>
    public IReadOnlyList<string> Cut { get; init; } = [];

    /// <summary>Manifests that are not valid in their format and gave no dependencies.</summary>
    public IReadOnlyList<string> Unparsable { get; init; } = [];

    /// <summary>The first of the manifests past the server's count cap, not read at all.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>How many manifests were skipped in all.</summary>
    public int SkippedCount { get; init; }
}

/// <summary>One file of the workspace (or some of its lines), from <see cref="LLMClient.GetCodebaseFileAsync"/>.</summary>
public sealed class CodebaseFile
{
    public string Path { get; init; } = "";

    public string Language { get; init; } = "";

    public long TotalLines { get; init; }

    public long StartLine { get; init; }

    public long EndLine { get; init; }

    /// <summary>The text of lines <see cref="StartLine"/>..<see cref="EndLine"/>, secrets redacted; null for a binary file.</summary>
    public string? Content { get; init; }

    public bool Binary { get; init; }

    /// <summary>True when the size cap stopped the content early: it holds exactly lines <see cref="StartLine"/>..<see cref="EndLine"/>.</summary>
    public bool Truncated { get; init; }

    /// <summary>With <see cref="Truncated"/>: the line to ask for next to read on; null when the range was sent whole.</summary>
    public long? NextStartLine { get; init; }
}

/// <summary>What <see cref="LLMClient.GetCodebaseAsync(CodebaseOptions, CancellationToken)"/> asks for.</summary>
public sealed class CodebaseOptions
{
    /// <summary>Only files matching one of these gitignore-style globs (<c>src/**/*.cs</c>, <c>*.test.ts</c>); all when empty.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Leave out files matching any of these globs.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Fit the response into this many o200k tokens (200 or more).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Folder levels of the tree.</summary>
    public int? Depth { get; init; }
}

/// <summary>A directory or file of the workspace tree.</summary>
public sealed class FileTreeNode
{
    public string Name { get; init; } = "";

    /// <summary><c>directory</c> or <c>file</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>A file's size in bytes; null for directories.</summary>
    public long? Size { get; init; }

    /// <summary>A text file's line count; null for directories.</summary>
    public long? Lines { get; init; }

    /// <summary>A directory's entries; null for files.</summary>
    public IReadOnlyList<FileTreeNode>? Children { get; init; }

    /// <summary>Estimated o200k tokens of a text file, or of everything below a directory.</summary>
    public long? Tokens { get; init; }
}

/// <summary>A source file of the workspace with the beginning of its text.</summary>
public sealed class SourceFileInfo
{
    public string Name { get; init; } = "";

    /// <summary>The path relative to the workspace root, with <c>/</c> separators.</summary>
    public string Path { get; init; } = "";

    public long Lines { get; init; }

    /// <summary>The first characters of the file.</summary>
    public string Preview { get; init; } = "";
}

/// <summary>What kinds of code the workspace holds.</summary>
public sealed class StructureSummary
{
    public bool HasBackend { get; init; }

    public bool HasFrontend { get; init; }

    public bool HasTests { get; init; }
}
