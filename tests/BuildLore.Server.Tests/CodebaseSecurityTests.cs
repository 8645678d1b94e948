using System.Diagnostics;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>
/// Attempts to read outside the workspace, or secrets inside it, through the codebase API: every one
/// must be refused and leak nothing.
/// </summary>
public sealed class CodebaseSecurityTests : IAsyncLifetime
{
    private const string OutsideMarker = "OUTSIDE-MARKER-7f3a";
    private const string EnvMarker = "ENV-MARKER-91c2";
    private const string KeyMarker = "KEY-MARKER-4b7e";
    private const string IgnoredMarker = "IGNORED-MARKER-2d9f";
    private const string GitMarker = "GIT-MARKER-c0de";
    private const string HiddenMarker = "HIDDEN-MARKER-5e1b";

    /// <summary>Links inside the workspace whose names pass every rule but whose targets are secret, ignored, hidden or git's own.</summary>
    private static readonly (string Link, string Target)[] DisguisedLinks =
    [
        ("notes.py", ".env"),
        ("src/settings.py", "../config/.env.local"),
        ("cert-notes.txt", "certs/server.pem"),
        ("key.txt", "id_rsa"),
        ("settings.json", "appsettings.Development.json"),
        ("gitconfig.txt", ".git/config"),
        ("log-alias.txt", "ignored.log"),
        ("build-alias.txt", "build/out.txt"),
        ("deps.js", "node_modules/pkg/index.js"),
        ("plan-alias.md", "private/plan.md"),
        ("chain.py", "notes.py"),
    ];

    private readonly TempDirectory _outside = new("buildlore-outside");
    private readonly TempDirectory _workspace = new("buildlore-ws");
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _outside.Write("outside-secret.txt", OutsideMarker);
        _workspace.Write("src/app.py", "import os\napi_key = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'\nprint('hello')\n");
        _workspace.Write("README.md", "# demo\n");
        _workspace.Write(".env", $"TOKEN={EnvMarker}");
        _workspace.Write("config/.env.local", $"TOKEN={EnvMarker}");
        _workspace.Write("certs/server.pem", $"-----BEGIN PRIVATE KEY-----\n{KeyMarker}\n");
        _workspace.Write("id_rsa", KeyMarker);
        _workspace.Write("appsettings.Development.json", $"{{ \"Secret\": \"{KeyMarker}\" }}");
        _workspace.Write(".gitignore", "ignored.log\nbuild/\n");
        _workspace.Write("ignored.log", IgnoredMarker);
        _workspace.Write("build/out.txt", IgnoredMarker);
        _workspace.Write("node_modules/pkg/index.js", IgnoredMarker);
        File.WriteAllBytes(_workspace.Combine("logo.png"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0]);
        File.CreateSymbolicLink(_workspace.Combine("escape"), _outside.Path);
        File.CreateSymbolicLink(_workspace.Combine("passwd-link"), _outside.Combine("outside-secret.txt"));
        _workspace.Write(".buildloreignore", "private/\n");
        _workspace.Write("private/plan.md", HiddenMarker);
        foreach (var (link, target) in DisguisedLinks)
        {
            File.CreateSymbolicLink(_workspace.Combine(link.Split('/')), target);
        }

        // A link to a visible file stays visible: the rules follow the content, they do not ban links.
        File.CreateSymbolicLink(_workspace.Combine("readme-alias.md"), "README.md");
        Directory.CreateSymbolicLink(_workspace.Combine("gitdir"), ".git");
        Directory.CreateSymbolicLink(_workspace.Combine("certdir"), "certs");
        Git("init", "-q");
        Git("config", "user.email", "t@example.invalid");
        Git("config", "user.name", "t");
        File.AppendAllText(_workspace.Combine(".git", "config"), $"# {GitMarker}\n");
        Git("add", "-A");
        Git("commit", "-qm", "init");
        _server = await TestServer.StartAsync(_workspace.Path, dataDir: _outside.Combine("data"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _workspace.Dispose();
        _outside.Dispose();
    }

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _workspace.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {git.StandardError.ReadToEnd()}");
    }

    private static void AssertNoLeak(string body)
    {
        foreach (var marker in new[] { OutsideMarker, EnvMarker, KeyMarker, IgnoredMarker, GitMarker, HiddenMarker, "root:x:0:0" })
        {
            Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> EscapeAttempts => new()
    {
        // Already URL-encoded as they are sent: the server decodes the query once.
        Uri.EscapeDataString("../outside-secret.txt"),
        Uri.EscapeDataString("../../../../etc/passwd"),
        Uri.EscapeDataString("src/../../etc/passwd"),
        Uri.EscapeDataString("src/./../../etc/passwd"),
        Uri.EscapeDataString("/etc/passwd"),
        Uri.EscapeDataString("//etc/passwd"),
        Uri.EscapeDataString("~/.ssh/id_rsa"),
        Uri.EscapeDataString("C:\\Windows\\win.ini"),
        Uri.EscapeDataString("src\\..\\..\\etc\\passwd"),
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "%252e%252e%252fetc%252fpasswd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        Uri.EscapeDataString("．．/．．/etc/passwd"),
        Uri.EscapeDataString("..\u2215..\u2215etc\u2215passwd"),
        Uri.EscapeDataString("src/app.py\0.txt"),
        Uri.EscapeDataString("escape/outside-secret.txt"),
        Uri.EscapeDataString("passwd-link"),
        Uri.EscapeDataString("escape/../escape/outside-secret.txt"),
        Uri.EscapeDataString(".env"),
        Uri.EscapeDataString("config/.env.local"),
        Uri.EscapeDataString("certs/server.pem"),
        Uri.EscapeDataString("id_rsa"),
        Uri.EscapeDataString("appsettings.Development.json"),
        Uri.EscapeDataString(".git/config"),
        Uri.EscapeDataString(".git/HEAD"),
        Uri.EscapeDataString("ignored.log"),
        Uri.EscapeDataString("build/out.txt"),
        Uri.EscapeDataString("node_modules/pkg/index.js"),
        Uri.EscapeDataString("src/../.env"),
        Uri.EscapeDataString("./.env"),
        Uri.EscapeDataString("src"),
        Uri.EscapeDataString(new string('a', 5000)),
        "",
        Uri.EscapeDataString("private/plan.md"),
        Uri.EscapeDataString("gitdir/config"),
        Uri.EscapeDataString("certdir/server.pem"),
    };

    public static TheoryData<string> DisguisedLinkNames => [.. DisguisedLinks.Select(l => l.Link)];

    [Theory]
    [MemberData(nameof(DisguisedLinkNames))]
    public async Task ReadFile_LinkWhoseTargetIsSecretIgnoredOrHidden_IsRefusedAndLeaksNothing(string link)
    {
        using var response = await _server.Http.GetAsync($"llm/learning/codebase/file?path={Uri.EscapeDataString(link)}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(403, (int)response.StatusCode);
        AssertNoLeak(body);
    }

    [Fact]
    public async Task LinksWhoseTargetsAreHidden_AreNeitherListedNorSearched_WhileALinkToAVisibleFileIs()
    {
        var view = await _server.Http.GetStringAsync("llm/learning/codebase");
        var hits = (await _server.GetJsonAsync("llm/learning/codebase/search?q=MARKER")).GetProperty("hits");
        var alias = await _server.GetJsonAsync("llm/learning/codebase/file?path=readme-alias.md");

        foreach (var (link, _) in DisguisedLinks)
        {
            Assert.DoesNotContain($"\"{link.Split('/')[^1]}\"", view, StringComparison.Ordinal);
        }

        AssertNoLeak(view);
        Assert.Equal(0, hits.GetArrayLength());
        Assert.Contains("\"readme-alias.md\"", view, StringComparison.Ordinal);
        Assert.Equal("# demo\n", alias.GetProperty("content").GetString());
    }

    [Theory]
    [MemberData(nameof(EscapeAttempts))]
    public async Task ReadFile_EscapeOrSecretAttempt_IsRefusedAndLeaksNothing(string encodedPath)
    {
        using var response = await _server.Http.GetAsync($"llm/learning/codebase/file?path={encodedPath}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.InRange((int)response.StatusCode, 400, 499);
        AssertNoLeak(body);
    }

    [Theory]
    [InlineData(OutsideMarker, "false")]
    [InlineData(EnvMarker, "false")]
    [InlineData(KeyMarker, "false")]
    [InlineData(IgnoredMarker, "false")]
    [InlineData("MARKER-[0-9a-f]{4}", "true")]
    [InlineData("BEGIN PRIVATE KEY", "false")]
    [InlineData(GitMarker, "false")]
    [InlineData(HiddenMarker, "false")]
    public async Task Search_NeverFindsSecretsIgnoredOrOutsideFiles(string query, string regex)
    {
        var result = await _server.GetJsonAsync($"llm/learning/codebase/search?q={Uri.EscapeDataString(query)}&regex={regex}");

        // The response echoes the query; what it found must hold nothing.
        var hits = result.GetProperty("hits");
        Assert.Equal(0, hits.GetArrayLength());
        AssertNoLeak(hits.GetRawText());
    }

    public static TheoryData<string> ViewAttempts => new()
    {
        // Globs that try to select what must never be shown: refused (400) or matching nothing hidden.
        "include=" + Uri.EscapeDataString("**/.env"),
        "include=" + Uri.EscapeDataString("**/*.pem"),
        "include=" + Uri.EscapeDataString(".git/**"),
        "include=" + Uri.EscapeDataString("escape/**"),
        "include=" + Uri.EscapeDataString("passwd-link"),
        "include=" + Uri.EscapeDataString("node_modules/**"),
        "include=" + Uri.EscapeDataString("ignored.log,build/**"),
        "include=" + Uri.EscapeDataString("../**"),
        "include=" + Uri.EscapeDataString("/etc/**"),
        "include=%2e%2e%2f**",
        "exclude=" + Uri.EscapeDataString("src/**"),
        "max_tokens=200",
        "depth=1",
    };

    [Theory]
    [MemberData(nameof(ViewAttempts))]
    public async Task CodebaseView_SelectingHiddenFiles_ShowsNoneAndLeaksNothing(string query)
    {
        using var response = await _server.Http.GetAsync($"llm/learning/codebase?{query}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode is 200 or 400, $"{(int)response.StatusCode}: {body}");
        AssertNoLeak(body);
        Assert.DoesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789", body, StringComparison.Ordinal);
        foreach (var name in (string[])["\".env\"", "server.pem", "id_rsa", "outside-secret", "passwd-link", "ignored.log", "out.txt", "index.js", "plan.md", "notes.py", "gitconfig.txt", "log-alias.txt", "plan-alias.md"])
        {
            Assert.DoesNotContain(name, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CodebaseView_RedactsSecretsInsidePreviews()
    {
        var body = await _server.Http.GetStringAsync("llm/learning/codebase");

        Assert.Contains("api_key = '***'", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789", body, StringComparison.Ordinal);
        AssertNoLeak(body);
    }

    [Fact]
    public async Task ReadFile_VisibleFile_ComesBackWithItsSecretsRedacted()
    {
        var file = await _server.GetJsonAsync("llm/learning/codebase/file?path=src/app.py");
        var part = await _server.GetJsonAsync("llm/learning/codebase/file?path=src/app.py&start=3&end=3");
        var binary = await _server.GetJsonAsync("llm/learning/codebase/file?path=logo.png");

        Assert.Equal("python", file.GetProperty("language").GetString());
        Assert.Equal(3, file.GetProperty("total_lines").GetInt32());
        Assert.Contains("api_key = '***'", file.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789", file.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, file.GetProperty("redactions").GetInt32());
        Assert.Equal("print('hello')\n", part.GetProperty("content").GetString());
        Assert.True(binary.GetProperty("binary").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, binary.GetProperty("content").ValueKind);
    }

    [Fact]
    public async Task Search_FindsVisibleTextWithContext()
    {
        var result = await _server.GetJsonAsync("llm/learning/codebase/search?q=hello&context=1");

        var hit = Assert.Single(result.GetProperty("hits").EnumerateArray());
        Assert.Equal("src/app.py", hit.GetProperty("path").GetString());
        Assert.Equal(3, hit.GetProperty("line").GetInt32());
        Assert.Equal(["api_key = '***'"], hit.GetProperty("before").EnumerateArray().Select(l => l.GetString()));
    }
}
