namespace BuildLore.Client.Tests;

/// <summary>GetCodebaseAsync on a real workspace served by the real server.</summary>
public sealed class CodebaseTests
{
    [Fact]
    public async Task GetCodebase_DescribesTheWorkspaceWithTypedFields()
    {
        const string packageJson = """{ "name": "demo", "scripts": { "build": "tsc" } }""";
        await using var scope = await ServerScope.StartAsync(workspace =>
        {
            workspace.Write("backend/main.py", "import os\n\nprint(os.getcwd())\n");
            workspace.Write("package.json", packageJson);
            workspace.Write("tests/test_x.py", "def test_ok():\n    assert True\n");
            workspace.Write(".env", "SECRET_TOKEN=abc123");
        });

        var codebase = await scope.Client.GetCodebaseAsync();

        Assert.Equal(Path.GetFileName(scope.Workspace.Path), codebase.WorkspaceRoot);

        Assert.Equal(packageJson, codebase.KeyConfigFiles["package.json"]);

        var main = Assert.Single(codebase.BackendFiles);
        Assert.Equal("main.py", main.Name);
        Assert.Equal("backend/main.py", main.Path);
        Assert.Equal(3, main.Lines);
        Assert.StartsWith("import os", main.Preview, StringComparison.Ordinal);

        var test = Assert.Single(codebase.TestFiles);
        Assert.Equal("tests/test_x.py", test.Path);
        Assert.Empty(codebase.FrontendFiles);

        Assert.True(codebase.StructureSummary.HasBackend);
        Assert.True(codebase.StructureSummary.HasTests);
        Assert.False(codebase.StructureSummary.HasFrontend);

        Assert.Equal("directory", codebase.FileTree.Type);
        Assert.NotNull(codebase.FileTree.Children);
        var backend = Assert.Single(codebase.FileTree.Children, c => c.Name == "backend");
        Assert.Equal("directory", backend.Type);
        Assert.Null(backend.Size);
        var mainNode = Assert.Single(backend.Children!);
        Assert.Equal("main.py", mainNode.Name);
        Assert.Equal("file", mainNode.Type);
        Assert.Null(mainNode.Children);
        Assert.Equal(3, mainNode.Lines);
        Assert.True(mainNode.Size > 0);
        Assert.Contains(codebase.FileTree.Children, c => c.Name == "package.json" && c.Type == "file");
        Assert.DoesNotContain(codebase.FileTree.Children, c => c.Name == ".env");
        Assert.False(codebase.FileTreeTruncated);
        Assert.Equal(3, codebase.FileCount);
    }

    [Fact]
    public async Task GetCodebase_WithOptions_SendsGlobsBudgetAndDepth()
    {
        await using var scope = await ServerScope.StartAsync(workspace =>
        {
            for (var i = 0; i < 40; i++)
            {
                workspace.Write($"src/pkg{i}/mod{i}.py", string.Concat(Enumerable.Repeat($"def f{i}(x):\n    return x * {i}\n", 30)));
                workspace.Write($"tests/test_{i}.py", $"def test_{i}():\n    assert True\n");
            }

            workspace.Write("src/pkg0/generated_client.py", "CLIENT = 1\n");
        });

        var narrowed = await scope.Client.GetCodebaseAsync(new CodebaseOptions { Include = ["src/pkg0/**", "src/pkg1/**"], Exclude = ["generated_*"], Depth = 2 });
        var fitted = await scope.Client.GetCodebaseAsync(new CodebaseOptions { MaxTokens = 1200 });
        var refused = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetCodebaseAsync(new CodebaseOptions { Include = ["src/{a,b}"] }));

        Assert.Equal(2, narrowed.FileCount);
        Assert.Equal(["pkg0", "pkg1"], Assert.Single(narrowed.FileTree.Children!).Children!.Select(c => c.Name));
        Assert.All(Assert.Single(narrowed.FileTree.Children!).Children!, c => Assert.Empty(c.Children!));
        Assert.True(narrowed.TotalTokens > 0);
        Assert.InRange(fitted.ResponseTokens!.Value, 1, 1200);
        Assert.True(fitted.Omitted!["test_files"] > 0);
        Assert.Contains("tests/test_39.py", fitted.LeftOut!.SourceFiles);
        Assert.True(fitted.TestFilesTruncated);
        Assert.Equal(40, fitted.TestFilesTotal);
        Assert.False(fitted.DependenciesTruncated);
        Assert.Equal(400, (int?)refused.StatusCode);
        Assert.Equal("include", refused.Field);
    }

    [Fact]
    public async Task GetCodebaseFile_ReadsARange_AndSaysWhereToGoOnWhenCapped()
    {
        await using var scope = await ServerScope.StartAsync(workspace =>
        {
            workspace.Write("src/app.py", "a = 1\nb = 2\nc = 3\n");
            workspace.Write("data/wide.txt", $"{new string('x', 200_000)}\n{new string('y', 100_000)}\n");
        });

        var range = await scope.Client.GetCodebaseFileAsync("src/app.py", startLine: 2, endLine: 3);
        var capped = await scope.Client.GetCodebaseFileAsync("data/wide.txt");
        var refused = await Assert.ThrowsAsync<LLMClientException>(() => scope.Client.GetCodebaseFileAsync("../etc/passwd"));

        Assert.Equal(("b = 2\nc = 3\n", 2, 3, 3), (range.Content, range.StartLine, range.EndLine, range.TotalLines));
        Assert.False(range.Truncated);
        Assert.Null(range.NextStartLine);
        Assert.True(capped.Truncated);
        Assert.Equal((1, 1, 2L), (capped.StartLine, capped.EndLine, capped.NextStartLine));
        Assert.Equal(403, (int?)refused.StatusCode);
    }
}
