using BuildLore.Core.Codebase;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Codebase;

/// <summary>
/// A scan kept by <see cref="CodebaseCache"/>: the index views are built from, the whole-workspace view,
/// and that view's response body already serialized (a 50,000-file view is megabytes of JSON).
/// </summary>
internal sealed record CachedCodebase(CodebaseIndex Index, CodebaseDto Full, byte[] FullResponse);

/// <summary>
/// Keeps the last scan of the workspace and serves it again until something that can change the view
/// changes (a file-system watcher marks it stale), so repeated requests on an unchanged repository
/// cost no disk work. Requests that arrive while a scan runs wait for that scan rather than starting
/// their own. When the watcher fails (its buffer overflowed, say), the scan is dropped and the next
/// request watches afresh and rescans; while no watcher can be had, every request scans.
/// </summary>
internal sealed class CodebaseCache(IOptions<BuildLoreOptions> options, ILogger<CodebaseCache> logger) : IDisposable
{
    /// <summary>How long to wait before trying again to watch a workspace the OS refused to watch (too many folders, say).</summary>
    private static readonly TimeSpan WatchRetry = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly string _dataDir = options.Value.ResolveDataDir();
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private string? _root;
    private CachedCodebase? _snapshot;
    private bool _watching;
    private long _version;
    private long _scans;
    private DateTime _nextWatchAttempt = DateTime.MinValue;

    // The scan running now (or the last one), and the version of the workspace it started from.
    private Task<CachedCodebase>? _scan;
    private long _scanVersion;

    /// <summary>How many scans this cache has run: a request answered from the cache runs none.</summary>
    internal long Scans => Interlocked.Read(ref _scans);

    /// <summary>
    /// The view of <paramref name="workspace"/>: the cached scan while nothing changed, else the scan
    /// already running for the workspace as it is now, else a new one. <paramref name="cancellationToken"/>
    /// stops this caller's wait, never a scan others may be waiting for.
    /// </summary>
    public Task<CachedCodebase> GetAsync(string workspace, CancellationToken cancellationToken)
    {
        Task<CachedCodebase> scan;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (_snapshot is not null && _watching && _root == workspace)
            {
                return Task.FromResult(_snapshot);
            }

            // Watch before scanning, so a change made while the scan runs is seen and its result not kept.
            Watch(workspace);

            // A scan can be shared only when a watcher would have told of any change since it started.
            var reusable = _scan is { IsFaulted: false, IsCanceled: false } && _watching && _scanVersion == _version;
            if (!reusable)
            {
                var version = _version;
                _scanVersion = version;
                _scan = Task.Run(() => Scan(workspace, version), CancellationToken.None);
            }

            scan = _scan!;
        }

        return scan.WaitAsync(cancellationToken);
    }

    private CachedCodebase Scan(string workspace, long before)
    {
        Interlocked.Increment(ref _scans);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var index = new CodebaseScanner().Index(workspace, _stopping.Token);
        var full = index.Snapshot(null, _stopping.Token).ToDto();
        var snapshot = new CachedCodebase(index, full, CodebaseView.ToUtf8Json(full));
        var kept = false;
        lock (_gate)
        {
            if (_version == before && _root == workspace && _watching)
            {
                _snapshot = snapshot;
                kept = true;
            }
        }

        CodebaseLog.Scanned(logger, index.Files.Count, workspace, (long)clock.Elapsed.TotalMilliseconds,
            (long)index.Timings.Reading.TotalMilliseconds, (long)index.Timings.Tokens.TotalMilliseconds, (long)(clock.Elapsed - index.Timings.Total).TotalMilliseconds,
            kept ? "kept until something in it changes" : "not kept: the workspace changed meanwhile, or is not watched");
        return snapshot;
    }

    /// <summary>Makes sure a healthy watcher covers <paramref name="workspace"/>; called under the lock.</summary>
    private void Watch(string workspace)
    {
        if (_root != workspace)
        {
            _root = workspace;
            _snapshot = null;
            _version++; // a scan of another workspace is never shared
            _watching = false;
            _nextWatchAttempt = DateTime.MinValue;
        }

        if (_watching)
        {
            return;
        }

        // A watcher that reported an error may have missed events and may stop reporting: replace it.
        // It is disposed here, on a request's thread, never from inside its own event.
        _watcher?.Dispose();
        _watcher = null;
        if (DateTime.UtcNow < _nextWatchAttempt)
        {
            return;
        }

        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(workspace)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Changed += Stale;
            watcher.Created += Stale;
            watcher.Deleted += Stale;
            watcher.Renamed += Stale;
            watcher.Error += (_, e) => Failed(watcher, e.GetException());
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
            _watching = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Too many folders for the OS's watch limit, or no watcher here: scan every time for a while.
            watcher?.Dispose();
            _nextWatchAttempt = DateTime.UtcNow + WatchRetry;
            CodebaseLog.WatchFailed(logger, workspace, e.Message, (int)WatchRetry.TotalSeconds);
        }
    }

    private void Stale(object sender, FileSystemEventArgs e)
    {
        var root = _root;
        if (root is null || !Affects(root, e.FullPath) && !(e is RenamedEventArgs renamed && Affects(root, renamed.OldFullPath)))
        {
            return;
        }

        CodebaseLog.Stale(logger, e.ChangeType, e.FullPath);
        lock (_gate)
        {
            _snapshot = null;
            _version++;
        }
    }

    /// <summary>
    /// Whether a change at <paramref name="fullPath"/> can change the view: not inside the server's own
    /// data folder, nor inside (or the creation of) a folder the view always skips; inside <c>.git</c>, only the index (what
    /// git lists as tracked) and <c>info/exclude</c> (what it ignores) count.
    /// </summary>
    internal bool Affects(string root, string fullPath)
    {
        if (IsUnder(root, _dataDir) && (fullPath == _dataDir || IsUnder(_dataDir, fullPath)))
        {
            return false;
        }

        var segments = Path.GetRelativePath(root, fullPath).Split(Path.DirectorySeparatorChar);
        if (segments[0] == ".git")
        {
            return segments is [_] or [_, "index"] or [_, "info"] or [_, "info", "exclude"];
        }

        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (WorkspacePaths.IsSkippedDirectory(segments[i]))
            {
                return false;
            }
        }

        // A build creating bin/ or obj/ changes nothing shown; a file of that name would.
        return !(WorkspacePaths.IsSkippedDirectory(segments[^1]) && Directory.Exists(fullPath));
    }

    private static bool IsUnder(string folder, string path) =>
        path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The watcher's error path: the scan is dropped and the next request rescans with a new watcher.</summary>
    internal void Failed(FileSystemWatcher? source, Exception error)
    {
        lock (_gate)
        {
            if (source is null || source != _watcher)
            {
                return;
            }

            _watching = false;
            _snapshot = null;
            _version++;
        }

        CodebaseLog.WatcherError(logger, error.Message);
    }

    /// <summary>For tests: raises the current watcher's error path, as a buffer overflow would.</summary>
    internal void RaiseWatcherError(Exception error) => Failed(_watcher, error);

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping.Cancel();
            _watcher?.Dispose();
            _watcher = null;
        }
    }
}

/// <summary>
/// Scans the workspace as soon as the server starts (unless <c>BuildLore:Codebase:IndexOnStart</c>
/// is false), so the first <c>GET /llm/learning/codebase</c> finds the scan done or under way instead of
/// starting it, and the tokenizer's vocabulary is loaded before anyone needs it.
/// </summary>
internal sealed class CodebaseIndexer(CodebaseCache cache, IOptions<BuildLoreOptions> options, IHostApplicationLifetime lifetime, ILogger<CodebaseIndexer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Started now, not awaited: the scan runs while the store migrates and Kestrel binds.
        if (options.Value.Codebase.IndexOnStart)
        {
            _ = Task.Run(() => IndexAsync(lifetime.ApplicationStopping), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task IndexAsync(CancellationToken stopping)
    {
        var workspace = options.Value.ResolveWorkspace();
        try
        {
            await cache.GetAsync(workspace, stopping);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException or ObjectDisposedException)
        {
            // Nothing is lost: a request scans again and reports what went wrong.
            CodebaseLog.IndexOnStartFailed(logger, workspace, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
