using System.ComponentModel.DataAnnotations;

namespace BuildLore.Server.Hosting;

/// <summary>
/// Server settings, bound from the <c>BuildLore</c> configuration section. Sources, lowest first:
/// <c>appsettings.json</c> beside the executable, a <c>--config</c> file, <c>BUILDLORE_*</c>
/// environment variables, command-line flags.
/// </summary>
public sealed class BuildLoreOptions
{
    public const string Section = "BuildLore";

    /// <summary>Address to bind; loopback by default so nothing is exposed without intent.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8000;

    /// <summary>The project folder builds run in and the codebase API shows. Default: the current folder.</summary>
    public string? Workspace { get; set; }

    /// <summary>Where the embedded store lives. Default: <c>.buildlore/</c> under the workspace.</summary>
    public string? DataDir { get; set; }

    public StoreOptions Store { get; set; } = new();

    public RunnerOptions Runner { get; set; } = new();

    public RedactionOptions Redaction { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public CodebaseOptions Codebase { get; set; } = new();

    /// <summary>A pushed build that receives no log for this long is ended as <c>error</c> (its CI never finished it).</summary>
    [Range(1, 30 * 24 * 3600)]
    public int IngestIdleTimeoutSeconds { get; set; } = 3600;

    /// <summary>
    /// How much of a running build's live log (as encoded events) is kept in memory for its followers;
    /// followers further behind read from the store.
    /// </summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int LiveLogBufferBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest accepted report body, in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxReportBytes { get; set; } = 1024 * 1024;

    public string ResolveWorkspace() => Path.GetFullPath(string.IsNullOrWhiteSpace(Workspace) ? Directory.GetCurrentDirectory() : Workspace);

    /// <summary>The project of builds and reports that name none: the workspace folder's name.</summary>
    public string DefaultProject() => Path.GetFileName(ResolveWorkspace().TrimEnd(Path.DirectorySeparatorChar)) is { Length: > 0 } name ? name : "default";

    public string ResolveDataDir() => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDir) ? Path.Combine(ResolveWorkspace(), ".buildlore") : DataDir);
}

public sealed class StoreOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>; inferred from the connection string when left empty.</summary>
    public string? Provider { get; set; }

    /// <summary>ADO.NET connection string. Default: the SQLite file <c>buildlore.db</c> in the data folder.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// Secrets to mask in build logs besides the well-known token formats the redactor always detects.
/// </summary>
public sealed class RedactionOptions
{
    /// <summary>Literal values to replace by <c>***</c> wherever they appear.</summary>
    public List<string> Literals { get; set; } = [];

    /// <summary>Names of the server's environment variables whose values are secrets (e.g. <c>NPM_TOKEN</c>).</summary>
    public List<string> EnvironmentVariables { get; set; } = [];
}

/// <summary>
/// API tokens. With none, every route is open (the server binds loopback by default); with any,
/// every route but <c>/health</c> and the API reference needs <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>
    /// Secrets by name: <c>BuildLore:Auth:Tokens:ci=...</c>, <c>BuildLore__Auth__Tokens__ci=...</c>. The name is
    /// who the request is from (<c>HttpContext.User.Identity.Name</c>). <c>--token</c> and <c>BUILDLORE_TOKEN</c>
    /// set the one named <c>default</c>.
    /// </summary>
    public Dictionary<string, string> Tokens { get; set; } = new(StringComparer.Ordinal);
}

public sealed class CodebaseOptions
{
    /// <summary>Scan the workspace when the server starts, so the first codebase request need not wait for a whole scan.</summary>
    public bool IndexOnStart { get; set; } = true;
}

public sealed class RunnerOptions
{
    /// <summary>How many builds run at the same time; the rest wait in the queue.</summary>
    [Range(1, 64)]
    public int MaxConcurrentBuilds { get; set; } = 1;

    /// <summary>Timeout for profiles that set none.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int DefaultTimeoutSeconds { get; set; } = 3600;
}
