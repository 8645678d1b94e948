using System.Net;
using System.Text.Json;
using BuildLore.Core.Storage;
using BuildLore.Server.Auth;
using BuildLore.Server.Builds;
using BuildLore.Server.Codebase;
using BuildLore.Server.Health;
using BuildLore.Server.Hosting;
using BuildLore.Server.Reports;
using BuildLore.Server.Runner;
using BuildLore.Server.TestResults;
using BuildLore.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace BuildLore.Server;

/// <summary>
/// Builds and starts the BuildLore web server. The CLI's <c>buildlore serve</c> and the tests use
/// the same entry point, so what is tested is what users run.
/// </summary>
public static class BuildLoreServer
{
    /// <summary>
    /// Creates the application. <paramref name="overrides"/> are configuration keys (e.g.
    /// <c>BuildLore:Port</c>) that win over every other source; the CLI maps its flags onto them.
    /// </summary>
    public static WebApplication Create(IReadOnlyDictionary<string, string?>? overrides = null, string? configFile = null, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });

        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(EnvironmentSettings.Read());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        logging?.Invoke(builder.Logging);

        builder.Services.AddOptions<BuildLoreOptions>()
            .BindConfiguration(BuildLoreOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = context.Configuration.GetSection(BuildLoreOptions.Section).Get<BuildLoreOptions>() ?? new BuildLoreOptions();
            if (IPAddress.TryParse(options.Host, out var address))
            {
                kestrel.Listen(address, options.Port);
            }
            else if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.Listen(IPAddress.Loopback, options.Port);
            }
            else
            {
                throw new OptionsValidationException(BuildLoreOptions.Section, typeof(BuildLoreOptions),
                    [$"Host '{options.Host}' is not an IP address; use e.g. 127.0.0.1, 0.0.0.0 or ::."]);
            }
        });

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Encoder = ServerJson.Web.Options.Encoder;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJson.Web);
        });

        builder.Services.AddSingleton(CreateStore);
        builder.Services.AddSingleton(sp => new StoreInfo(StoreProvider(sp.GetRequiredService<IOptions<BuildLoreOptions>>().Value)));
        builder.Services.AddSingleton<BuildQueue>();
        builder.Services.AddSingleton<CodebaseCache>();
        builder.Services.AddSingleton<LogFeeds>();
        builder.Services.AddSingleton<PushedBuilds>();
        // First, so the workspace scan starts before the store's migration is awaited.
        builder.Services.AddHostedService<CodebaseIndexer>();
        builder.Services.AddHostedService<StoreStartup>();
        builder.Services.AddHostedService<LeftoverBuilds>();
        builder.Services.AddHostedService<BuildWorker>();
        builder.Services.AddHostedService<IdleBuildSweeper>();
        builder.Services.AddApiTokenAuthentication();
        builder.Services.AddOpenApi();

        var app = builder.Build();

        app.UseExceptionHandler(error => error.Run(WriteUnhandledErrorAsync));
        app.UseStatusCodePages(WriteStatusCodeErrorAsync);

        app.UseApiTokenAuthentication();

        // Open to all: liveness, and the API reference (it holds no data).
        app.MapHealth();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("BuildLore API"));
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription();

        // Everything else needs an API token when tokens are configured.
        var api = app.MapGroup("").RequireAuthorization(ApiTokenAuthentication.Policy);
        api.MapBuilds();
        api.MapPatterns();
        api.MapIngest();
        api.MapLog();
        api.MapLogStream();
        api.MapBuildEvents();
        api.MapCompare();
        api.MapTestResults();
        api.MapCodebase();
        api.MapReports();
        api.MapKnowledge();
        api.MapHealthInsights();
        api.MapRunner();

        return app;
    }

    /// <summary>The addresses the started server listens on (with the real port when 0 was asked).</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static IBuildStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<BuildLoreOptions>>().Value;
        var provider = StoreProvider(options);
        var connectionString = options.Store.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return BuildStores.CreateSqlite(Path.Combine(options.ResolveDataDir(), "buildlore.db"));
        }

        return BuildStores.Create(provider, connectionString);
    }

    private static string StoreProvider(BuildLoreOptions options) =>
        !string.IsNullOrWhiteSpace(options.Store.Provider) ? options.Store.Provider.ToLowerInvariant()
        : string.IsNullOrWhiteSpace(options.Store.ConnectionString) ? BuildStores.Sqlite
        : BuildStores.InferProvider(options.Store.ConnectionString);

    private static async Task WriteUnhandledErrorAsync(HttpContext context)
    {
        var feature = context.Features.Get<IExceptionHandlerFeature>();
        var (status, message) = feature?.Error switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "The server failed to handle the request; its log says why."),
        };
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ErrorResponse(message), ServerJson.Web.ErrorResponse);
    }

    private static async Task WriteStatusCodeErrorAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var message = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => $"No such route: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}. The API reference is at /docs.",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}.",
            StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
            _ => $"Request failed with status {response.StatusCode}.",
        };
        await response.WriteAsJsonAsync(new ErrorResponse(message), ServerJson.Web.ErrorResponse);
    }
}

/// <summary>
/// Migrates the store before the server takes requests, and marks builds that an earlier process
/// left queued or running (it crashed or was killed) as <c>error</c> with reason <c>interrupted</c>.
/// </summary>
internal sealed class StoreStartup(IBuildStore store, ILogger<StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        var interrupted = await store.FailUnfinishedBuildsAsync("interrupted", DateTimeOffset.UtcNow, cancellationToken);
        if (interrupted > 0)
        {
            RunnerLog.Interrupted(logger, interrupted);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
