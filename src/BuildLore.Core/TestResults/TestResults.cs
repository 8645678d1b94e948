using System.Globalization;
using System.Xml;

namespace BuildLore.Core.TestResults;

/// <summary>One test case's result in one build.</summary>
public sealed record TestCaseResult(string Name, string? Suite, string Outcome, double? DurationSeconds, string? Message);

public static class TestOutcome
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>The report was not JUnit XML or TRX, or not well-formed.</summary>
public sealed class TestResultFormatException(string message) : Exception(message);

/// <summary>
/// Reads test reports in the formats CI systems produce: JUnit XML in its dialects (Maven surefire,
/// pytest, jest-junit, node:test, go-junit-report: <c>testsuites/testsuite/testcase</c> with
/// <c>failure</c>, <c>error</c> or <c>skipped</c> children) and Visual Studio's TRX. DTDs are refused,
/// so a report cannot pull in files or expand entities.
/// </summary>
public static class TestResultParser
{
    public static IReadOnlyList<TestCaseResult> Parse(Stream xml)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            reader.MoveToContent();
            return reader.LocalName switch
            {
                "TestRun" => ParseTrx(reader),
                "testsuites" or "testsuite" => ParseJUnit(reader),
                _ => throw new TestResultFormatException($"Unknown test report format: the root element is <{reader.LocalName}>; expected JUnit (<testsuites>/<testsuite>) or TRX (<TestRun>)."),
            };
        }
        catch (XmlException e)
        {
            throw new TestResultFormatException($"The test report is not well-formed XML: {e.Message}");
        }
    }

    private static List<TestCaseResult> ParseJUnit(XmlReader reader)
    {
        var results = new List<TestCaseResult>();
        var suites = new Stack<string?>();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "testsuite")
            {
                suites.Push(reader.GetAttribute("name"));
                if (reader.IsEmptyElement)
                {
                    suites.Pop();
                }

                reader.Read();
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "testsuite")
            {
                suites.TryPop(out _);
                reader.Read();
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "testcase")
            {
                results.Add(ReadJUnitCase(reader, suites.Count > 0 ? suites.Peek() : null));
            }
            else
            {
                reader.Read();
            }
        }

        return results;
    }

    private static TestCaseResult ReadJUnitCase(XmlReader reader, string? suite)
    {
        var name = reader.GetAttribute("name") ?? "(unnamed)";
        var className = reader.GetAttribute("classname");
        var duration = double.TryParse(reader.GetAttribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : (double?)null;
        var outcome = TestOutcome.Passed;
        string? message = null;
        using (var testCase = reader.ReadSubtree())
        {
            testCase.Read();
            while (testCase.Read())
            {
                if (testCase.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (testCase.LocalName)
                {
                    case "failure" or "error":
                        outcome = TestOutcome.Failed;
                        if (message is null)
                        {
                            // go-junit-report says only message="Failed"; what the test printed is the body.
                            var attribute = testCase.GetAttribute("message");
                            message = attribute is { Length: > 0 } and not "Failed" ? attribute
                                : testCase.ReadElementContentAsString().Trim() is { Length: > 0 } body ? body : attribute;
                        }
                        break;
                    case "skipped" when outcome != TestOutcome.Failed:
                        outcome = TestOutcome.Skipped;
                        break;
                }
            }
        }

        reader.Read(); // past the testcase
        return new TestCaseResult(className is null || name.StartsWith(className, StringComparison.Ordinal) ? name : $"{className}.{name}", suite, outcome, duration, Trim(message));
    }

    private static List<TestCaseResult> ParseTrx(XmlReader reader)
    {
        var results = new List<TestCaseResult>();
        while (reader.ReadToFollowing("UnitTestResult", reader.NamespaceURI))
        {
            var name = reader.GetAttribute("testName") ?? "(unnamed)";
            var outcome = reader.GetAttribute("outcome") switch
            {
                "Passed" => TestOutcome.Passed,
                "NotExecuted" or "Inconclusive" or "Pending" => TestOutcome.Skipped,
                _ => TestOutcome.Failed,
            };
            var duration = TimeSpan.TryParse(reader.GetAttribute("duration"), CultureInfo.InvariantCulture, out var time) ? time.TotalSeconds : (double?)null;
            string? message = null;
            if (!reader.IsEmptyElement)
            {
                using var result = reader.ReadSubtree();
                if (result.ReadToFollowing("ErrorInfo", reader.NamespaceURI) && result.ReadToFollowing("Message", reader.NamespaceURI))
                {
                    message = result.ReadElementContentAsString().Trim();
                }
            }

            results.Add(new TestCaseResult(name, null, outcome, duration, outcome == TestOutcome.Failed ? Trim(message) : null));
        }

        return results;
    }

    private static string? Trim(string? message) => message is { Length: > 2000 } ? message[..2000] : message;
}

/// <summary>A test whose outcome changes without a change to the code: it passed and failed on one commit, or keeps flipping.</summary>
public sealed record FlakyTest(string Name, int Runs, int Failures, int Flips, double FlipRate, bool FailedAndPassedOnOneCommit, DateTimeOffset LastSeen);
