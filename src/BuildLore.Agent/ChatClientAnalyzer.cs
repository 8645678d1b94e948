using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BuildLore.Client;
using Microsoft.Extensions.AI;

namespace BuildLore.Agent;

/// <summary>How <see cref="ChatClientAnalyzer"/> asks its model.</summary>
public sealed record ChatAnalyzerOptions
{
    /// <summary>The most tokens a prompt (instructions included) may take; what does not fit is left out, most important first kept.</summary>
    public int PromptTokenBudget { get; init; } = 6000;

    /// <summary>How long one answer may take; a late answer is an agent error, not a report.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The most tokens the model may write in its answer.</summary>
    public int MaxOutputTokens { get; init; } = 2048;

    /// <summary>Lines of source shown on each side of an error's line.</summary>
    public int SnippetRadius { get; init; } = 6;

    /// <summary>Files whose source around the errors is shown.</summary>
    public int MaxSnippetFiles { get; init; } = 4;
}

/// <summary>
/// Analyzes with any LLM behind Microsoft.Extensions.AI's <see cref="IChatClient"/> (see <see cref="LlmProviders"/>).
/// For a failure the prompt holds, within a token budget and in this order: the build and its errors, the
/// failure excerpt, earlier analyses of the same failure and their outcome, what is new since the last green
/// build (diagnostics and changed files, from the server's compare), and the source around the errors' lines
/// (from the server's codebase). The reply must be JSON with analysis, root cause, recommendations and
/// confidence; a reply that is not is asked for once more, then the analysis fails and nothing is reported.
/// </summary>
/// <param name="chat">The model.</param>
/// <param name="server">The BuildLore server the build came from, to read the comparison and source snippets; null to leave them out.</param>
/// <param name="options">Budget and timeout; defaults when null.</param>
public sealed partial class ChatClientAnalyzer(IChatClient chat, LLMClient? server = null, ChatAnalyzerOptions? options = null) : IBuildAnalyzer, IProjectAnalyzer
{
    private const string ReplyFormat = """
        Answer with one JSON object only, no prose around it:
        {"analysis": "what you found and why, in a few sentences", "root_cause": "the underlying cause",
         "affected_files": [{"path": "relative/path", "line": 12}],
         "recommendations": [{"text": "a concrete action", "confidence": 0.0-1.0}], "confidence": 0.0-1.0}
        Confidence is how sure you are, honestly: low when the evidence does not show the cause.
        """;

    private const string FailureInstructions = "You analyze failed software builds. " + ReplyFormat;

    private const string DependencyInstructions = """
        You audit a project's declared dependencies: outdated, duplicated, unpinned or pre-release versions, deprecated
        or risky packages. Say only what the list shows; do not claim vulnerabilities you cannot see. Add
        "category": "a snake_case label of the main finding".
        """ + ReplyFormat;

    private const string PerformanceInstructions = """
        You analyze a project's build performance from its duration figures: regressions of the median and the p95,
        long tails, timeouts, and what usually causes them. Add "category": "a snake_case label of the main finding".
        """ + ReplyFormat;

    private readonly ChatAnalyzerOptions _options = options ?? new ChatAnalyzerOptions();

    public async Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default)
    {
        var prompt = await FailurePromptAsync(build, cancellationToken).ConfigureAwait(false);
        var (reply, model, tokens) = await AskAsync(FailureInstructions, prompt, $"build {build.Id}", cancellationToken).ConfigureAwait(false);
        return reply.ToAnalysis(model, tokens) with
        {
            // The server's classification, whatever label the model would choose.
            Category = build.Category,
            AffectedFiles = reply.AffectedFiles.Count > 0 ? reply.AffectedFiles : RuleBasedAnalyzer.ErrorFiles(build),
        };
    }

    public async Task<AgentAnalysis?> AuditDependenciesAsync(string project, IReadOnlyList<DependencyInfo> dependencies, CancellationToken cancellationToken = default)
    {
        if (dependencies.Count == 0)
        {
            return null;
        }

        var prompt = new PromptBuilder(_options.PromptTokenBudget - PromptBuilder.Count(DependencyInstructions));
        prompt.Add($"The dependencies declared by project {project} (ecosystem, name, version as declared, scope, manifest):\n");
        prompt.AddSection("", [.. dependencies.Select(d => $"- {d.Ecosystem} {d.Name} {d.Version ?? "(no version)"} [{d.Scope}] in {d.Manifest}\n")], "dependencies");
        if (DependencyAudit.Audit(dependencies) is { } mechanical)
        {
            prompt.Add($"\nMechanical checks (no registry access) already found:\n{mechanical.Analysis}\n", "the mechanical checks");
        }

        var (reply, model, tokens) = await AskAsync(DependencyInstructions, prompt.ToString(), $"the dependencies of {project}", cancellationToken).ConfigureAwait(false);
        return reply.ToAnalysis(model, tokens);
    }

    public async Task<AgentAnalysis?> AnalyzePerformanceAsync(string project, ProjectHealth health, CancellationToken cancellationToken = default)
    {
        if (health.DurationTrend is not { } trend || health.FinishedBuilds < PerformanceReview.MinimumBuilds)
        {
            return null;
        }

        var figures = string.Create(CultureInfo.InvariantCulture, $"""
            Build figures of project {project} over the last {health.Days} days:
            - finished builds: {health.FinishedBuilds} ({health.BuildsPerDay} per day), success rate {health.SuccessRate:0.###}
            - duration median {health.MedianDurationSeconds} s, p95 {health.P95DurationSeconds} s
            - earlier half ({trend.EarlyBuilds} builds): median {trend.EarlyMedianSeconds} s, p95 {trend.EarlyP95Seconds} s
            - later half ({trend.LateBuilds} builds): median {trend.LateMedianSeconds} s, p95 {trend.LateP95Seconds} s
            - failure categories: {string.Join(", ", health.TopFailureCategories.Select(c => $"{c.Category} ({c.Builds})"))}
            - mean time to recovery: {(health.MeanTimeToRecoveryHours is { } hours ? $"{hours} h" : "none needed")}
            """);
        var (reply, model, tokens) = await AskAsync(PerformanceInstructions, figures, $"the build durations of {project}", cancellationToken).ConfigureAwait(false);
        return reply.ToAnalysis(model, tokens);
    }

    /// <summary>The prompt for a failure: what the model is told about the build, within the budget.</summary>
    private async Task<string> FailurePromptAsync(BuildDetail build, CancellationToken cancellationToken)
    {
        var prompt = new PromptBuilder(_options.PromptTokenBudget - PromptBuilder.Count(FailureInstructions));
        prompt.Add(new StringBuilder()
            .Append("Build ").Append(build.Id).Append(" of ").Append(build.Project)
            .Append(build.Branch is null ? "" : $" (branch {build.Branch}{(build.Commit is null ? "" : $", commit {build.Commit}")})")
            .Append(" ended ").Append(build.Status)
            .Append(build.Category is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; the server classified it as {build.Category} ({build.CategoryConfidence:0.00})"))
            .Append(".\n")
            .ToString());

        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        prompt.AddSection("\nErrors found in the log:\n", [.. errors.Take(30).Select(d => $"- {Describe(d)}\n")], "errors");
        prompt.AddSection("\nThe part of the log that explains the failure:\n",
            [.. build.FailureExcerpt.Select(r => $"--- log lines {r.StartLine}-{r.EndLine} ---\n{r.Text.TrimEnd('\n')}\n")],
            "failure excerpt ranges",
            PromptBuilder.Tail);
        prompt.AddSection("\nEarlier analyses of the same failure, best outcome first (fixed = the next build passed):\n",
            [.. build.KnownIssues.Take(5).Select(k =>
                $"- report {k.ReportId} (outcome: {k.Outcome}, confidence {k.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}): {k.Analysis}\n" +
                (k.Recommendations.Count == 0 ? "" : $"  its recommendations: {string.Join("; ", k.Recommendations)}\n"))],
            "earlier analyses");

        if (server is not null)
        {
            await AddComparisonAsync(prompt, build, cancellationToken).ConfigureAwait(false);
            await AddSnippetsAsync(prompt, errors, cancellationToken).ConfigureAwait(false);
        }

        return prompt.ToString();
    }

    private async Task AddComparisonAsync(PromptBuilder prompt, BuildDetail build, CancellationToken cancellationToken)
    {
        BuildComparison comparison;
        try
        {
            comparison = await server!.CompareWithLastGreenAsync(build.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (LLMClientException)
        {
            return; // an older server, or a transient error: the prompt goes without
        }

        if (comparison.Baseline is not { } baseline)
        {
            prompt.Add("\nNo earlier build of this project and branch passed, so there is nothing to compare with.\n");
            return;
        }

        var range = comparison.Commits.From is null || comparison.Commits.To is null ? "" : $" (commits {comparison.Commits.From}..{comparison.Commits.To})";
        prompt.Add($"\nCompared with the last green build {baseline.Id}{range}:\n");
        prompt.AddSection("Diagnostics that are new since then:\n", [.. comparison.NewDiagnostics.Take(20).Select(d => $"- {Describe(d)}\n")], "new diagnostics");
        if (comparison.ChangedFiles is { } files)
        {
            if (files.Count == 0)
            {
                prompt.Add("No files changed between the two commits (the failure is not in the code's changes).\n");
            }
            else
            {
                prompt.AddSection("Files changed since the last green build:\n", [.. files.Take(100).Select(f => $"- {f}\n")], "changed files");
            }
        }
    }

    private async Task AddSnippetsAsync(PromptBuilder prompt, IReadOnlyList<DiagnosticInfo> errors, CancellationToken cancellationToken)
    {
        var snippets = new List<string>();
        foreach (var file in errors.Where(e => e.File is not null && e.Line is > 0).GroupBy(e => e.File!, StringComparer.Ordinal).Take(_options.MaxSnippetFiles))
        {
            var lines = file.Select(e => e.Line!.Value).Distinct().Order().ToList();
            // One window over all the file's error lines when they are close, else around the first.
            var last = lines[^1] - lines[0] <= 4 * _options.SnippetRadius ? lines[^1] : lines[0];
            var start = Math.Max(1, lines[0] - _options.SnippetRadius);
            try
            {
                var source = await server!.GetCodebaseFileAsync(file.Key, start, last + _options.SnippetRadius, cancellationToken).ConfigureAwait(false);
                if (source.Content is { Length: > 0 } content)
                {
                    snippets.Add(Numbered(source, content, lines));
                }
            }
            catch (LLMClientException)
            {
                // Not in the server's workspace (a CI build of another checkout), hidden, or outside it.
            }
        }

        prompt.AddSection("\nSource around the errors (from the server's workspace; > marks an error's line):\n", snippets, "source snippets");
    }

    private static string Numbered(CodebaseFile source, string content, IReadOnlyCollection<int> marked)
    {
        var text = new StringBuilder().Append("--- ").Append(source.Path).Append(" lines ").Append(source.StartLine).Append('-').Append(source.EndLine).Append(" ---\n");
        var number = (int)source.StartLine;
        foreach (var line in content.TrimEnd('\n').Split('\n'))
        {
            text.Append(marked.Contains(number) ? '>' : ' ').Append(number.ToString(CultureInfo.InvariantCulture).PadLeft(5)).Append(" | ").Append(line.TrimEnd('\r')).Append('\n');
            number++;
        }

        return text.ToString();
    }

    private static string Describe(DiagnosticInfo d) =>
        $"{(d.File is null ? "" : $"{d.File}:{d.Line}: ")}{(d.Code is null ? "" : $"{d.Code} ")}{d.Message}{(d.Tool is null ? "" : $" [{d.Tool}]")}";

    /// <summary>Asks once, and once more after an unusable reply; every token spent is counted.</summary>
    private async Task<(Reply Reply, string? Model, TokensUsed Tokens)> AskAsync(string instructions, string prompt, string subject, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, instructions), new(ChatRole.User, prompt) };
        var chatOptions = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = _options.MaxOutputTokens };
        long input = 0, output = 0;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            ChatResponse response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    response = await chat.GetResponseAsync(messages, chatOptions, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new AgentAnalysisException($"The model gave no answer about {subject} within {_options.RequestTimeout.TotalSeconds:0} s.", e);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new AgentAnalysisException($"The model could not be asked about {subject}: {e.Message}", e);
                }
            }

            input += response.Usage?.InputTokenCount ?? 0;
            output += response.Usage?.OutputTokenCount ?? 0;
            if (Reply.TryParse(response.Text, out var reply, out var problem))
            {
                var model = response.ModelId ?? chat.GetService<ChatClientMetadata>()?.DefaultModelId;
                return (reply, model, new TokensUsed { Input = input, Output = output });
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
            messages.Add(new ChatMessage(ChatRole.User, $"That reply was not usable ({problem}). Answer again with the JSON object only."));
        }

        throw new AgentAnalysisException($"The model gave no valid JSON analysis of {subject} after a retry.");
    }

    /// <summary>A model's reply, validated.</summary>
    private sealed record Reply(string Analysis, string? RootCause, string? Category, IReadOnlyList<AffectedFile> AffectedFiles, IReadOnlyList<(string, double)> Recommendations, double Confidence)
    {
        public AgentAnalysis ToAnalysis(string? model, TokensUsed tokens) => new(Analysis, Recommendations, Confidence)
        {
            RootCause = RootCause,
            Category = Category,
            AffectedFiles = AffectedFiles,
            Model = model,
            TokensUsed = tokens,
        };

        public static bool TryParse(string text, out Reply reply, out string problem)
        {
            reply = null!;
            var start = text.IndexOf('{', StringComparison.Ordinal);
            var end = text.LastIndexOf('}');
            if (start < 0 || end <= start)
            {
                problem = "no JSON object";
                return false;
            }

            try
            {
                using var document = JsonDocument.Parse(text[start..(end + 1)]);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || String(root, "analysis") is not { } analysis)
                {
                    problem = "'analysis' is missing";
                    return false;
                }

                if (!root.TryGetProperty("confidence", out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetDouble(out var confidence) || confidence is < 0 or > 1)
                {
                    problem = "'confidence' must be a number from 0 to 1";
                    return false;
                }

                var recommendations = new List<(string, double)>();
                if (root.TryGetProperty("recommendations", out var recs) && recs.ValueKind == JsonValueKind.Array)
                {
                    foreach (var rec in recs.EnumerateArray())
                    {
                        if (rec.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(rec.GetString()))
                        {
                            recommendations.Add((rec.GetString()!, confidence));
                        }
                        else if (rec.ValueKind == JsonValueKind.Object && String(rec, "text") is { } recText)
                        {
                            var own = rec.TryGetProperty("confidence", out var rc) && rc.ValueKind == JsonValueKind.Number && rc.TryGetDouble(out var value) && value is >= 0 and <= 1 ? value : confidence;
                            recommendations.Add((recText, own));
                        }
                    }
                }

                // Labels and paths go to the server as they are: keep only what it accepts.
                var category = String(root, "category") is { } label && Label().IsMatch(label) ? label : null;
                reply = new Reply(analysis, String(root, "root_cause"), category, Files(root), recommendations, Math.Round(confidence, 2));
                problem = "";
                return true;
            }
            catch (JsonException e)
            {
                problem = $"invalid JSON: {e.Message}";
                return false;
            }
        }

        private static string? String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()) ? value.GetString() : null;

        private static List<AffectedFile> Files(JsonElement root)
        {
            var files = new List<AffectedFile>();
            if (!root.TryGetProperty("affected_files", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return files;
            }

            foreach (var item in list.EnumerateArray().Take(50))
            {
                var path = item.ValueKind == JsonValueKind.String ? item.GetString() : item.ValueKind == JsonValueKind.Object ? String(item, "path") : null;
                if (string.IsNullOrWhiteSpace(path) || path.Length > 1000)
                {
                    continue;
                }

                var lines = new List<int>();
                if (item.ValueKind == JsonValueKind.Object)
                {
                    if (item.TryGetProperty("line", out var line) && line.ValueKind == JsonValueKind.Number && line.TryGetInt32(out var number) && number > 0)
                    {
                        lines.Add(number);
                    }

                    if (item.TryGetProperty("lines", out var many) && many.ValueKind == JsonValueKind.Array)
                    {
                        lines.AddRange(many.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out var n) && n > 0).Take(1000).Select(l => l.GetInt32()));
                    }
                }

                files.Add(new AffectedFile { Path = path, Lines = [.. lines.Distinct().Order()] });
            }

            return files;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex Label();
}
