namespace BuildLore.Client;

/// <summary>The report types the server accepts as a report's <c>type</c>.</summary>
public static class ReportTypes
{
    /// <summary>What caused a build to fail.</summary>
    public const string FailureAnalysis = "failure_analysis";

    /// <summary>Optimisations or refactorings the code would gain from.</summary>
    public const string CodeImprovement = "code_improvement";

    /// <summary>What the tests cover and which scenarios are missing.</summary>
    public const string TestCoverage = "test_coverage";

    /// <summary>Outdated, vulnerable or unneeded dependencies.</summary>
    public const string DependencyAudit = "dependency_audit";

    /// <summary>Build time, memory use and how to reduce them.</summary>
    public const string PerformanceAnalysis = "performance_analysis";
}
