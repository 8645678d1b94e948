using BuildLore.Core.Analysis.Causes;
using BuildLore.Core.Analysis.Matchers;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Extra rules a workspace owner gives the analyzer, in formats people already have: GitHub Actions
/// problem matchers and Jenkins-Build-Failure-Analyzer-style failure causes.
/// </summary>
public sealed record AnalysisRules(IReadOnlyList<ProblemMatcher> ProblemMatchers, IReadOnlyList<FailureCause> FailureCauses)
{
    public static AnalysisRules None { get; } = new([], []);

    public bool IsEmpty => ProblemMatchers.Count == 0 && FailureCauses.Count == 0;

    /// <summary>Loads rule files (paths relative to <paramref name="baseDirectory"/>).</summary>
    /// <exception cref="ProblemMatcherException">A problem-matcher file is invalid.</exception>
    /// <exception cref="FailureCauseException">A failure-cause file is invalid.</exception>
    public static AnalysisRules Load(string baseDirectory, IEnumerable<string> problemMatcherFiles, IEnumerable<string> failureCauseFiles)
    {
        var matchers = new List<ProblemMatcher>();
        foreach (var file in problemMatcherFiles)
        {
            matchers.AddRange(ProblemMatcherLoader.Load(File.ReadAllText(Path.Combine(baseDirectory, file))));
        }

        var causes = new List<FailureCause>();
        foreach (var file in failureCauseFiles)
        {
            causes.AddRange(FailureCauseLoader.Load(File.ReadAllText(Path.Combine(baseDirectory, file))));
        }

        return new AnalysisRules(matchers, causes);
    }
}

/// <summary>A failure cause (the workspace's or a built-in one) found in the log, with the lines that show it.</summary>
public sealed record FoundFailureCause(string Name, string Description, IReadOnlyList<string> Categories, IReadOnlyList<long> LogLines);
