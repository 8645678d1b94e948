namespace BuildLore.Core.Codebase;

/// <summary>
/// Rules about which workspace paths may ever be shown to a client. Secret files are not listed,
/// previewed or returned; tool output and dependency folders are skipped as noise.
/// </summary>
public static class WorkspacePaths
{
    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        ".git", ".hg", ".svn", ".buildlore", ".vs", ".idea", "node_modules", "bin", "obj",
        "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache", "target",
        "dist", ".next", ".nuxt", ".gradle", ".terraform", "coverage", "TestResults",
    };

    private static readonly string[] SecretExtensions =
        [".pem", ".key", ".pfx", ".p12", ".jks", ".keystore", ".kdbx", ".ppk", ".asc", ".gpg"];

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ".netrc", "_netrc", ".npmrc", ".pypirc", ".pgpass", ".git-credentials", ".dockercfg",
        "credentials", "credentials.json", "secrets.json", "secrets.yml", "secrets.yaml",
        "known_hosts", "authorized_keys", "htpasswd", ".htpasswd",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SkippedDirectoryNames = SkippedDirectories.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SecretFileNames = SecretNames.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsSkippedDirectory(string name) => SkippedDirectories.Contains(name);

    /// <summary><see cref="IsSkippedDirectory(string)"/> for a name inside a longer path, without cutting it out.</summary>
    public static bool IsSkippedDirectory(ReadOnlySpan<char> name) => SkippedDirectoryNames.Contains(name);

    /// <summary>True for files that hold credentials by their nature; they are never returned.</summary>
    public static bool IsSecretFile(string fileName) => IsSecretFile(fileName.AsSpan());

    /// <summary><see cref="IsSecretFile(string)"/> for a name inside a longer path, without cutting it out.</summary>
    public static bool IsSecretFile(ReadOnlySpan<char> fileName)
    {
        if (SecretFileNames.Contains(fileName))
        {
            return true;
        }

        if (fileName.StartsWith(".env", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("id_rsa", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("id_dsa", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("id_ecdsa", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("id_ed25519", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var extension in SecretExtensions)
        {
            if (fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        // appsettings.json is configuration; appsettings.Development.json and friends are where
        // people put local secrets, so only the base file is shown.
        return fileName.StartsWith("appsettings.", StringComparison.OrdinalIgnoreCase)
               && fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
               && !fileName.Equals("appsettings.json", StringComparison.OrdinalIgnoreCase);
    }
}
