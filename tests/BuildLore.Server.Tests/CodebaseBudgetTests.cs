using System.Diagnostics;
using System.Text.Json;
using BuildLore.Core.Codebase;
using BuildLore.Server.Codebase;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>?max_tokens=: what a budget keeps, what it leaves out first, and that it says so.</summary>
public sealed class CodebaseBudgetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Fit_A20000EntryView_StaysUnderTheBudgetQuickly()
    {
        var view = LargeView(folders: 200, filesPerFolder: 100);
        Fit(view, 50_000); // the tokenizer's first load is not the budget's cost

        var clock = Stopwatch.StartNew();
        var fitted = Fit(view, 20_000);
        clock.Stop();

        output.WriteLine($"fitted a 20,000-entry view to {fitted.ResponseTokens} of 20,000 tokens in {clock.ElapsedMilliseconds} ms");
        var json = JsonSerializer.Serialize(fitted, ServerJson.Web.CodebaseDto);
        // Within the budget, and not far under it: what was given up was needed.
        Assert.InRange(TokenCounter.Count(json), 16_000, 20_000);
        Assert.Equal(fitted.ResponseTokens, TokenCounter.Count(json));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"fitting took {clock.Elapsed}"); // 20 s re-serializing per step
        Assert.True(fitted.FileTreeTruncated);
        Assert.NotEmpty(fitted.LeftOut!.TreeFolders);
        Assert.True(fitted.TestFilesTruncated);
    }

    [Fact]
    public async Task Fit_GivesUpGeneratedVendoredAndTestFilesBeforeTopLevelSource_AndNamesThem()
    {
        using var workspace = new TempDirectory();
        var body = string.Concat(Enumerable.Repeat("def handle(request):\n    return compute(request) + 1\n", 12));
        foreach (var path in (string[])["src/app.py", "src/routes.py", "src/models.py", "src/deep/a/b/c/helpers.py"])
        {
            workspace.Write(path, body);
        }

        for (var i = 0; i < 15; i++)
        {
            workspace.Write($"tests/unit/test_{i}.py", body);
            workspace.Write($"vendor/lib{i}/core.py", body);
            workspace.Write($"src/api_pb2_{i}_pb2.py", body);
        }

        workspace.Write("pyproject.toml", "[project]\nname = \"svc\"\ndependencies = [\"httpx\"]\n");
        await using var server = await TestServer.StartAsync(workspace.Path);
        var full = (await server.GetJsonAsync("llm/learning/codebase")).GetProperty("codebase");
        var fullTokens = TokenCounter.Count(full.GetRawText());
        string[] topLevel = ["src/app.py", "src/routes.py", "src/models.py"];

        var sawTopLevelKeptWhileOthersWent = false;
        for (var budget = 1_000; budget < fullTokens; budget += 500)
        {
            var fitted = (await server.GetJsonAsync($"llm/learning/codebase?max_tokens={budget}")).GetProperty("codebase");
            var kept = Paths(fitted, "backend_files").Concat(Paths(fitted, "test_files")).ToHashSet(StringComparer.Ordinal);
            var named = fitted.GetProperty("left_out").GetProperty("source_files").EnumerateArray().Select(p => p.GetString()!).ToList();
            var lowValueKept = kept.Count(p => p.StartsWith("tests/", StringComparison.Ordinal) || p.StartsWith("vendor/", StringComparison.Ordinal) || p.Contains("_pb2", StringComparison.Ordinal));

            Assert.True(fitted.GetProperty("response_tokens").GetInt64() <= budget, $"budget {budget}");
            // Never a top-level source file dropped while a test, vendored or generated one stays.
            Assert.True(lowValueKept == 0 || topLevel.All(kept.Contains), $"budget {budget}: kept {string.Join(", ", kept)}");
            // The deep file goes before the top-level ones.
            Assert.True(!kept.Contains("src/deep/a/b/c/helpers.py") || topLevel.All(kept.Contains), $"budget {budget}");
            Assert.All(named, p => Assert.DoesNotContain(p, kept));
            var dropped = fitted.GetProperty("omitted").EnumerateObject().Where(o => o.Name.EndsWith("_files", StringComparison.Ordinal) && o.Name != "key_config_files").Sum(o => o.Value.GetInt32());
            Assert.InRange(named.Count, 0, dropped);
            Assert.True(named.Count > 0 == dropped > 0, $"budget {budget}: {dropped} dropped, {named.Count} named");
            sawTopLevelKeptWhileOthersWent |= lowValueKept < 45 && topLevel.All(kept.Contains);
        }

        Assert.True(sawTopLevelKeptWhileOthersWent, "no budget gave up the low-value files while keeping the top-level ones");
    }

    private static IEnumerable<string> Paths(JsonElement codebase, string list) =>
        codebase.GetProperty(list).EnumerateArray().Select(f => f.GetProperty("path").GetString()!);

    private static CodebaseDto Fit(CodebaseDto view, int budget) => CodebaseView.Shape(view, budget, int.MaxValue);

    /// <summary>A view of the shape a large repository gives: deep folders, full lists, many configuration files.</summary>
    private static CodebaseDto LargeView(int folders, int filesPerFolder)
    {
        var preview = string.Concat(Enumerable.Repeat("def handler(request):\n    return compute(request)\n", 12))[..500];
        var modules = Enumerable.Range(0, folders).Select(f =>
            new FileTreeNodeDto($"module{f}", "directory", null, null,
            [
                new FileTreeNodeDto("impl", "directory", null, null,
                    [.. Enumerable.Range(0, filesPerFolder).Select(i => new FileTreeNodeDto($"service_{f}_{i}.py", "file", 1200 + i, 40, null, 300))], 300L * filesPerFolder),
            ], 300L * filesPerFolder)).ToList();
        var tree = new FileTreeNodeDto("repo", "directory", null, null,
            [new FileTreeNodeDto("src", "directory", null, null, modules, 300L * folders * filesPerFolder)], 300L * folders * filesPerFolder);
        var backend = Enumerable.Range(0, 300).Select(i => new SourceFileDto($"service_0_{i}.py", $"src/module{i % folders}/impl/service_{i % folders}_{i}.py", 40, preview)).ToList();
        var tests = Enumerable.Range(0, 300).Select(i => new SourceFileDto($"test_{i}.py", $"tests/unit/test_{i}.py", 20, preview)).ToList();
        var configs = Enumerable.Range(0, 100).ToDictionary(i => $"src/module{i}/pyproject.toml", _ => string.Concat(Enumerable.Repeat("[project]\nname = \"m\"\ndependencies = [\"httpx>=0.27\"]\n", 80)));
        return new CodebaseDto("repo", tree, false, configs, backend, [], tests, new StructureSummaryDto(true, false, true), folders * filesPerFolder)
        {
            BackendFilesTotal = 300,
            TestFilesTotal = 300,
            KeyConfigFilesTotal = 100,
        };
    }
}
