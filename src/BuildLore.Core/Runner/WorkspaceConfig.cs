using System.Text.Json;

namespace BuildLore.Core.Runner;

/// <summary>
/// The workspace owner's <c>buildlore.json</c>: named build profiles and which one runs by default.
/// <code>
/// { "default_profile": "build",
///   "profiles": { "build": { "command": "dotnet build", "working_dir": ".", "timeout_seconds": 900,
///                            "env": { "CI": "true" } } } }
/// </code>
/// </summary>
public sealed record WorkspaceConfig(IReadOnlyDictionary<string, BuildProfile> Profiles, string? DefaultProfile)
{
    /// <summary>GitHub Actions problem-matcher files (<c>"problem_matchers": ["ci/matchers.json"]</c>), relative to the workspace.</summary>
    public IReadOnlyList<string> ProblemMatcherFiles { get; init; } = [];

    /// <summary>Failure-cause knowledge bases (<c>"failure_causes": ["ci/causes.json"]</c>), relative to the workspace.</summary>
    public IReadOnlyList<string> FailureCauseFiles { get; init; } = [];

    /// <summary>Loads the analysis rules the configuration names.</summary>
    /// <exception cref="WorkspaceConfigException">A rule file is missing or invalid.</exception>
    public BuildLore.Core.Analysis.AnalysisRules LoadAnalysisRules(string workspaceRoot)
    {
        try
        {
            return BuildLore.Core.Analysis.AnalysisRules.Load(workspaceRoot, ProblemMatcherFiles, FailureCauseFiles);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
                                   or BuildLore.Core.Analysis.Matchers.ProblemMatcherException or BuildLore.Core.Analysis.Causes.FailureCauseException)
        {
            throw new WorkspaceConfigException($"{FileName}: {e.Message}");
        }
    }

    public const string FileName = "buildlore.json";

    /// <summary>The longest timeout a profile may ask for: 7 days.</summary>
    public const int MaxTimeoutSeconds = 7 * 24 * 3600;

    public static WorkspaceConfig Empty { get; } = new(new Dictionary<string, BuildProfile>(), null);

    /// <summary>Loads <c>buildlore.json</c> from the workspace root; <see cref="Empty"/> when there is none.</summary>
    /// <exception cref="WorkspaceConfigException">The file exists but is not valid.</exception>
    public static WorkspaceConfig Load(string workspaceRoot)
    {
        var path = Path.Combine(workspaceRoot, FileName);
        if (!File.Exists(path))
        {
            return Empty;
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new WorkspaceConfigException($"{FileName} is not valid JSON: {e.Message}");
        }
    }

    internal static WorkspaceConfig Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new WorkspaceConfigException($"{FileName} must hold a JSON object.");
        }

        var profiles = new Dictionary<string, BuildProfile>(StringComparer.Ordinal);
        if (root.TryGetProperty("profiles", out var profilesElement))
        {
            if (profilesElement.ValueKind != JsonValueKind.Object)
            {
                throw new WorkspaceConfigException($"{FileName}: 'profiles' must be an object of name → profile.");
            }

            foreach (var property in profilesElement.EnumerateObject())
            {
                profiles[property.Name] = ParseProfile(property.Name, property.Value);
            }
        }

        string? defaultProfile = null;
        if (root.TryGetProperty("default_profile", out var defaultElement))
        {
            defaultProfile = defaultElement.ValueKind == JsonValueKind.String ? defaultElement.GetString() : defaultElement.GetRawText();
            if (defaultProfile is null || !profiles.ContainsKey(defaultProfile))
            {
                throw new WorkspaceConfigException($"{FileName}: 'default_profile' names '{defaultProfile}', which is not among the profiles ({string.Join(", ", profiles.Keys)}).");
            }
        }

        return new WorkspaceConfig(profiles, defaultProfile)
        {
            ProblemMatcherFiles = ParseRelativePaths(root, "problem_matchers"),
            FailureCauseFiles = ParseRelativePaths(root, "failure_causes"),
        };
    }

    private static List<string> ParseRelativePaths(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new WorkspaceConfigException($"{FileName}: '{property}' must be an array of file paths relative to the workspace.");
        }

        var paths = element.EnumerateArray().Select(e => e.GetString()!).ToList();
        if (paths.FirstOrDefault(p => Path.IsPathRooted(p) || p.Split('/', '\\').Contains("..")) is { } outside)
        {
            throw new WorkspaceConfigException($"{FileName}: '{property}' entry '{outside}' must be a relative path inside the workspace.");
        }

        return paths;
    }

    private static BuildProfile ParseProfile(string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new WorkspaceConfigException($"{FileName}: profile '{name}' must be an object with a 'command'.");
        }

        if (!element.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(command.GetString()))
        {
            throw new WorkspaceConfigException($"{FileName}: profile '{name}' needs a non-empty string 'command'.");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("env", out var env))
        {
            if (env.ValueKind != JsonValueKind.Object)
            {
                throw new WorkspaceConfigException($"{FileName}: profile '{name}': 'env' must be an object of string values.");
            }

            foreach (var variable in env.EnumerateObject())
            {
                environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                    ? variable.Value.GetString()!
                    : variable.Value.GetRawText();
            }
        }

        TimeSpan? timeout = null;
        if (element.TryGetProperty("timeout_seconds", out var seconds))
        {
            if (seconds.ValueKind != JsonValueKind.Number || !seconds.TryGetDouble(out var value) || value <= 0 || value > MaxTimeoutSeconds)
            {
                throw new WorkspaceConfigException($"{FileName}: profile '{name}': 'timeout_seconds' must be a positive number of seconds, at most {MaxTimeoutSeconds} (7 days).");
            }

            timeout = TimeSpan.FromSeconds(value);
        }

        var workingDirectory = ".";
        if (element.TryGetProperty("working_dir", out var dir) && dir.ValueKind != JsonValueKind.Null)
        {
            workingDirectory = dir.ValueKind == JsonValueKind.String
                ? dir.GetString()!
                : throw new WorkspaceConfigException($"{FileName}: profile '{name}': 'working_dir' must be a relative path inside the workspace (a string).");
        }

        if (Path.IsPathRooted(workingDirectory) || workingDirectory.Split('/', '\\').Contains(".."))
        {
            throw new WorkspaceConfigException($"{FileName}: profile '{name}': 'working_dir' must be a relative path inside the workspace.");
        }

        return new BuildProfile
        {
            Name = name,
            Command = command.GetString()!,
            WorkingDirectory = workingDirectory,
            Environment = environment,
            Timeout = timeout,
        };
    }
}

/// <summary>The workspace's <c>buildlore.json</c> is present but wrong; the message says how.</summary>
public sealed class WorkspaceConfigException(string message) : Exception(message);
