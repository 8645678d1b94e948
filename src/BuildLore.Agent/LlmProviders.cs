using System.ClientModel;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;

namespace BuildLore.Agent;

/// <summary>
/// The chat clients the agent can analyze with, all behind Microsoft.Extensions.AI's <see cref="IChatClient"/>:
/// OpenAI-compatible chat completions (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp server, LM Studio) and
/// Anthropic's Messages API, through each provider's official SDK.
/// </summary>
public static class LlmProviders
{
    public const string OpenAI = "openai";
    public const string Anthropic = "anthropic";

    /// <summary>The providers <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> All { get; } = [OpenAI, Anthropic];

    /// <summary>Where Anthropic's API lives when no endpoint is given.</summary>
    public static Uri AnthropicEndpoint { get; } = new("https://api.anthropic.com");

    /// <summary>The environment variables an API key is read from, first found wins.</summary>
    public static IReadOnlyList<string> ApiKeyVariables(string provider) => provider == Anthropic
        ? ["BUILDLORE_LLM_API_KEY", "ANTHROPIC_API_KEY"]
        : ["BUILDLORE_LLM_API_KEY", "OPENAI_API_KEY"];

    /// <summary>A client for <paramref name="provider"/> (<see cref="OpenAI"/> or <see cref="Anthropic"/>).</summary>
    /// <param name="provider">Which wire format to speak.</param>
    /// <param name="endpoint">The API's base address; required for OpenAI-compatible servers, Anthropic's own by default.</param>
    /// <param name="model">The model to ask.</param>
    /// <param name="apiKey">The key, or null for none (local servers).</param>
    /// <param name="timeout">How long the SDK lets one call take (the analyzer bounds each answer itself too).</param>
    public static IChatClient Create(string provider, Uri? endpoint, string model, string? apiKey, TimeSpan timeout) => provider switch
    {
        OpenAI => OpenAICompatible(endpoint ?? throw new ArgumentException("An OpenAI-compatible provider needs an endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama.", nameof(endpoint)), model, apiKey, timeout),
        Anthropic => AnthropicMessages(endpoint ?? AnthropicEndpoint, model, apiKey, timeout),
        _ => throw new ArgumentException($"Unknown LLM provider '{provider}'. Use {string.Join(" or ", All)}.", nameof(provider)),
    };

    /// <summary>
    /// A client for an OpenAI-compatible chat completions endpoint (e.g. <c>http://127.0.0.1:11434/v1</c> for Ollama,
    /// <c>https://api.openai.com/v1</c> for OpenAI).
    /// </summary>
    public static IChatClient OpenAICompatible(Uri endpoint, string model, string? apiKey, TimeSpan timeout) =>
        new OpenAIClient(
                new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "unused" : apiKey),
                new OpenAIClientOptions { Endpoint = endpoint, NetworkTimeout = timeout })
            .GetChatClient(model)
            .AsIChatClient();

    /// <summary>A client for Anthropic's Messages API (<c>POST {endpoint}/v1/messages</c>).</summary>
    public static IChatClient AnthropicMessages(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        // One retry for a dropped connection or a 5xx; the analyzer's own retry is for unusable answers.
        // Without a key the SDK falls back on ANTHROPIC_API_KEY itself.
        var client = string.IsNullOrEmpty(apiKey)
            ? new AnthropicClient { BaseUrl = endpoint.ToString().TrimEnd('/'), Timeout = timeout, MaxRetries = 1 }
            : new AnthropicClient { BaseUrl = endpoint.ToString().TrimEnd('/'), Timeout = timeout, MaxRetries = 1, ApiKey = apiKey };
        return client.AsIChatClient(model);
    }
}
