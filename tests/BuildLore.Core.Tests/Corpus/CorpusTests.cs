using System.Text;
using System.Text.Json;
using BuildLore.Core.Analysis;
using Xunit.Abstractions;

namespace BuildLore.Core.Tests.Corpus;

/// <summary>
/// The analyzer against real logs from real toolchains (Fixtures/Logs, see its README), each with the
/// diagnostics a person listed by hand from what was injected. Every case must match exactly;
/// a second test reports precision and recall per toolchain.
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Logs");

    private static List<string> CaseFiles() =>
        [.. Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories)
            .Where(log => File.Exists(Path.ChangeExtension(log, ".expected.json")))
            .Select(log => Path.GetRelativePath(Root, log).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> Cases() => new(CaseFiles());

    /// <summary>One hand-written diagnostic: every field must match exactly, null included; the message must contain <c>message_contains</c>.</summary>
    private sealed record Expected(string Severity, string? Tool, string? File, int? Line, int? Column, string? Code, string MessageContains, long LogLine);

    private sealed record Outcome(string Case, string Toolchain, int Matched, int Expected, int Actual, bool CategoryOk, List<string> Problems);

    private static Outcome Evaluate(string relative)
    {
        var path = Path.Combine(Root, relative);
        using var expectation = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".expected.json")));
        var root = expectation.RootElement;
        var success = root.GetProperty("success").GetBoolean();

        // Decoded as the server and the CLI decode: invalid UTF-8 becomes U+FFFD; the CI root is detected, not given.
        var analyzer = new LogAnalyzer();
        analyzer.Append(new UTF8Encoding(false, false).GetString(File.ReadAllBytes(path)));
        var analysis = analyzer.Complete(success);

        var actual = analysis.Diagnostics.ToList();
        var problems = new List<string>();
        var matched = 0;
        foreach (var item in root.GetProperty("diagnostics").EnumerateArray())
        {
            var expected = new Expected(
                item.GetProperty("severity").GetString()!,
                item.GetProperty("tool").GetString(),
                item.GetProperty("file").GetString(),
                NumberOrNull(item.GetProperty("line")),
                NumberOrNull(item.GetProperty("column")),
                item.GetProperty("code").GetString(),
                item.GetProperty("message_contains").GetString()!,
                item.GetProperty("log_line").GetInt64());
            var found = actual.FirstOrDefault(d =>
                d.Severity == expected.Severity
                && d.Tool == expected.Tool
                && d.File == expected.File
                && d.Line == expected.Line
                && d.Column == expected.Column
                && d.Code == expected.Code
                && d.LogLine == expected.LogLine
                && d.Message.Contains(expected.MessageContains, StringComparison.OrdinalIgnoreCase));
            if (found is null)
            {
                problems.Add($"missing: {expected}");
            }
            else
            {
                actual.Remove(found);
                matched++;
            }
        }

        problems.AddRange(actual.Select(d => $"unexpected: {d.Display()} (tool {d.Tool ?? "null"}, log line {d.LogLine})"));
        var expectedCategory = root.GetProperty("category").GetString();
        var categoryOk = expectedCategory == analysis.Category;
        if (!categoryOk)
        {
            problems.Add($"category: expected {expectedCategory ?? "none"}, got {analysis.Category ?? "none"}");
        }

        return new Outcome(relative, relative.Split('/')[0], matched, root.GetProperty("diagnostics").GetArrayLength(), analysis.Diagnostics.Count, categoryOk, problems);
    }

    // A JSON null is a null, not "anything": the expectation says the log gives no such value.
    private static int? NumberOrNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt32();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Analyze_FindsExactlyTheDiagnosticsAndCategoryAPersonListed(string logFile)
    {
        var outcome = Evaluate(logFile);

        Assert.True(outcome.Problems.Count == 0, $"{logFile}:\n  {string.Join("\n  ", outcome.Problems)}");
    }

    [Fact]
    public void Analyze_HasFullPrecisionAndRecallPerToolchain()
    {
        var outcomes = CaseFiles().Select(Evaluate).ToList();
        Assert.True(outcomes.Count >= 60, $"only {outcomes.Count} corpus cases found in {Root}");

        foreach (var group in outcomes.GroupBy(o => o.Toolchain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int matched = group.Sum(o => o.Matched), expected = group.Sum(o => o.Expected), actual = group.Sum(o => o.Actual);
            var precision = actual == 0 ? 1 : (double)matched / actual;
            var recall = expected == 0 ? 1 : (double)matched / expected;
            var categories = group.Count(o => o.CategoryOk);
            output.WriteLine($"{group.Key,-10} precision {precision:P0} ({matched}/{actual})  recall {recall:P0} ({matched}/{expected})  category {categories}/{group.Count()}");
            Assert.Equal(1.0, precision);
            Assert.Equal(1.0, recall);
            Assert.Equal(group.Count(), categories);
        }
    }
}
