using System.Text;
using System.Text.Json;
using BuildLore.Core.TestResults;

namespace BuildLore.Core.Tests.TestReports;

/// <summary>The test report parser on reports written by real runners (Fixtures/TestReports, see its README).</summary>
public sealed class TestResultParserTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "TestReports");

    public static TheoryData<string> Reports() => new(Directory.EnumerateFiles(Folder, "*.expected.json").Select(f => Path.GetFileName(f).Replace(".expected.json", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Reports))]
    public void Parse_RealReport_CountsEveryOutcomeAndKeepsTheFailureMessage(string name)
    {
        var report = Directory.EnumerateFiles(Folder, name + ".*").Single(f => !f.EndsWith(".expected.json", StringComparison.Ordinal));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".expected.json")));
        var root = expected.RootElement;

        using var stream = File.OpenRead(report);
        var results = TestResultParser.Parse(stream);

        Assert.Equal(root.GetProperty("total").GetInt32(), results.Count);
        Assert.Equal(root.GetProperty("passed").GetInt32(), results.Count(r => r.Outcome == TestOutcome.Passed));
        Assert.Equal(root.GetProperty("failed").GetInt32(), results.Count(r => r.Outcome == TestOutcome.Failed));
        Assert.Equal(root.GetProperty("skipped").GetInt32(), results.Count(r => r.Outcome == TestOutcome.Skipped));
        foreach (var failed in root.GetProperty("failed_tests").EnumerateArray())
        {
            var test = Assert.Single(results, r => r.Outcome == TestOutcome.Failed && r.Name.Contains(failed.GetProperty("name_contains").GetString()!, StringComparison.Ordinal));
            Assert.Contains(failed.GetProperty("message_contains").GetString()!, test.Message ?? "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("<html><body>not a report</body></html>")]
    [InlineData("<testsuite><testcase name='a'>")]
    [InlineData("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><testsuite><testcase name='&e;'/></testsuite>")]
    [InlineData("not xml at all")]
    public void Parse_NotAReport_ThrowsAClearError(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var error = Assert.Throws<TestResultFormatException>(() => TestResultParser.Parse(stream));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }
}
