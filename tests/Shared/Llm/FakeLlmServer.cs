using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BuildLore.Tests;

/// <summary>What the fake model answers next: a text, after an optional delay (to play a slow model).</summary>
public sealed record FakeReply(string Text, TimeSpan Delay = default)
{
    public static implicit operator FakeReply(string text) => new(text);
}

/// <summary>A request the fake model received: its JSON body and the credentials it carried.</summary>
public sealed record FakeLlmRequest(string Body, string? Authorization, string? ApiKey)
{
    /// <summary>Every text the request sent (system and user messages), joined: the prompt as the model saw it.</summary>
    public string Prompt => string.Join("\n", Texts);

    /// <summary>The texts of the request's messages (and system prompt), in order.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            var texts = new List<string>();
            void Collect(JsonElement element)
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.String:
                        texts.Add(element.GetString()!);
                        break;
                    case JsonValueKind.Array:
                        foreach (var item in element.EnumerateArray())
                        {
                            Collect(item);
                        }

                        break;
                    case JsonValueKind.Object:
                        foreach (var property in element.EnumerateObject().Where(p => p.Name is "content" or "text" or "system" or "messages"))
                        {
                            Collect(property.Value);
                        }

                        break;
                }
            }

            Collect(document.RootElement);
            return texts;
        }
    }
}

/// <summary>
/// A real HTTP server on loopback that speaks two LLM wire formats: OpenAI's chat completions
/// (<c>POST /v1/chat/completions</c>) and Anthropic's Messages API (<c>POST /v1/messages</c>). It answers
/// with the given replies in turn and keeps every request, so tests drive the same SDK code a user runs
/// against a real provider.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _replies;

    private FakeLlmServer(WebApplication app, IEnumerable<FakeReply> replies)
    {
        _app = app;
        _replies = new ConcurrentQueue<FakeReply>(replies);
    }

    public ConcurrentQueue<FakeLlmRequest> Requests { get; } = new();

    /// <summary>The base address of the OpenAI-compatible API (ends in <c>/v1</c>).</summary>
    public string OpenAIEndpoint => _app.Urls.First() + "/v1";

    /// <summary>The base address of the Anthropic API (the SDK adds <c>/v1/messages</c>).</summary>
    public string AnthropicEndpoint => _app.Urls.First();

    public static async Task<FakeLlmServer> StartAsync(params FakeReply[] replies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeLlmServer(app, replies);
        app.MapPost("/v1/chat/completions", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var (reply, model) = await server.NextAsync(request, cancellationToken);
            return Results.Text(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["id"] = "chatcmpl-1", ["object"] = "chat.completion", ["created"] = 0, ["model"] = model,
                ["choices"] = new[] { new Dictionary<string, object> { ["index"] = 0, ["finish_reason"] = "stop", ["message"] = new Dictionary<string, object> { ["role"] = "assistant", ["content"] = reply } } },
                ["usage"] = new Dictionary<string, int> { ["prompt_tokens"] = 100, ["completion_tokens"] = 20, ["total_tokens"] = 120 },
            }), "application/json");
        });
        app.MapPost("/v1/messages", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var (reply, model) = await server.NextAsync(request, cancellationToken);
            return Results.Text(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = "msg_01", ["type"] = "message", ["role"] = "assistant", ["model"] = model,
                ["content"] = new[] { new Dictionary<string, object> { ["type"] = "text", ["text"] = reply } },
                ["stop_reason"] = "end_turn", ["stop_sequence"] = null,
                ["usage"] = new Dictionary<string, int> { ["input_tokens"] = 100, ["output_tokens"] = 20 },
            }), "application/json");
        });
        await app.StartAsync();
        return server;
    }

    private async Task<(string Reply, string Model)> NextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        Requests.Enqueue(new FakeLlmRequest(body, request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            request.Headers["x-api-key"].ToString() is { Length: > 0 } key ? key : null));
        var next = _replies.TryDequeue(out var reply) ? reply : new FakeReply("no more replies");
        if (next.Delay > TimeSpan.Zero)
        {
            await Task.Delay(next.Delay, cancellationToken);
        }

        using var document = JsonDocument.Parse(body);
        var model = document.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "unknown" : "unknown";
        return (next.Text, model);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
