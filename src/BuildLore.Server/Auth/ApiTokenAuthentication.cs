using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BuildLore.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the configured API tokens. The
/// request's user is named after the token (<c>HttpContext.User.Identity.Name</c>), so what a request
/// does can be attributed to the CI job or person holding that token.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!tokens.Required)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'."));
        }

        var name = tokens.FindName(header.AsSpan(BearerPrefix.Length).Trim());
        if (name is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API token is not one this server accepts."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var presented = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = presented ? "Bearer realm=\"BuildLore\", error=\"invalid_token\"" : "Bearer realm=\"BuildLore\"";
        var message = presented
            ? $"{result.Failure!.Message} Check the token given with --token or BUILDLORE_TOKEN."
            : "This server requires an API token: send 'Authorization: Bearer <token>' (the CLI's --token or BUILDLORE_TOKEN).";
        await Response.WriteAsJsonAsync(new ErrorResponse(message, "Authorization", "Bearer <token>"), ServerJson.Web.ErrorResponse, contentType: null, Context.RequestAborted);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new ErrorResponse("This API token may not do that."), ServerJson.Web.ErrorResponse, contentType: null, Context.RequestAborted);
    }
}

internal static class ApiTokenAuthentication
{
    /// <summary>The policy every route but <c>/health</c> and the API reference carries.</summary>
    public const string Policy = "ApiToken";

    public static IServiceCollection AddApiTokenAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<Hosting.BuildLoreOptions>, ApiTokensValidator>();
        services.AddSingleton<ApiTokens>();
        services.AddAuthentication(ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();
        // Whether a token is needed is known once the configuration is read: without tokens the
        // policy lets everyone in, as the server did before authentication existed.
        services.AddOptions<AuthorizationOptions>().Configure<ApiTokens>((authorization, tokens) =>
            authorization.AddPolicy(Policy, policy =>
            {
                policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName);
                if (tokens.Required)
                {
                    policy.RequireAuthenticatedUser();
                }
                else
                {
                    policy.RequireAssertion(_ => true);
                }
            }));
        services.AddHostedService<ExposureCheck>();
        return services;
    }

    public static WebApplication UseApiTokenAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>Says at start-up whether the API is protected, and warns when it is reachable from other machines without a token.</summary>
internal sealed partial class ExposureCheck(ApiTokens tokens, IOptions<Hosting.BuildLoreOptions> options, ILogger<ExposureCheck> logger) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var host = options.Value.Host;
        if (tokens.Required)
        {
            TokensRequired(logger, tokens.Names.Count, string.Join(", ", tokens.Names));
            foreach (var name in tokens.WeakNames)
            {
                WeakToken(logger, name, ApiTokens.RecommendedLength);
            }
        }
        else if (!ApiTokens.IsLoopback(host))
        {
            OpenToNetwork(logger, host);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "BuildLore listens on {Host} without an API token: anyone who can reach it can read build logs and the codebase and start builds. " +
                  "Set one with --token or BUILDLORE_TOKEN (several: BuildLore:Auth:Tokens:<name>), or bind 127.0.0.1.")]
    private static partial void OpenToNetwork(ILogger logger, string host);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "API tokens required on every route but /health and the API reference: {Count} configured ({Names})")]
    private static partial void TokensRequired(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "The API token '{Name}' is shorter than {Length} characters and could be guessed; use a long random one (e.g. openssl rand -hex 32).")]
    private static partial void WeakToken(ILogger logger, string name, int length);
}
