using BuildLore.Client;

namespace BuildLore.Cli.Examples;

/// <summary>
/// The quick-start's Example 1, "Automatic Failure Classification": put a failed build in a broad
/// category from its error lines and record that as a <c>failure_analysis</c> report.
/// </summary>
internal static class FailureClassifier
{
    public sealed record Classification(string Category, string Evidence, IReadOnlyList<string> Recommendations, double Confidence);

    public static Classification Classify(BuildDetail build)
    {
        var errors = build.LogSummary.Errors;
        string? Find(params string[] needles) =>
            errors.FirstOrDefault(e => needles.Any(n => e.Contains(n, StringComparison.OrdinalIgnoreCase)));

        if (build.Status == BuildStatuses.Timeout || Find("timed out", "timeout") is not null)
        {
            return new("Timeout", Find("timed out", "timeout") ?? $"status {build.Status}",
                ["Find the step that hangs (last lines of the log)", "Raise the profile's timeout_seconds only if the work is legitimately slow"], 0.8);
        }

        if (Find("import", "module not found", "modulenotfounderror", "cannot find module", "no module named", "could not find package",
                "unable to resolve", "cs0246", "nu1101", "package not found") is { } dependency)
        {
            return new("Missing Dependency", dependency,
                ["Restore or install the missing package", "Check the package name and version in the manifest"], 0.75);
        }

        if (Find("test", "assert", "FAILED ") is { } test)
        {
            return new("Test Failure", test, ["Run the failing test locally", "Compare with the last green build's changes"], 0.7);
        }

        if (Find("error CS", "error TS", "error[E", ": error:") is { } compile)
        {
            return new("Compile Error", compile, ["Fix the first compiler error; later ones often follow from it"], 0.75);
        }

        return new("Unknown", errors.FirstOrDefault() ?? "no error lines in the log",
            ["Read the end of the log: the failure is not labelled by the tool"], 0.3);
    }

    /// <summary>Classifies one build and submits the report; returns the classification and the report id.</summary>
    public static async Task<(Classification Result, long ReportId)> ClassifyAndReportAsync(LLMClient client, string buildId, CancellationToken cancellationToken = default)
    {
        var build = await client.GetBuildAsync(buildId, LogDetail.None, cancellationToken).ConfigureAwait(false);
        var result = Classify(build);
        var analysis = $"Classified as: {result.Category}. {build.LogSummary.ErrorCount} error(s), {build.LogSummary.WarningCount} warning(s). Evidence: {result.Evidence}";
        var reportId = await client.SubmitReportAsync(build.Id, ReportTypes.FailureAnalysis, analysis, result.Recommendations, result.Confidence, cancellationToken).ConfigureAwait(false);
        return (result, reportId);
    }
}
