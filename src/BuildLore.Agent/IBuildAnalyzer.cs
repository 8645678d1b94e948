using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>
/// A finished analysis, ready to be submitted as a report. Each recommendation carries its own confidence:
/// the agent submits only those at or above its threshold.
/// </summary>
public sealed record AgentAnalysis(string Analysis, IReadOnlyList<(string Text, double Confidence)> Recommendations, double Confidence)
{
    /// <summary>The underlying cause, in a sentence.</summary>
    public string? RootCause { get; init; }

    /// <summary>Files (and lines) the findings are about.</summary>
    public IReadOnlyList<AffectedFile> AffectedFiles { get; init; } = [];

    /// <summary>A snake_case label (for failures, the server's failure category).</summary>
    public string? Category { get; init; }

    /// <summary>Who wrote it: the LLM's model name, or <see cref="RuleBasedAnalyzer.ModelName"/>.</summary>
    public string? Model { get; init; }

    /// <summary>What it cost, for an LLM's analysis.</summary>
    public TokensUsed? TokensUsed { get; init; }
}

/// <summary>Turns a failed build's detail into an analysis. The built-in one is <see cref="RuleBasedAnalyzer"/>.</summary>
public interface IBuildAnalyzer
{
    /// <summary>The analysis, or null when the analyzer has nothing worth reporting.</summary>
    /// <exception cref="AgentAnalysisException">The analyzer could not produce a usable analysis (e.g. an LLM's bad or late reply).</exception>
    Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default);
}

/// <summary>
/// Writes the project-level reports the agent produces on a schedule: a <c>dependency_audit</c> from the
/// codebase's declared dependencies and a <c>performance_analysis</c> from the project's build durations.
/// </summary>
public interface IProjectAnalyzer
{
    /// <summary>An audit of the dependencies, or null when there are none to audit.</summary>
    Task<AgentAnalysis?> AuditDependenciesAsync(string project, IReadOnlyList<DependencyInfo> dependencies, CancellationToken cancellationToken = default);

    /// <summary>An analysis of build durations, or null when there are too few finished builds to say anything.</summary>
    Task<AgentAnalysis?> AnalyzePerformanceAsync(string project, ProjectHealth health, CancellationToken cancellationToken = default);
}

/// <summary>The analyzer gave no usable answer (for an LLM: even after one retry, or not in time); nothing is reported.</summary>
public sealed class AgentAnalysisException(string message, Exception? inner = null) : Exception(message, inner);
