namespace BuildLore.Core.Runner;

/// <summary>
/// Picks the build profile to run: one named in <c>buildlore.json</c>, its default profile, or,
/// with no configuration, a command detected from the workspace's build files.
/// </summary>
public static class ProfileResolver
{
    /// <summary>The profile name used for a detected build command.</summary>
    public const string DetectedProfileName = "detected";

    /// <exception cref="ProfileNotFoundException">The request named a profile that is not configured, or nothing can be built.</exception>
    public static BuildProfile Resolve(string workspaceRoot, string? requestedProfile)
    {
        var config = WorkspaceConfig.Load(workspaceRoot);
        if (!string.IsNullOrEmpty(requestedProfile))
        {
            if (config.Profiles.TryGetValue(requestedProfile, out var named))
            {
                return named;
            }

            if (requestedProfile == DetectedProfileName && Detect(workspaceRoot) is { } detectedByName)
            {
                return detectedByName;
            }

            var available = config.Profiles.Keys.ToList();
            throw new ProfileNotFoundException(
                $"No build profile named '{requestedProfile}'. Configured profiles: {(available.Count == 0 ? "none" : string.Join(", ", available))}. " +
                $"Profiles are defined in {WorkspaceConfig.FileName} at the workspace root.",
                available);
        }

        if (config.DefaultProfile is not null)
        {
            return config.Profiles[config.DefaultProfile];
        }

        if (config.Profiles.Count == 1)
        {
            return config.Profiles.Values.First();
        }

        if (config.Profiles.Count > 1)
        {
            throw new ProfileNotFoundException(
                $"{WorkspaceConfig.FileName} defines several profiles and no 'default_profile'; name one: {string.Join(", ", config.Profiles.Keys)}.",
                [.. config.Profiles.Keys]);
        }

        return Detect(workspaceRoot) ?? throw new ProfileNotFoundException(
            $"Nothing to build: no {WorkspaceConfig.FileName} profile and no recognised build file (*.sln, *.slnx, *.csproj, package.json with a build script, Cargo.toml, go.mod, Makefile, CMakeLists.txt, pom.xml, build.gradle) at the workspace root.",
            []);
    }

    /// <summary>Infers a build command from the build files at the workspace root, or null.</summary>
    public static BuildProfile? Detect(string workspaceRoot)
    {
        string? command = null;
        var solutions = Directory.EnumerateFiles(workspaceRoot, "*.slnx").Concat(Directory.EnumerateFiles(workspaceRoot, "*.sln")).ToList();
        var projects = Directory.EnumerateFiles(workspaceRoot, "*.csproj").Concat(Directory.EnumerateFiles(workspaceRoot, "*.fsproj")).ToList();
        if (solutions.Count == 1)
        {
            command = $"dotnet build \"{Path.GetFileName(solutions[0])}\"";
        }
        else if (solutions.Count == 0 && projects.Count == 1)
        {
            command = $"dotnet build \"{Path.GetFileName(projects[0])}\"";
        }
        else if (solutions.Count > 1 || projects.Count > 1)
        {
            command = "dotnet build";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "package.json")) && HasNpmBuildScript(Path.Combine(workspaceRoot, "package.json")))
        {
            command = "npm run build";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "Cargo.toml")))
        {
            command = "cargo build";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "go.mod")))
        {
            command = "go build ./...";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "Makefile")) || File.Exists(Path.Combine(workspaceRoot, "makefile")) || File.Exists(Path.Combine(workspaceRoot, "GNUmakefile")))
        {
            command = "make";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "CMakeLists.txt")))
        {
            command = "cmake -S . -B build && cmake --build build";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "pom.xml")))
        {
            command = "mvn -B package";
        }
        else if (File.Exists(Path.Combine(workspaceRoot, "build.gradle")) || File.Exists(Path.Combine(workspaceRoot, "build.gradle.kts")))
        {
            command = File.Exists(Path.Combine(workspaceRoot, "gradlew")) ? "./gradlew build" : "gradle build";
        }

        return command is null ? null : new BuildProfile { Name = DetectedProfileName, Command = command, Detected = true };
    }

    private static bool HasNpmBuildScript(string packageJson)
    {
        try
        {
            using var stream = File.OpenRead(packageJson);
            using var document = System.Text.Json.JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && document.RootElement.TryGetProperty("scripts", out var scripts)
                   && scripts.ValueKind == System.Text.Json.JsonValueKind.Object
                   && scripts.TryGetProperty("build", out _);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}

/// <summary>The requested profile does not exist, or the workspace has nothing to build.</summary>
public sealed class ProfileNotFoundException(string message, IReadOnlyList<string> availableProfiles) : Exception(message)
{
    public IReadOnlyList<string> AvailableProfiles { get; } = availableProfiles;
}
