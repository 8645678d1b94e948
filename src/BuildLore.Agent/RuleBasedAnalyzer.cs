using System.Text;
using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>
/// The analyzer that works offline with no configuration: it explains a failure from the server's
/// category, diagnostics and failure excerpt, and repeats the advice of earlier reports on the same
/// fingerprint whose outcome was a fix. Its confidence is no higher than the evidence allows. It also
/// writes the project-level dependency audit and performance analysis from the manifests and the build
/// durations.
/// </summary>
public sealed class RuleBasedAnalyzer : IBuildAnalyzer, IProjectAnalyzer
{
    /// <summary>What its reports name as their model.</summary>
    public const string ModelName = "buildlore-rules";

    private static readonly Dictionary<string, (string Cause, string[] Advice)> Categories = new(StringComparer.Ordinal)
    {
        ["compile_error"] = ("The code does not compile.", ["Fix the first compiler error listed; later errors often follow from it."]),
        ["link_error"] = ("Compilation succeeded but linking failed: a symbol or library is missing.", ["Check that every referenced function is defined and the library that provides it is linked."]),
        ["test_failure"] = ("The build compiled but tests failed.", ["Run the failing tests locally and compare with the last green build's changes."]),
        ["missing_dependency"] = ("A dependency (package, module, header or tool) could not be found.", ["Install or restore the missing dependency, and check its name and version in the manifest."]),
        ["timeout"] = ("The build ran out of time.", ["Find the step that hangs in the last lines of the log; raise the timeout only if the work is legitimately slow."]),
        ["crash"] = ("A process crashed (segfault, out of memory, killed, or an uncaught exception).", ["Reproduce the crashing step locally; check memory limits and the stack trace at the end of the log."]),
        ["lint_error"] = ("A linter rejected the code.", ["Fix the reported rule violations or adjust the linter configuration deliberately."]),
        ["config_error"] = ("The build's configuration is invalid.", ["Correct the configuration file or script reported in the first error."]),
        ["network_error"] = ("The build could not reach a network resource.", ["Retry the build; if it persists, check the registry or host in the error and the runner's network access."]),
        ["infrastructure"] = ("The build machine failed (disk full, runner lost, interrupted).", ["Re-run on a healthy runner; free disk space or check the runner's health."]),
    };

    public Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default)
    {
        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        if (build.Category is null && errors.Count == 0)
        {
            return Task.FromResult<AgentAnalysis?>(null);
        }

        var category = build.Category ?? "unknown";
        var (cause, advice) = Categories.TryGetValue(category, out var known)
            ? known
            : ("The log does not show a recognised cause.", new[] { "Read the end of the log: the failure is not labelled by the tool." });

        var text = new StringBuilder();
        text.Append("Build ").Append(build.Id).Append(" failed: ").Append(category).Append(". ").Append(cause);
        foreach (var error in errors.Take(5))
        {
            text.Append("\n- ").Append(error.File is null ? "" : $"{error.File}{(error.Line is null ? "" : $":{error.Line}")}: ").Append(error.Code is null ? "" : $"{error.Code} ").Append(error.Message);
        }

        if (errors.Count > 5)
        {
            text.Append("\n(").Append(errors.Count - 5).Append(" more errors)");
        }

        // Advice that was followed by a green build is the best evidence there is; how often the same advice
        // was followed by the same failure again weighs against it.
        var recommendations = new List<(string, double)>();
        var reused = ReusedAdvice(build.KnownIssues);
        foreach (var past in reused.Take(5))
        {
            var record = past.Failed == 0 ? "" : $", {past.Fixed} of {past.Fixed + past.Failed} times";
            recommendations.Add(($"{past.Text} (fixed this failure before: report {past.ReportId}{record})", past.Confidence));
        }

        var categoryConfidence = build.Category is null ? 0.3 : build.CategoryConfidence;
        var first = errors.FirstOrDefault();
        if (first is not null)
        {
            var location = first.File is null ? "" : $" in {first.File}{(first.Line is null ? "" : $" line {first.Line}")}";
            recommendations.Add(($"Start with the first error{location}: {first.Message}", Math.Round(0.5 + 0.3 * categoryConfidence, 2)));
        }

        recommendations.AddRange(advice.Select(a => (a, Math.Round(0.4 + 0.3 * categoryConfidence, 2))));
        var failedBefore = build.KnownIssues.Count(k => k.Outcome == "still_failing");
        if (failedBefore > 0)
        {
            text.Append("\nEarlier advice on this failure did not fix it ").Append(failedBefore).Append(" time(s); see known issues.");
        }

        // Without advice that worked, each earlier attempt that did not fix this failure makes the generic reading less sure.
        var confidence = Math.Round(reused.Count > 0
            ? reused.Max(r => r.Confidence)
            : Math.Min(0.85, 0.3 + 0.5 * categoryConfidence) / (1 + 0.25 * failedBefore), 2);
        return Task.FromResult<AgentAnalysis?>(new AgentAnalysis(text.ToString(), recommendations, confidence)
        {
            RootCause = first is null ? cause : $"{cause} First error: {first.Message}",
            Category = build.Category,
            AffectedFiles = ErrorFiles(build),
            Model = ModelName,
        });
    }

    /// <summary>A recommendation of earlier reports on this failure, with how it turned out each time it was given.</summary>
    internal sealed record Advice(string Text, long ReportId, int Fixed, int Failed, double Confidence);

    /// <summary>
    /// Recommendations that preceded a fix at least once, most trusted first. Their confidence is calibrated
    /// on recorded outcomes: the report's own confidence counts as two observations (a prior), then every
    /// known outcome of the same advice moves it, <c>(fixed + 2c) / (fixed + failed + 2)</c>, at most 0.95.
    /// One fix of advice given with 0.85 gives 0.9; the same with three failures after it, 0.45.
    /// </summary>
    internal static IReadOnlyList<Advice> ReusedAdvice(IReadOnlyList<KnownIssueInfo> knownIssues)
    {
        const double PriorWeight = 2;
        return [.. knownIssues
            .SelectMany(k => k.Recommendations.Select(text => (Text: text, Issue: k)))
            .GroupBy(r => r.Text, StringComparer.Ordinal)
            .Select(g =>
            {
                var fixedCount = g.Count(r => r.Issue.Outcome == "fixed");
                var failed = g.Count(r => r.Issue.Outcome is "still_failing" or "failed_differently");
                var prior = g.Max(r => r.Issue.Confidence);
                var confidence = Math.Min(0.95, (fixedCount + PriorWeight * prior) / (fixedCount + failed + PriorWeight));
                var reportId = g.Where(r => r.Issue.Outcome == "fixed").Select(r => r.Issue.ReportId).DefaultIfEmpty().Max();
                return new Advice(g.Key, reportId, fixedCount, failed, Math.Round(confidence, 2));
            })
            .Where(a => a.Fixed > 0)
            .OrderByDescending(a => a.Confidence)
            .ThenByDescending(a => a.ReportId)];
    }

    /// <summary>The files (with their lines) of a build's errors, as a report's affected files.</summary>
    internal static IReadOnlyList<AffectedFile> ErrorFiles(BuildDetail build) =>
        [.. build.Diagnostics.Where(d => d.Severity == "error" && d.File is not null).GroupBy(d => d.File!, StringComparer.Ordinal).Take(20)
            .Select(g => new AffectedFile { Path = g.Key, Lines = [.. g.Where(d => d.Line is > 0).Select(d => d.Line!.Value).Distinct().Order()] })];

    public Task<AgentAnalysis?> AuditDependenciesAsync(string project, IReadOnlyList<DependencyInfo> dependencies, CancellationToken cancellationToken = default) =>
        Task.FromResult(DependencyAudit.Audit(dependencies));

    public Task<AgentAnalysis?> AnalyzePerformanceAsync(string project, ProjectHealth health, CancellationToken cancellationToken = default) =>
        Task.FromResult(PerformanceReview.Review(project, health));
}
