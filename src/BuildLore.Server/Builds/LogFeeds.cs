using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Builds;

/// <summary>
/// One shared reader per running build that someone follows: it reads each new piece of the log from
/// the store once, analyzes it once, encodes its events once, and keeps the most recent ones in a
/// ring that every follower of the build sends from. A hundred followers cost one store read and one
/// analysis, not a hundred. Followers that start late, or fall further behind than the ring reaches,
/// read the older pieces from the store themselves, then join the ring.
/// </summary>
/// <remarks>
/// The feed polls the store (another server sharing a PostgreSQL store may be the one receiving the
/// log); <see cref="Notify"/> wakes it at once when this server stored something.
/// </remarks>
internal sealed partial class LogFeeds(IBuildStore store, IOptions<BuildLoreOptions> options, ILogger<LogFeeds> logger)
{
    /// <summary>How long a feed waits for a notification before it looks at the store anyway.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, LogFeed> _feeds = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Follows a build: the feed is started by its first follower and stopped when its last one leaves.</summary>
    public Subscription Subscribe(string buildId, string? analysisRoot)
    {
        lock (_gate)
        {
            if (!_feeds.TryGetValue(buildId, out var feed))
            {
                feed = new LogFeed(buildId, analysisRoot, store, options.Value.LiveLogBufferBytes, logger);
                _feeds[buildId] = feed;
            }

            feed.Followers++;
            return new Subscription(this, feed);
        }
    }

    /// <summary>Says that a build's log or status changed, so its feed reads the store now rather than at its next poll.</summary>
    public void Notify(string buildId)
    {
        LogFeed? feed;
        lock (_gate)
        {
            _feeds.TryGetValue(buildId, out feed);
        }

        feed?.Wake();
    }

    /// <summary>How many builds have a feed (for tests).</summary>
    internal int ActiveFeeds
    {
        get
        {
            lock (_gate)
            {
                return _feeds.Count;
            }
        }
    }

    private void Leave(LogFeed feed)
    {
        lock (_gate)
        {
            if (--feed.Followers > 0)
            {
                return;
            }

            _feeds.Remove(feed.BuildId);
        }

        feed.Stop();
    }

    /// <summary>A follower's hold on a feed; disposing it leaves.</summary>
    public sealed class Subscription(LogFeeds owner, LogFeed feed) : IDisposable
    {
        private int _disposed;

        public LogFeed Feed => feed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(feed);
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "The live log of build {BuildId} could not be read; retrying")]
    internal static partial void ReadFailed(ILogger logger, string buildId, Exception exception);
}

/// <summary>
/// The events of one build's log in order, numbered by the log piece they come from; the end event
/// is numbered one past the last piece. The most recent ones, up to a size, are kept.
/// </summary>
internal sealed class LogFeed
{
    private readonly IBuildStore _store;
    private readonly long _ringBytes;
    private readonly ILogger _logger;
    private readonly LogAnalyzer _analyzer;
    private readonly Queue<byte[]> _ring = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _first; // number of the oldest event in the ring
    private long _next;  // number of the next event to come
    private long _bytes;
    private bool _ended;

    public LogFeed(string buildId, string? analysisRoot, IBuildStore store, long ringBytes, ILogger logger)
    {
        BuildId = buildId;
        _store = store;
        _ringBytes = ringBytes;
        _logger = logger;
        _analyzer = new LogAnalyzer(analysisRoot);
        _ = Task.Run(() => PumpAsync(_stop.Token));
    }

    public string BuildId { get; }

    /// <summary>Guarded by the owner's lock.</summary>
    internal int Followers { get; set; }

    /// <summary>
    /// The events from number <paramref name="from"/> on that the ring holds, at most about
    /// <paramref name="maxBytes"/>; empty when <paramref name="from"/> is not in the ring (too old, or not yet come).
    /// </summary>
    public List<byte[]> Take(long from, long maxBytes, out bool endsTheStream)
    {
        lock (_lock)
        {
            endsTheStream = false;
            var taken = new List<byte[]>();
            if (from < _first || from >= _next)
            {
                return taken;
            }

            long size = 0;
            foreach (var bundle in _ring.Skip((int)(from - _first)))
            {
                if (taken.Count > 0 && size + bundle.Length > maxBytes)
                {
                    return taken;
                }

                taken.Add(bundle);
                size += bundle.Length;
            }

            endsTheStream = _ended;
            return taken;
        }
    }

    /// <summary>True when event <paramref name="number"/> is older than anything the ring still holds.</summary>
    public bool IsBehind(long number)
    {
        lock (_lock)
        {
            return number < _first;
        }
    }

    /// <summary>Completes when event <paramref name="number"/> has come (or the feed stopped).</summary>
    public Task WhenAvailableAsync(long number)
    {
        lock (_lock)
        {
            return number < _next || _stop.IsCancellationRequested ? Task.CompletedTask : _changed.Task;
        }
    }

    /// <summary>True once the feed has stopped without an end (its build is gone, or its followers left).</summary>
    public bool IsStopped => _stop.IsCancellationRequested;

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        lock (_lock)
        {
            _changed.TrySetResult();
        }
    }

    private void Publish(byte[] bundle, bool end)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _ring.Enqueue(bundle);
            _bytes += bundle.Length;
            _next++;
            _ended = end;
            // The newest event always stays, however large.
            while (_bytes > _ringBytes && _ring.Count > 1)
            {
                _bytes -= _ring.Dequeue().Length;
                _first++;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task PumpAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // The status before the pieces: a build that has finished has all its pieces stored.
                var build = await _store.GetBuildAsync(BuildId, stop).ConfigureAwait(false);
                if (build is null)
                {
                    Stop();
                    return;
                }

                var inOrder = true;
                await foreach (var (piece, text) in _store.ReadLogPiecesAsync(BuildId, _next, stop).ConfigureAwait(false))
                {
                    if (piece != _next)
                    {
                        // Pieces are committed in order, so this is not expected; read again rather than skip one.
                        inOrder = false;
                        break;
                    }

                    Publish(LogEvents.Piece(text, _analyzer), end: false);
                }

                if (inOrder && BuildStatus.IsFinished(build.Status))
                {
                    Publish(LogEvents.End(build, _analyzer), end: true);
                    return;
                }

                await _wake.WaitAsync(LogFeeds.PollInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFeeds.ReadFailed(_logger, BuildId, e);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
