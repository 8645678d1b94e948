using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>A finished analysis, ready to be submitted as a <c>failure_analysis</c> report.</summary>
public sealed record AgentAnalysis(string Analysis, IReadOnlyList<(string Text, double Confidence)> Recommendations, double Confidence);

/// <summary>Turns a failed build's detail into an analysis. The built-in one is <see cref="RuleBasedAnalyzer"/>.</summary>
public interface IBuildAnalyzer
{
    /// <summary>The analysis, or null when the analyzer has nothing worth reporting.</summary>
    Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default);
}
