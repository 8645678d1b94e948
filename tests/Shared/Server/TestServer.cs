using System.Text.Json;
using BuildLore.Core.Storage;
using BuildLore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuildLore.Tests;

/// <summary>
/// The real BuildLore server (the same <see cref="BuildLoreServer.Create"/> that <c>buildlore serve</c>
/// runs) on a free loopback port, with its own workspace and data folder. Tests talk to it over HTTP.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string workspace, string dataDir)
    {
        _app = app;
        Workspace = workspace;
        DataDir = dataDir;
        BaseAddress = new Uri(app.ListeningAddresses().First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal)) + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Workspace { get; }

    public string DataDir { get; }

    /// <summary>The server's services, to look at its state (e.g. how many live feeds it keeps).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The server's own store, for seeding data that would be slow to produce over HTTP.</summary>
    public IBuildStore Store => _app.Services.GetRequiredService<IBuildStore>();

    /// <summary>Starts a server. <paramref name="settings"/> are extra configuration keys (e.g. <c>BuildLore:Store:ConnectionString</c>).</summary>
    public static async Task<TestServer> StartAsync(string workspace, string? dataDir = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        dataDir ??= Path.Combine(workspace, ".buildlore");
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["BuildLore:Host"] = "127.0.0.1",
            ["BuildLore:Port"] = "0",
            ["BuildLore:Workspace"] = workspace,
            ["BuildLore:DataDir"] = dataDir,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var app = BuildLoreServer.Create(overrides, logging: logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new TestServer(app, workspace, dataDir);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<(int Status, JsonElement Body)> SendJsonAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, json);
    }

    /// <summary>Polls a build until it reaches a final status, and returns its detail (with the full log).</summary>
    public async Task<JsonElement> WaitForBuildAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(180));
        while (true)
        {
            var detail = await GetJsonAsync($"llm/learning/build/{id}?log=none");
            var status = detail.GetProperty("build").GetProperty("status").GetString();
            if (status is "success" or "failed" or "error" or "cancelled" or "timeout")
            {
                return (await GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
            }

            Assert.True(DateTime.UtcNow < deadline, $"Build {id} still '{status}' after the timeout.");
            await Task.Delay(100);
        }
    }

    /// <summary>Queues a build through the API and returns its id.</summary>
    public async Task<string> RunBuildAsync(string? profile = null)
    {
        var (status, body) = await SendJsonAsync(HttpMethod.Post, "build/run", profile is null ? null : JsonSerializer.Serialize(new { profile }));
        Assert.True(status == 202, $"POST /build/run → {status}: {body}");
        return body.GetProperty("build_id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
