using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuildLore.Client.Tests;

/// <summary>
/// What the client does when no BuildLore server answers: nothing listening, a listener that never
/// answers, the caller cancelling, and something else answering (raw loopback sockets, no HTTP fakes).
/// </summary>
public sealed class TransportErrorTests
{
    /// <summary>A loopback port that was free a moment ago and on which nothing listens.</summary>
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task NothingListening_ThrowsWithoutStatusExplainingHowToStartTheServer()
    {
        var url = $"http://127.0.0.1:{FreePort()}/";
        using var client = new LLMClient(url);

        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetBuildsAsync());

        Assert.Null(error.StatusCode);
        Assert.Null(error.ServerMessage);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("buildlore serve", error.Message, StringComparison.Ordinal);
        Assert.Contains("BUILDLORE_URL", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task SilentListener_ClientTimeout_ThrowsTimedOutWithinAFewSeconds()
    {
        await using var silent = SilentListener.Start();
        using var client = new LLMClient(silent.Url, timeout: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetHealthAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"gave up early, after {clock.Elapsed}");
        Assert.Null(error.StatusCode);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.Contains("GET /health", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }

    [Fact]
    public async Task SilentListener_CallerCancels_ThrowsOperationCanceledNotLLMClientException()
    {
        await using var silent = SilentListener.Start();
        using var client = new LLMClient(silent.Url, timeout: TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        var error = await Record.ExceptionAsync(() => client.GetBuildsAsync(cancellationToken: cancellation.Token));

        Assert.NotNull(error);
        Assert.IsNotType<LLMClientException>(error);
        var canceled = Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(cancellation.Token, canceled.CancellationToken);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SilentListener_CallerCancelsWhileWaitingForABuild_ThrowsOperationCanceled()
    {
        await using var silent = SilentListener.Start();
        using var client = new LLMClient(silent.Url, timeout: TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Record.ExceptionAsync(() => client.WaitForBuildAsync("some-build", cancellationToken: cancellation.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task NonJsonSuccess_ThrowsSayingTheAnswerIsNotTheJsonExpected()
    {
        await using var other = CannedListener.Start("200 OK", "text/html", "<html><body>Welcome to nginx!</body></html>");
        using var client = new LLMClient(other.Url);

        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetHealthAsync());

        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Contains("not the JSON expected", error.Message, StringComparison.Ordinal);
        Assert.Contains(other.Url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlErrorPage_IsKeptAsTheServerMessage()
    {
        await using var proxy = CannedListener.Start("502 Bad Gateway", "text/html", "<h1>502 Bad Gateway</h1>");
        using var client = new LLMClient(proxy.Url);

        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetBuildsAsync());

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal("<h1>502 Bad Gateway</h1>", error.ServerMessage);
        Assert.Null(error.Field);
        Assert.Contains("502", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemDetailsError_UsesItsDetailAsTheServerMessage()
    {
        await using var proxy = CannedListener.Start(
            "503 Service Unavailable", "application/problem+json", """{"title":"Service Unavailable","detail":"maintenance until noon"}""");
        using var client = new LLMClient(proxy.Url);

        var error = await Assert.ThrowsAsync<LLMClientException>(() => client.GetBuildsAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("maintenance until noon", error.ServerMessage);
    }

    /// <summary>Accepts connections on loopback and never writes a byte.</summary>
    private sealed class SilentListener : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<TcpClient> _accepted = [];
        private readonly Task _accepting;

        private SilentListener(TcpListener listener)
        {
            _listener = listener;
            _accepting = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public static SilentListener Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new SilentListener(listener);
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptTcpClientAsync();
                    lock (_accepted)
                    {
                        _accepted.Add(connection);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            lock (_accepted)
            {
                _accepted.ForEach(c => c.Dispose());
            }
        }
    }

    /// <summary>Answers every connection with one fixed HTTP response, as a proxy or another web server would.</summary>
    private sealed class CannedListener : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly byte[] _response;
        private readonly Task _serving;

        private CannedListener(TcpListener listener, byte[] response)
        {
            _listener = listener;
            _response = response;
            _serving = ServeAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public static CannedListener Start(string status, string contentType, string body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new CannedListener(listener, [.. Encoding.ASCII.GetBytes(head), .. bytes]);
        }

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var connection = await _listener.AcceptTcpClientAsync();
                    var stream = connection.GetStream();
                    await ReadRequestHeadAsync(stream);
                    await stream.WriteAsync(_response);
                    connection.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
            {
                // Stopped, or the client went away.
            }
        }

        private static async Task ReadRequestHeadAsync(NetworkStream stream)
        {
            var seen = new StringBuilder();
            var buffer = new byte[1024];
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }
}
