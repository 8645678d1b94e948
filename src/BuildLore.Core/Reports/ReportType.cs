namespace BuildLore.Core.Reports;

/// <summary>The report types of the seed contract.</summary>
public static class ReportType
{
    public const string FailureAnalysis = "failure_analysis";
    public const string CodeImprovement = "code_improvement";
    public const string TestCoverage = "test_coverage";
    public const string DependencyAudit = "dependency_audit";
    public const string PerformanceAnalysis = "performance_analysis";

    public static IReadOnlyList<string> All { get; } =
        [FailureAnalysis, CodeImprovement, TestCoverage, DependencyAudit, PerformanceAnalysis];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
