using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BuildLore.Client;
using BuildLore.Server.Auth;
using BuildLore.Server.Hosting;
using BuildLore.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Tests;

/// <summary>API tokens: every route but /health and the API reference needs one once any is configured.</summary>
public sealed class AuthTests
{
    private const string CiToken = "ci-0123456789abcdef0123456789abcdef";
    private const string AdaToken = "ada-fedcba9876543210fedcba9876543210";

    private static Dictionary<string, string?> Tokens() => new(StringComparer.Ordinal)
    {
        ["BuildLore:Auth:Tokens:ci"] = CiToken,
        ["BuildLore:Auth:Tokens:ada"] = AdaToken,
    };

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(TestServer server, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task WithTokens_ARequestWithoutOneIsRefusedWith401Json()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());

        var (status, body, response) = await GetAsync(server, "llm/learning/builds", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("Authorization", body.GetProperty("field").GetString());
        Assert.Contains("Bearer", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        response.Dispose();
    }

    [Theory]
    [InlineData("Bearer wrong-token-0123456789")]
    [InlineData("Bearer ci-0123456789abcdef0123456789abcde")] // one character short
    [InlineData("Basic Y2k6c2VjcmV0")]
    public async Task WithTokens_AWrongTokenIsRefusedWith401(string authorization)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());
        using var request = new HttpRequestMessage(HttpMethod.Get, "llm/learning/builds");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await server.Http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTokens_EachNamedTokenIsAccepted_AndHealthAndTheReferenceStayOpen()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "llm/learning/builds", CiToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "llm/learning/builds", AdaToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "health", token: null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "openapi/v1.json", token: null)).Status);
        using var docs = await server.Http.GetAsync("docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task WithTokens_EveryRouteOfTheApiButHealthNeedsOne()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());
        var document = await server.GetJsonAsync("openapi/v1.json");

        var checkedRoutes = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var route = path.Name.Replace("{id}", "0196f1c2-7a3b-7c4d-9e8f-001122334455", StringComparison.Ordinal).TrimStart('/');
                using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), route);
                using var response = await server.Http.SendAsync(request);
                var expected = path.Name == "/health" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
                Assert.True(expected == response.StatusCode, $"{operation.Name.ToUpperInvariant()} {path.Name} without a token → {(int)response.StatusCode}");
                checkedRoutes++;
            }
        }

        Assert.True(checkedRoutes > 20, $"only {checkedRoutes} routes in the OpenAPI document");
    }

    [Fact]
    public async Task WithoutTokens_TheApiIsOpenAsBefore()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "llm/learning/builds", token: null)).Status);
        // A token sent to an open server is not an error.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "llm/learning/builds", "anything")).Status);
    }

    [Fact]
    public async Task TheRequestsUserIsNamedAfterItsToken()
    {
        using var workspace = new TempDirectory();
        var overrides = new Dictionary<string, string?>(Tokens())
        {
            ["BuildLore:Host"] = "127.0.0.1",
            ["BuildLore:Port"] = "0",
            ["BuildLore:Workspace"] = workspace.Path,
        };
        await using var app = BuildLoreServer.Create(overrides, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        // A route of the test's own, guarded like the API's, that says who the server thinks is calling.
        app.MapGet("/test/whoami", (HttpContext context) => context.User.Identity?.Name ?? "(anonymous)")
            .RequireAuthorization(ApiTokenAuthentication.Policy);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.ListeningAddresses()[0] + "/") };

        async Task<string> WhoAmIAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "test/whoami");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Equal("ci", await WhoAmIAsync(CiToken));
        Assert.Equal("ada", await WhoAmIAsync(AdaToken));
        using var anonymous = await http.GetAsync("test/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Client_SendsItsToken_ForCallsAndTheLiveLogStream()
    {
        using var workspace = new TempDirectory();
        workspace.Write("buildlore.json", """{ "profiles": { "b": { "command": "echo compiling; sleep 0.5; echo done" } } }""");
        await using var server = await TestServer.StartAsync(workspace.Path, settings: Tokens());
        using var client = new LLMClient(server.BaseAddress.ToString(), token: CiToken);
        using var anonymous = new LLMClient(server.BaseAddress.ToString(), token: "");

        var run = await client.RunBuildAsync();
        var events = new List<LogStreamEvent>();
        await foreach (var item in client.StreamLogAsync(run.BuildId))
        {
            events.Add(item);
        }

        Assert.Equal("compiling\ndone\n", string.Concat(events.Where(e => e.Event == "log").Select(e => e.Data.Text)));
        Assert.Equal("success", events[^1].Data.Status);
        Assert.True(client.HasToken);
        var refused = await Assert.ThrowsAsync<LLMClientException>(() => anonymous.GetBuildsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var streamRefused = await Assert.ThrowsAsync<LLMClientException>(async () =>
        {
            await foreach (var _ in anonymous.StreamLogAsync(run.BuildId))
            {
            }
        });
        Assert.Equal(HttpStatusCode.Unauthorized, streamRefused.StatusCode);
        Assert.Equal("ok", (await anonymous.GetHealthAsync()).Status);

        // A report is recorded as submitted by the token's name.
        var report = await client.SubmitReportAsync(new ReportSubmission { BuildId = run.BuildId, Type = ReportTypes.CodeImprovement, Analysis = "fine", Confidence = 0.5 });
        Assert.Equal("ci", (await server.Store.GetReportAsync(report.ReportId))!.SubmittedBy);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData(" padded-secret-0123456789 ", "white space")]
    public async Task BadTokenSettings_StopTheServerAtStartUp(string secret, string expected)
    {
        using var workspace = new TempDirectory();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:Auth:Tokens:ci"] = secret }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoNamesWithOneSecret_StopTheServerAtStartUp()
    {
        using var workspace = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["BuildLore:Auth:Tokens:ci"] = CiToken, ["BuildLore:Auth:Tokens:ada"] = CiToken };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(workspace.Path, settings: settings));

        Assert.Contains("same secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", false, true)]
    [InlineData("::", false, true)]
    [InlineData("0.0.0.0", true, false)]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("::1", false, false)]
    [InlineData("localhost", false, false)]
    public async Task StartUp_WarnsWhenTheApiIsReachableFromOtherMachinesWithoutAToken(string host, bool withToken, bool warns)
    {
        var options = new BuildLoreOptions { Host = host };
        if (withToken)
        {
            options.Auth.Tokens["ci"] = CiToken;
        }

        var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(l => l.AddProvider(logs));
        var check = new ExposureCheck(new ApiTokens(Options.Create(options)), Options.Create(options), factory.CreateLogger<ExposureCheck>());

        await check.StartAsync(CancellationToken.None);

        var warning = logs.Messages.Any(m => m.Level == LogLevel.Warning && m.Text.Contains("without an API token", StringComparison.Ordinal));
        Assert.Equal(warns, warning);
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        private readonly List<(LogLevel Level, string Text)> _messages = [];

        public IReadOnlyList<(LogLevel Level, string Text)> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CollectingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (provider._messages)
                {
                    provider._messages.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
