using System.ClientModel;
using System.Text;
using System.Text.Json;
using BuildLore.Client;
using Microsoft.Extensions.AI;
using OpenAI;

namespace BuildLore.Agent;

/// <summary>The LLM gave no usable answer, even after one retry; nothing is reported for that build.</summary>
public sealed class AgentAnalysisException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Analyzes a failure with any LLM behind Microsoft.Extensions.AI's <see cref="IChatClient"/>. The prompt
/// holds the failure excerpt, the diagnostics and what is known about the same failures, within a
/// budget; the reply must be JSON with analysis, root cause, recommendations and confidence. A reply
/// that is not is asked for once more, then the build is left for later.
/// </summary>
public sealed class ChatClientAnalyzer(IChatClient chat, int promptCharBudget = 24_000) : IBuildAnalyzer
{
    private const string Instructions = """
        You analyze failed software builds. Answer with one JSON object only, no prose around it:
        {"analysis": "what failed and why, in a few sentences", "root_cause": "the underlying cause",
         "recommendations": [{"text": "a concrete fix", "confidence": 0.0-1.0}], "confidence": 0.0-1.0}
        Confidence is how sure you are, honestly: low when the log does not show the cause.
        """;

    /// <summary>
    /// A client for an OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI, Ollama, vLLM,
    /// llama.cpp server, LM Studio (e.g. <c>http://127.0.0.1:11434/v1</c> for Ollama).
    /// </summary>
    public static IChatClient OpenAICompatible(Uri endpoint, string model, string? apiKey) =>
        new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "unused" : apiKey), new OpenAIClientOptions { Endpoint = endpoint })
            .GetChatClient(model)
            .AsIChatClient();

    public async Task<AgentAnalysis?> AnalyzeAsync(BuildDetail build, CancellationToken cancellationToken = default)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, Instructions), new(ChatRole.User, Prompt(build)) };
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var response = await chat.GetResponseAsync(messages, new ChatOptions { Temperature = 0.2f }, cancellationToken).ConfigureAwait(false);
            if (TryParse(response.Text, out var analysis, out var problem))
            {
                return analysis;
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
            messages.Add(new ChatMessage(ChatRole.User, $"That reply was not usable ({problem}). Answer again with the JSON object only."));
        }

        throw new AgentAnalysisException($"The model gave no valid JSON analysis for build {build.Id} after a retry.");
    }

    private string Prompt(BuildDetail build)
    {
        var prompt = new StringBuilder();
        prompt.Append("Build ").Append(build.Id).Append(" of ").Append(build.Project)
            .Append(build.Branch is null ? "" : $" (branch {build.Branch})").Append(" ended ").Append(build.Status)
            .Append(build.Category is null ? "" : $"; the server classified it as {build.Category} ({build.CategoryConfidence:0.00})").Append(".\n\n");
        prompt.Append("Errors found in the log:\n");
        foreach (var d in build.Diagnostics.Where(d => d.Severity == "error").Take(30))
        {
            prompt.Append("- ").Append(d.File is null ? "" : $"{d.File}:{d.Line}: ").Append(d.Code is null ? "" : $"{d.Code} ").Append(d.Message).Append(" [").Append(d.Tool).Append("]\n");
        }

        foreach (var issue in build.KnownIssues.Take(5))
        {
            prompt.Append("\nEarlier analysis of the same failure (outcome: ").Append(issue.Outcome).Append("): ").Append(issue.Analysis)
                .Append("\nIts recommendations: ").Append(string.Join("; ", issue.Recommendations)).Append('\n');
        }

        prompt.Append("\nThe part of the log that explains the failure:\n");
        foreach (var range in build.FailureExcerpt)
        {
            if (prompt.Length + range.Text.Length > promptCharBudget)
            {
                prompt.Append("(more of the excerpt left out to fit the budget)\n");
                break;
            }

            prompt.Append("--- log lines ").Append(range.StartLine).Append('-').Append(range.EndLine).Append(" ---\n").Append(range.Text).Append('\n');
        }

        return prompt.ToString();
    }

    internal static bool TryParse(string text, out AgentAnalysis? analysis, out string problem)
    {
        analysis = null;
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
            var body = root.TryGetProperty("analysis", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrWhiteSpace(body))
            {
                problem = "'analysis' is missing";
                return false;
            }

            if (!root.TryGetProperty("confidence", out var c) || !c.TryGetDouble(out var confidence) || confidence is < 0 or > 1)
            {
                problem = "'confidence' must be a number from 0 to 1";
                return false;
            }

            var recommendations = new List<(string, double)>();
            if (root.TryGetProperty("recommendations", out var recs) && recs.ValueKind == JsonValueKind.Array)
            {
                foreach (var rec in recs.EnumerateArray())
                {
                    if (rec.ValueKind == JsonValueKind.String)
                    {
                        recommendations.Add((rec.GetString()!, confidence));
                    }
                    else if (rec.ValueKind == JsonValueKind.Object && rec.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        var own = rec.TryGetProperty("confidence", out var rc) && rc.TryGetDouble(out var value) && value is >= 0 and <= 1 ? value : confidence;
                        recommendations.Add((t.GetString()!, own));
                    }
                }
            }

            var rootCause = root.TryGetProperty("root_cause", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            analysis = new AgentAnalysis(rootCause is null ? body : $"{body}\nRoot cause: {rootCause}", recommendations, Math.Round(confidence, 2));
            problem = "";
            return true;
        }
        catch (JsonException e)
        {
            problem = $"invalid JSON: {e.Message}";
            return false;
        }
    }
}
