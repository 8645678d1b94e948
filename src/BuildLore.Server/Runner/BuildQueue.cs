using System.Collections.Concurrent;
using System.Threading.Channels;
using BuildLore.Core.Runner;

namespace BuildLore.Server.Runner;

/// <summary>A build waiting for a free runner slot, with the profile chosen when it was requested.</summary>
internal sealed record QueuedBuild(string BuildId, BuildProfile Profile);

/// <summary>
/// The runner's queue and the cancellation handles of builds in progress. Builds are taken in the
/// order they were requested; <see cref="BuildWorker"/> runs up to the configured number at once.
/// </summary>
internal sealed class BuildQueue
{
    private readonly Channel<QueuedBuild> _channel = Channel.CreateUnbounded<QueuedBuild>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    public ValueTask EnqueueAsync(QueuedBuild build, CancellationToken cancellationToken = default) =>
        _channel.Writer.WriteAsync(build, cancellationToken);

    public IAsyncEnumerable<QueuedBuild> ReadAllAsync(CancellationToken cancellationToken) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Registers a build as running; cancelling the returned source stops it.</summary>
    public CancellationTokenSource Track(string buildId)
    {
        var source = new CancellationTokenSource();
        _running[buildId] = source;
        return source;
    }

    public void Untrack(string buildId)
    {
        if (_running.TryRemove(buildId, out var source))
        {
            source.Dispose();
        }
    }

    /// <summary>Asks a running build to stop. False when it is not running in this server.</summary>
    public bool TryCancelRunning(string buildId)
    {
        if (!_running.TryGetValue(buildId, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // it finished in the meantime
        }
    }
}
