using BuildLore.Core.Builds;
using BuildLore.Tests;

namespace BuildLore.Client.Tests;

/// <summary>
/// A real BuildLore server on a free loopback port, its workspace, and an <see cref="LLMClient"/> that
/// talks to it over HTTP. Disposed in reverse order.
/// </summary>
internal sealed class ServerScope : IAsyncDisposable
{
    private ServerScope(TempDirectory workspace, TestServer server, LLMClient client)
    {
        Workspace = workspace;
        Server = server;
        Client = client;
    }

    public TempDirectory Workspace { get; }

    public TestServer Server { get; }

    /// <summary>A client built from the server's address as a string, as scripts build it.</summary>
    public LLMClient Client { get; }

    public string Url => Server.BaseAddress.ToString();

    /// <summary>Starts a server on a fresh workspace, after <paramref name="prepare"/> has written files into it.</summary>
    public static async Task<ServerScope> StartAsync(Action<TempDirectory>? prepare = null, string? sessionId = null)
    {
        var workspace = new TempDirectory("buildlore-client");
        try
        {
            prepare?.Invoke(workspace);
            var server = await TestServer.StartAsync(workspace.Path);
            return new ServerScope(workspace, server, new LLMClient(server.BaseAddress.ToString(), sessionId));
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    /// <summary>Seeds a finished build straight into the server's store (faster than running one) and returns its id.</summary>
    public async Task<string> SeedBuildAsync(string status, string log, string? reason = null)
    {
        var build = await Server.Store.CreateBuildAsync(new NewBuild("demo", "test"));
        await Server.Store.MarkRunningAsync(build.Id, DateTimeOffset.UtcNow);
        // Several chunks, as the runner writes them.
        for (var i = 0; i < log.Length; i += 10_000)
        {
            await Server.Store.AppendLogAsync(build.Id, log.Substring(i, Math.Min(10_000, log.Length - i)));
        }

        var exitCode = status == BuildStatuses.Success ? 0 : 1;
        await Server.Store.FinishBuildAsync(build.Id, new BuildCompletion(status, exitCode, reason, Summaries.Of(log), DateTimeOffset.UtcNow));
        return build.Id;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Workspace.Dispose();
    }
}
