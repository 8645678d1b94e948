using System.Text;
using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>The scan's o200k token figures: counted file by file in small workspaces, sampled in large ones.</summary>
public sealed class TokenEstimateTests : IDisposable
{
    private static readonly string[] Words =
        ["build", "failure", "the", "compiler", "reported", "an", "error", "in", "module", "fingerprint", "über", "naïve", "日本語", "🙂"];

    private readonly TempDirectory _temp = new("buildlore-tokens");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SmallWorkspace_CountsEveryTextFileWhole()
    {
        var small = "export const answer = 42;\n";
        // Longer than the sample's head (16 KiB) but within the 64 KiB counted per file.
        var prose = Prose(new Random(1), 40 * 1024);
        _temp.Write("src/answer.js", small);
        _temp.Write("docs/guide.md", prose);
        _temp.Write("empty.txt", "");
        File.WriteAllBytes(_temp.Combine("logo.png"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0]);

        var index = new CodebaseScanner().Index(_temp.Path);

        Assert.Equal(TokenEstimate.Counted, index.Tokens.Method);
        Assert.Equal(2, index.Tokens.FilesCounted);
        Assert.Equal(TokenCounter.Count(small), Tokens(index, "src/answer.js"));
        Assert.Equal(TokenCounter.Count(prose), Tokens(index, "docs/guide.md"));
        Assert.Equal(0, Tokens(index, "empty.txt") ?? 0);
        Assert.Null(Tokens(index, "logo.png"));
    }

    [Fact]
    public void LargeWorkspace_CountsASpreadSampleOfEachExtensionAndEstimatesTheRestClosely()
    {
        var random = new Random(42);
        for (var i = 0; i < 400; i++)
        {
            _temp.Write($"src/module{i:D3}.js", Code(random, i));
        }

        for (var i = 0; i < 100; i++)
        {
            _temp.Write($"tools/calc{i:D3}.py", Numbers(random, i));
        }

        for (var i = 0; i < 30; i++)
        {
            _temp.Write($"docs/page{i:D2}.md", Prose(random, random.Next(200, 6000)));
        }

        File.WriteAllBytes(_temp.Combine("src/blob.js"), [0x7F, 0x45, 0x4C, 0x46, 0, 1, 2]); // a sampled name, binary content

        var counted = new CodebaseScanner().Index(_temp.Path);
        var options = new CodebaseScanOptions { MaxBytesForExactTokens = 0, SampledFilesPerExtension = 10 };
        var sampled = new CodebaseScanner(options).Index(_temp.Path);

        Assert.Equal(TokenEstimate.Counted, counted.Tokens.Method);
        Assert.Equal(530, counted.Tokens.FilesCounted);
        Assert.Equal(TokenEstimate.Sampled, sampled.Tokens.Method);
        // Per extension: max(10, ⌈1.5√n⌉) of n files, at most n: 31 of 401 .js (one is binary, so 30
        // counted), 15 of 100 .py, 10 of 30 .md.
        Assert.Equal(30 + 15 + 10, sampled.Tokens.FilesCounted);
        var exact = counted.Files.Sum(f => f.Tokens ?? 0);
        var estimate = sampled.Files.Sum(f => f.Tokens ?? 0);
        Assert.InRange(estimate, exact * 0.95, exact * 1.05);
        foreach (var extension in new[] { ".js", ".py", ".md" })
        {
            var exactOfKind = counted.Files.Where(f => f.Path.EndsWith(extension, StringComparison.Ordinal)).Sum(f => f.Tokens ?? 0);
            var estimateOfKind = sampled.Files.Where(f => f.Path.EndsWith(extension, StringComparison.Ordinal)).Sum(f => f.Tokens ?? 0);
            Assert.InRange(estimateOfKind, exactOfKind * 0.9, exactOfKind * 1.1);
        }

        Assert.Null(Tokens(sampled, "src/blob.js"));
    }

    private static long? Tokens(CodebaseIndex index, string path) => index.Files.Single(f => f.Path == path).Tokens;

    private static string Code(Random random, int module)
    {
        var text = new StringBuilder();
        for (var line = random.Next(5, 120); line > 0; line--)
        {
            text.Append($"export const value{module}_{line} = compute({random.Next(100_000)}, \"{Words[random.Next(Words.Length)]}\");\n");
        }

        return text.ToString();
    }

    private static string Numbers(Random random, int module)
    {
        var text = new StringBuilder($"def calc_{module}(x):\n");
        for (var line = random.Next(5, 80); line > 0; line--)
        {
            text.Append($"    x = x * {random.NextDouble():F6} + {random.Next()}\n");
        }

        return text.Append("    return x\n").ToString();
    }

    private static string Prose(Random random, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]).Append(random.Next(12) == 0 ? ".\n" : " ");
        }

        return text.ToString();
    }
}
