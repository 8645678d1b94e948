namespace BuildLore.Client.Tests;

/// <summary>
/// The (backendUrl, sessionId, timeout) constructor and where it finds the server. These tests set the
/// process-wide BUILDLORE_URL, so they share one collection and never run in parallel with each other.
/// </summary>
[Collection("env")]
public sealed class ConstructorTests
{
    private const string Variable = "BUILDLORE_URL";

    /// <summary>Runs <paramref name="body"/> with BUILDLORE_URL set to <paramref name="value"/> (null: unset), then restores it.</summary>
    private static async Task WithBackendUrlVariableAsync(string? value, Func<Task> body)
    {
        var saved = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, value);
        try
        {
            await body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, saved);
        }
    }

    private static Task WithBackendUrlVariableAsync(string? value, Action body) =>
        WithBackendUrlVariableAsync(value, () =>
        {
            body();
            return Task.CompletedTask;
        });

    [Fact]
    public Task Constructor_WithoutUrlOrVariable_UsesTheDefaultLoopbackAddress() =>
        WithBackendUrlVariableAsync(null, () =>
        {
            using var client = new LLMClient();

            Assert.Equal(new Uri("http://127.0.0.1:8000/"), client.BaseAddress);
            Assert.Equal("http://127.0.0.1:8000", LLMClient.DefaultBackendUrl);
            Assert.Null(client.SessionId);
        });

    [Fact]
    public Task Constructor_BlankVariable_FallsBackToTheDefaultAddress() =>
        WithBackendUrlVariableAsync("   ", () =>
        {
            using var client = new LLMClient();

            Assert.Equal(new Uri("http://127.0.0.1:8000/"), client.BaseAddress);
        });

    [Fact]
    public Task Constructor_ExplicitUrl_IsUsedWithATrailingSlashAndWinsOverTheVariable() =>
        WithBackendUrlVariableAsync("http://from-the-variable:1234", () =>
        {
            using var client = new LLMClient("http://build-host:9000");
            using var withPath = new LLMClient("https://ci.example.com/buildlore");

            Assert.Equal(new Uri("http://build-host:9000/"), client.BaseAddress);
            Assert.Equal(new Uri("https://ci.example.com/buildlore/"), withPath.BaseAddress);
        });

    [Theory]
    [InlineData("http://build-host:9000/", "http://build-host:9000/")]
    [InlineData("http://build-host/ci/", "http://build-host/ci/")]
    [InlineData("http://build-host/my%20app", "http://build-host/my%20app/")]
    [InlineData("  http://build-host:9000  ", "http://build-host:9000/")]
    public void Constructor_ExplicitUrl_IsNormalisedToOneTrailingSlash(string url, string expected)
    {
        using var client = new LLMClient(url);

        Assert.Equal(expected, client.BaseAddress.AbsoluteUri);
    }

    [Fact]
    public Task Constructor_UrlWithoutScheme_MeansHttp() =>
        WithBackendUrlVariableAsync(null, () =>
        {
            using var client = new LLMClient("localhost:8123");

            Assert.Equal(new Uri("http://localhost:8123/"), client.BaseAddress);
        });

    [Fact]
    public async Task Constructor_WithoutUrl_HonoursBuildloreUrlAndReachesThatServer()
    {
        await using var scope = await ServerScope.StartAsync();

        await WithBackendUrlVariableAsync(scope.Url, async () =>
        {
            using var client = new LLMClient();

            Assert.Equal(scope.Server.BaseAddress, client.BaseAddress);
            var health = await client.GetHealthAsync();
            Assert.Equal("ok", health.Status);
        });
    }

    [Fact]
    public Task Constructor_VariableThatIsNotAnHttpUrl_ThrowsNamingTheVariable() =>
        WithBackendUrlVariableAsync("ftp://files.example.com", () =>
        {
            var error = Assert.Throws<ArgumentException>(() => new LLMClient());

            Assert.Contains("ftp://files.example.com", error.Message, StringComparison.Ordinal);
            Assert.Contains(Variable, error.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("ftp://files.example.com")]
    [InlineData("http://")]
    [InlineData("not a url at all")]
    public Task Constructor_ExplicitUrlThatIsNotAnHttpUrl_Throws(string url) =>
        WithBackendUrlVariableAsync(null, () =>
        {
            var error = Assert.Throws<ArgumentException>(() => new LLMClient(url));

            Assert.Equal("backendUrl", error.ParamName);
            Assert.DoesNotContain(Variable, error.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Constructor_NonPositiveTimeout_Throws(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LLMClient("http://127.0.0.1:8000", timeout: TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Constructor_InfiniteTimeout_IsAccepted()
    {
        using var client = new LLMClient("http://127.0.0.1:8000", timeout: Timeout.InfiniteTimeSpan);

        Assert.Equal(new Uri("http://127.0.0.1:8000/"), client.BaseAddress);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_BlankSessionId_MeansNoSession(string? sessionId)
    {
        using var client = new LLMClient("http://127.0.0.1:8000", sessionId);

        Assert.Null(client.SessionId);
    }

    [Fact]
    public async Task Constructor_UrlWithAPathPrefix_KeepsThePrefixInRequests()
    {
        await using var scope = await ServerScope.StartAsync();
        using var client = new LLMClient(scope.Url + "prefix");

        // The real server has no /prefix routes, so its 404 shows the path the client asked for.
        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetHealthAsync());

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("/prefix/health", error.ServerMessage, StringComparison.Ordinal);
    }
}

/// <summary>The (HttpClient, sessionId) constructor, as dependency injection uses it.</summary>
public sealed class HttpClientConstructorTests
{
    [Fact]
    public async Task Constructor_WithHttpClient_UsesItsBaseAddressAndReachesTheServer()
    {
        await using var scope = await ServerScope.StartAsync();
        using var http = new HttpClient { BaseAddress = scope.Server.BaseAddress };
        using var client = new LLMClient(http);

        Assert.Equal(scope.Server.BaseAddress, client.BaseAddress);
        var health = await client.GetHealthAsync();
        Assert.Equal("ok", health.Status);
        Assert.Equal("sqlite", health.Store);
    }

    [Fact]
    public void Constructor_WithHttpClientWithoutBaseAddress_UsesTheDefaultAddress()
    {
        using var http = new HttpClient();
        using var client = new LLMClient(http);

        Assert.Equal(new Uri("http://127.0.0.1:8000/"), client.BaseAddress);
    }

    [Fact]
    public void Constructor_NullHttpClient_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new LLMClient((HttpClient)null!));
    }

    [Fact]
    public async Task Dispose_LeavesAnInjectedHttpClientUsable()
    {
        await using var scope = await ServerScope.StartAsync();
        using var http = new HttpClient { BaseAddress = scope.Server.BaseAddress };
        var client = new LLMClient(http);
        await client.GetHealthAsync();

        client.Dispose();
        client.Dispose(); // twice is harmless

        using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetHealthAsync());
    }

    [Fact]
    public async Task Dispose_OfAnOwnedClient_MakesFurtherCallsThrowObjectDisposed()
    {
        await using var scope = await ServerScope.StartAsync();
        var client = new LLMClient(scope.Url);
        await client.GetHealthAsync();

        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetBuildsAsync());
    }

    [Fact]
    public async Task Constructor_WithHttpClientAndSessionId_RecordsTheSessionOnReports()
    {
        await using var scope = await ServerScope.StartAsync();
        var buildId = await scope.SeedBuildAsync(BuildStatuses.Failed, "error CS0103: boom\n");
        using var http = new HttpClient { BaseAddress = scope.Server.BaseAddress };
        using var client = new LLMClient(http, "di-session-7");

        await client.SubmitReportAsync(buildId, ReportTypes.FailureAnalysis, "Undefined name.", [], 0.5);

        var report = Assert.Single((await scope.Client.GetBuildAsync(buildId)).LlmReports);
        Assert.Equal("di-session-7", report.SessionId);
        Assert.Equal("di-session-7", client.SessionId);
    }
}
