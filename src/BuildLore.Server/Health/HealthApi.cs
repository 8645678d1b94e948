using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Health;

/// <summary><c>GET /health</c>: 200 once the store is migrated and the server accepts requests.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (StoreInfo store, IOptions<BuildLoreOptions> options) =>
                TypedResults.Ok(new HealthResponse(ServerInfo.Version, store.Provider) { Project = options.Value.DefaultProject() }))
            .WithTags("Health")
            .WithName("Health")
            .WithSummary("Liveness and readiness.");
        return app;
    }
}

public sealed record HealthResponse(string Version, string Store)
{
    /// <summary>The server's own project (its workspace's name): what builds and reports that name none belong to.</summary>
    public string? Project { get; init; }

    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

/// <summary>Which store the server runs on, for /health.</summary>
internal sealed record StoreInfo(string Provider);

internal static class ServerInfo
{
    public static string Version { get; } =
        typeof(ServerInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
