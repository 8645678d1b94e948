using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>GET /llm/learning/codebase for the configured workspace.</summary>
public sealed class CodebaseApiTests
{
    [Fact]
    public async Task Codebase_HasTheSeedShapeForTheWorkspace()
    {
        using var workspace = new TempDirectory();
        workspace.Write("backend/main.py", "import os\n" + string.Concat(Enumerable.Repeat("print('x')\n", 100)));
        workspace.Write("web/src/App.tsx", "export const App = () => <div/>;\n");
        workspace.Write("tests/test_main.py", "def test_ok():\n    assert True\n");
        workspace.Write("package.json", """{ "name": "demo", "scripts": { "build": "tsc" } }""");
        workspace.Write("pyproject.toml", "[project]\nname = \"demo\"\n");
        workspace.Write(".env", "SECRET_TOKEN=abc123");
        workspace.Write("certs/server.pem", "-----BEGIN PRIVATE KEY-----");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var body = await server.GetJsonAsync("llm/learning/codebase?session_id=x");

        Assert.Equal("ok", body.GetProperty("status").GetString());
        var codebase = body.GetProperty("codebase");
        // The folder's name, not the host path.
        Assert.Equal(Path.GetFileName(workspace.Path), codebase.GetProperty("workspace_root").GetString());
        Assert.Equal("directory", codebase.GetProperty("file_tree").GetProperty("type").GetString());
        var configs = codebase.GetProperty("key_config_files");
        Assert.Contains("\"build\": \"tsc\"", configs.GetProperty("package.json").GetString(), StringComparison.Ordinal);
        Assert.True(configs.TryGetProperty("pyproject.toml", out _));
        var backend = Assert.Single(codebase.GetProperty("backend_files").EnumerateArray());
        Assert.Equal("main.py", backend.GetProperty("name").GetString());
        Assert.Equal("backend/main.py", backend.GetProperty("path").GetString());
        Assert.Equal(101, backend.GetProperty("lines").GetInt32());
        Assert.Equal(500, backend.GetProperty("preview").GetString()!.Length);
        var structure = codebase.GetProperty("structure_summary");
        Assert.True(structure.GetProperty("has_backend").GetBoolean());
        Assert.True(structure.GetProperty("has_frontend").GetBoolean());
        Assert.True(structure.GetProperty("has_tests").GetBoolean());

        Assert.False(codebase.GetProperty("dependencies_truncated").GetBoolean());
        Assert.Equal(2, codebase.GetProperty("dependency_manifests").GetProperty("read").GetInt32());
        Assert.Equal(0, codebase.GetProperty("dependency_manifests").GetProperty("skipped_count").GetInt32());

        var raw = codebase.GetRawText();
        Assert.DoesNotContain("abc123", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("server.pem", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(".env", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(workspace.Path, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(".buildlore", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codebase_CountsTokensAndFitsAResponseToABudget()
    {
        using var workspace = new TempDirectory();
        for (var i = 0; i < 60; i++)
        {
            workspace.Write($"src/module{i}/service{i}.py", string.Concat(Enumerable.Repeat($"def handler_{i}(request):\n    return compute(request, {i})\n", 40)));
            workspace.Write($"tests/test_{i}.py", $"def test_{i}():\n    assert True\n");
        }

        await using var server = await TestServer.StartAsync(workspace.Path);

        var full = (await server.GetJsonAsync("llm/learning/codebase")).GetProperty("codebase");
        var fitted = (await server.GetJsonAsync("llm/learning/codebase?max_tokens=2000")).GetProperty("codebase");
        var shallow = (await server.GetJsonAsync("llm/learning/codebase?depth=1")).GetProperty("codebase");

        Assert.True(full.GetProperty("total_tokens").GetInt64() > 10_000);
        Assert.True(full.GetProperty("file_tree").GetProperty("tokens").GetInt64() > 10_000);
        Assert.True(fitted.GetProperty("response_tokens").GetInt64() <= 2000);
        Assert.True(fitted.GetProperty("omitted").GetProperty("test_files").GetInt32() > 0);
        Assert.True(fitted.GetProperty("test_files").GetArrayLength() < full.GetProperty("test_files").GetArrayLength());
        var src = shallow.GetProperty("file_tree").GetProperty("children").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "src");
        Assert.Equal(0, src.GetProperty("children").GetArrayLength());
        var (status, error) = await server.SendJsonAsync(HttpMethod.Get, "llm/learning/codebase?max_tokens=5");
        Assert.Equal(400, status);
        Assert.Equal("max_tokens", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Codebase_IsServedFromCacheUntilAFileChanges()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var first = await server.Http.GetStringAsync("llm/learning/codebase");
        var again = await server.Http.GetStringAsync("llm/learning/codebase");
        workspace.Write("src/added.py", "print(2)\n");

        Assert.Equal(first, again);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await server.Http.GetStringAsync("llm/learning/codebase")).Contains("added.py", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the new file never appeared: the cache was not invalidated");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Codebase_IncludeAndExcludeGlobs_NarrowTheViewAndTheSearch()
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/Api/Program.cs", "// FIND-ME api\n");
        workspace.Write("src/Api/Generated/Client.Designer.cs", "// FIND-ME generated\n");
        workspace.Write("src/Web/app.test.ts", "// FIND-ME web test\n");
        workspace.Write("src/Web/app.ts", "// FIND-ME web\n");
        workspace.Write("docs/guide.md", "FIND-ME docs\n");
        workspace.Write("package.json", """{ "name": "demo" }""");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var csharp = (await server.GetJsonAsync("llm/learning/codebase?include=src/**/*.cs&exclude=**/*.Designer.cs")).GetProperty("codebase");
        var tests = (await server.GetJsonAsync("llm/learning/codebase?include=*.test.ts")).GetProperty("codebase");
        var combined = (await server.GetJsonAsync("llm/learning/codebase?include=*.md,*.json&include=src/Web/")).GetProperty("codebase");
        var withoutDocs = (await server.GetJsonAsync("llm/learning/codebase?exclude=docs")).GetProperty("codebase");
        var search = await server.GetJsonAsync("llm/learning/codebase/search?q=FIND-ME&include=src/**&exclude=*.test.ts,Generated/");

        Assert.Equal(["src/Api/Program.cs"], FilePaths(csharp));
        Assert.Equal(1, csharp.GetProperty("file_count").GetInt32());
        Assert.Equal(["src/Api/Program.cs"], csharp.GetProperty("backend_files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Empty(csharp.GetProperty("key_config_files").EnumerateObject());
        Assert.Equal(["src/Web/app.test.ts"], FilePaths(tests));
        Assert.Equal(["docs/guide.md", "package.json", "src/Web/app.test.ts", "src/Web/app.ts"], FilePaths(combined));
        Assert.DoesNotContain("docs/guide.md", FilePaths(withoutDocs));
        Assert.Equal(5, withoutDocs.GetProperty("file_count").GetInt32());
        Assert.Equal(["src/Api/Program.cs", "src/Web/app.ts"], search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("include=", "include")]
    [InlineData("include=src/**/*.{cs,ts}", "include")]
    [InlineData("exclude=../secrets/**", "exclude")]
    [InlineData("include=src/a**b", "include")]
    [InlineData("include=!src/**", "include")]
    [InlineData("exclude=src\\*.cs", "exclude")]
    [InlineData("include=src/[ab].cs", "include")]
    public async Task Codebase_BadGlob_IsRefusedWith400NamingTheField(string query, string field)
    {
        using var workspace = new TempDirectory();
        workspace.Write("src/app.py", "print(1)\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        foreach (var route in (string[])["llm/learning/codebase", "llm/learning/codebase/search?q=print"])
        {
            var separator = route.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var (status, error) = await server.SendJsonAsync(HttpMethod.Get, $"{route}{separator}{query}");

            Assert.Equal(400, status);
            Assert.Equal(field, error.GetProperty("field").GetString());
            Assert.Contains("glob", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Codebase_CappedListsAndConfigText_SayTheyWereCut()
    {
        using var workspace = new TempDirectory();
        for (var i = 0; i < 305; i++)
        {
            workspace.Write($"src/m{i:D3}.py", $"x = {i}\n");
        }

        for (var i = 0; i < 101; i++)
        {
            workspace.Write($"pkgs/p{i:D3}/package.json", "{}\n");
        }

        workspace.Write("tests/test_a.py", "def test_a(): pass\n");
        workspace.Write("Makefile", string.Concat(Enumerable.Repeat("build:\n\tdotnet build\n", 5000)));
        await using var server = await TestServer.StartAsync(workspace.Path);

        var codebase = (await server.GetJsonAsync("llm/learning/codebase")).GetProperty("codebase");

        Assert.Equal(300, codebase.GetProperty("backend_files").GetArrayLength());
        Assert.Equal((305, true), (codebase.GetProperty("backend_files_total").GetInt32(), codebase.GetProperty("backend_files_truncated").GetBoolean()));
        Assert.Equal((1, false), (codebase.GetProperty("test_files_total").GetInt32(), codebase.GetProperty("test_files_truncated").GetBoolean()));
        Assert.Equal((0, false), (codebase.GetProperty("frontend_files_total").GetInt32(), codebase.GetProperty("frontend_files_truncated").GetBoolean()));
        Assert.Equal(100, codebase.GetProperty("key_config_files").EnumerateObject().Count());
        Assert.Equal((102, true), (codebase.GetProperty("key_config_files_total").GetInt32(), codebase.GetProperty("key_config_files_truncated").GetBoolean()));
        Assert.Equal(["Makefile"], codebase.GetProperty("key_config_files_cut").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(64 * 1024, codebase.GetProperty("key_config_files").GetProperty("Makefile").GetString()!.Length);
        // Every manifest still gives its dependencies, though not every one is shown as configuration.
        Assert.Equal(101, codebase.GetProperty("dependency_manifests").GetProperty("read").GetInt32());
    }

    [Fact]
    public async Task ReadFile_WhenALineDoesNotFitTheCap_StopsBeforeItAndSaysWhereToGoOn()
    {
        using var workspace = new TempDirectory();
        workspace.Write("data/wide.txt", $"short\n{new string('x', 200_000)}\n{new string('y', 100_000)}\nend\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var first = await server.GetJsonAsync("llm/learning/codebase/file?path=data/wide.txt");
        var next = await server.GetJsonAsync($"llm/learning/codebase/file?path=data/wide.txt&start={first.GetProperty("next_start_line").GetInt64()}");

        // Exactly lines 1..2: nothing of line 3 and, above all, not line 4 after a hole.
        Assert.True(first.GetProperty("truncated").GetBoolean());
        Assert.Equal((1, 2, 4), (first.GetProperty("start_line").GetInt64(), first.GetProperty("end_line").GetInt64(), first.GetProperty("total_lines").GetInt64()));
        Assert.Equal($"short\n{new string('x', 200_000)}\n", first.GetProperty("content").GetString());
        Assert.Equal(3, first.GetProperty("next_start_line").GetInt64());
        Assert.False(next.GetProperty("truncated").GetBoolean());
        Assert.Equal((3, 4), (next.GetProperty("start_line").GetInt64(), next.GetProperty("end_line").GetInt64()));
        Assert.Equal($"{new string('y', 100_000)}\nend\n", next.GetProperty("content").GetString());
        Assert.False(next.TryGetProperty("next_start_line", out _));
    }

    [Fact]
    public async Task ReadFile_AFileThatIsOneHugeLine_IsSentCutWithItsLinesCountedAndASecretAtTheCutRedacted()
    {
        using var workspace = new TempDirectory();
        // 20 million characters on one line, a GitHub token straddling the point where the text sent ends.
        const string Token = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
        var cut = BuildLore.Core.Codebase.WorkspaceFiles.MaxFileChars - 200;
        var line = new string('a', cut - 10) + " " + Token + " " + new string('b', 20_000_000);
        workspace.Write("data/dump.json", $"{line}\nsecond\nthird");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var file = await server.GetJsonAsync("llm/learning/codebase/file?path=data/dump.json");

        var content = file.GetProperty("content").GetString()!;
        Assert.True(file.GetProperty("truncated").GetBoolean());
        Assert.Equal(3, file.GetProperty("total_lines").GetInt64());
        Assert.Equal(2, file.GetProperty("next_start_line").GetInt64());
        Assert.Contains($"line 1 has {line.Length:N0} characters", content, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_abc", content, StringComparison.Ordinal);
        Assert.InRange(content.Length, cut - 100, BuildLore.Core.Codebase.WorkspaceFiles.MaxFileChars);

        var rest = await server.GetJsonAsync("llm/learning/codebase/file?path=data/dump.json&start=2");
        Assert.Equal("second\nthird\n", rest.GetProperty("content").GetString());
    }

    [Fact]
    public async Task ReadFile_ALineLongerThanTheWholeCap_IsSentCutWithAMarker()
    {
        using var workspace = new TempDirectory();
        workspace.Write("web/app.min.js", $"{new string('a', 300_000)}\nsecond();\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var file = await server.GetJsonAsync("llm/learning/codebase/file?path=web/app.min.js");

        var content = file.GetProperty("content").GetString()!;
        Assert.True(file.GetProperty("truncated").GetBoolean());
        Assert.Equal((1, 1, 2), (file.GetProperty("start_line").GetInt64(), file.GetProperty("end_line").GetInt64(), file.GetProperty("next_start_line").GetInt64()));
        Assert.InRange(content.Length, 200_000, BuildLore.Core.Codebase.WorkspaceFiles.MaxFileChars);
        Assert.Contains("[BuildLore: cut here; line 1 has 300,000 characters", content, StringComparison.Ordinal);
        Assert.DoesNotContain("second", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_LongLines_AreCutToAWindowAroundTheMatchAndFlagged()
    {
        using var workspace = new TempDirectory();
        var wide = new string('a', 3000) + "NEEDLE" + new string('b', 3000);
        workspace.Write("web/bundle.js", $"{new string('c', 2000)}\n{wide}\nshort after\n");
        workspace.Write("src/plain.py", "x = 'NEEDLE'\n");
        await using var server = await TestServer.StartAsync(workspace.Path);

        var hits = (await server.GetJsonAsync("llm/learning/codebase/search?q=needle&context=1")).GetProperty("hits").EnumerateArray()
            .ToDictionary(h => h.GetProperty("path").GetString()!);
        var regex = (await server.GetJsonAsync("llm/learning/codebase/search?q=NE%2BDLE&regex=true&context=0&include=web/**")).GetProperty("hits")[0];

        var cut = hits["web/bundle.js"];
        Assert.True(cut.GetProperty("cut").GetBoolean());
        Assert.Equal((2, 3001), (cut.GetProperty("line").GetInt64(), cut.GetProperty("column").GetInt64()));
        Assert.Equal(500, cut.GetProperty("text").GetString()!.Length);
        Assert.Contains("aNEEDLEb", cut.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(new string('c', 500), cut.GetProperty("before")[0].GetString());
        Assert.Equal("short after", cut.GetProperty("after")[0].GetString());
        Assert.False(hits["src/plain.py"].GetProperty("cut").GetBoolean());
        Assert.Equal((6, "x = 'NEEDLE'"), (hits["src/plain.py"].GetProperty("column").GetInt64(), hits["src/plain.py"].GetProperty("text").GetString()));
        Assert.Equal(500, regex.GetProperty("text").GetString()!.Length);
    }

    private static List<string> FilePaths(System.Text.Json.JsonElement codebase)
    {
        var paths = new List<string>();
        Walk(codebase.GetProperty("file_tree"), null);
        paths.Sort(StringComparer.Ordinal);
        return paths;

        void Walk(System.Text.Json.JsonElement node, string? prefix)
        {
            foreach (var child in node.GetProperty("children").EnumerateArray())
            {
                var path = prefix is null ? child.GetProperty("name").GetString()! : $"{prefix}/{child.GetProperty("name").GetString()}";
                if (child.GetProperty("type").GetString() == "directory")
                {
                    Walk(child, path);
                }
                else
                {
                    paths.Add(path);
                }
            }
        }
    }
}
