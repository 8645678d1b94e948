namespace BuildLore.Core.Codebase;

/// <summary>What an LLM sees of the workspace: its tree, key configuration and source previews.</summary>
public sealed record CodebaseSnapshot(
    string WorkspaceName,
    FileTreeNode FileTree,
    bool TreeTruncated,
    IReadOnlyDictionary<string, string> KeyConfigFiles,
    IReadOnlyList<SourceFile> BackendFiles,
    IReadOnlyList<SourceFile> FrontendFiles,
    IReadOnlyList<SourceFile> TestFiles,
    StructureSummary StructureSummary,
    int FileCount)
{
    /// <summary>How many key configuration files the view holds; past the cap, <see cref="KeyConfigFiles"/> has fewer.</summary>
    public int KeyConfigFileCount { get; init; }

    /// <summary>Key configuration files whose text was cut at the per-file cap.</summary>
    public IReadOnlyList<string> KeyConfigFilesCut { get; init; } = [];

    /// <summary>How many backend files the view holds; past the cap, <see cref="BackendFiles"/> has fewer.</summary>
    public int BackendFileCount { get; init; }

    public int FrontendFileCount { get; init; }

    public int TestFileCount { get; init; }

    /// <summary>Estimated o200k tokens of all the text files counted.</summary>
    public long TotalTokens { get; init; }

    /// <summary>How the token figures were obtained.</summary>
    public TokenEstimate TokenEstimate { get; init; } = new(TokenCounter.Encoding, TokenEstimate.Counted, 0, 0);

    /// <summary>Languages (with line counts), frameworks, build, test and CI systems, and declared dependencies.</summary>
    public ProjectFacts Facts { get; init; } = new(new Dictionary<string, long>(), [], [], [], [], []);
}

/// <summary>A node of the workspace tree: a directory (with children) or a file (with size and lines).</summary>
public sealed record FileTreeNode(string Name, string Type, long? Size, long? Lines, IReadOnlyList<FileTreeNode>? Children)
{
    /// <summary>Estimated o200k tokens of the file (text files), or of everything counted below a directory.</summary>
    public long? Tokens { get; init; }

    public const string DirectoryType = "directory";
    public const string FileType = "file";
}

/// <summary>A source file with the first characters of its text.</summary>
public sealed record SourceFile(string Name, string Path, long Lines, string Preview);

public sealed record StructureSummary(bool HasBackend, bool HasFrontend, bool HasTests);
