using BuildLore.Core.Codebase;

namespace BuildLore.Server.Codebase;

/// <summary>
/// A scan kept by <see cref="CodebaseCache"/>: the index views are built from, the whole-workspace view,
/// and that view's response body already serialized (a 50,000-file view is megabytes of JSON).
/// </summary>
internal sealed record CachedCodebase(CodebaseIndex Index, CodebaseDto Full, byte[] FullResponse);

/// <summary>
/// Keeps the last scan of the workspace and serves it again until something under the workspace
/// changes (a file-system watcher marks it stale), so repeated requests on an unchanged repository
/// cost no disk work. When the watcher cannot keep up or fails, every request scans afresh.
/// </summary>
internal sealed class CodebaseCache : IDisposable
{
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private string? _root;
    private CachedCodebase? _snapshot;
    private bool _watching;
    private long _version;

    public CachedCodebase Get(string workspace, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_snapshot is not null && _watching && _root == workspace)
            {
                return _snapshot;
            }

            Watch(workspace);
        }

        // Scan outside the lock; a change during the scan bumps the version and the result is not kept.
        long before;
        lock (_gate)
        {
            before = _version;
        }

        var index = new CodebaseScanner().Index(workspace, cancellationToken);
        var full = index.Snapshot(null, cancellationToken).ToDto();
        var snapshot = new CachedCodebase(index, full, CodebaseView.ToUtf8Json(full));
        lock (_gate)
        {
            if (_version == before && _root == workspace)
            {
                _snapshot = snapshot;
            }
        }

        return snapshot;
    }

    private void Watch(string workspace)
    {
        if (_root == workspace && _watcher is not null)
        {
            return;
        }

        _watcher?.Dispose();
        _root = workspace;
        _snapshot = null;
        try
        {
            _watcher = new FileSystemWatcher(workspace)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                InternalBufferSize = 64 * 1024,
            };
            _watcher.Changed += Stale;
            _watcher.Created += Stale;
            _watcher.Deleted += Stale;
            _watcher.Renamed += Stale;
            _watcher.Error += (_, _) => StopCaching();
            _watcher.EnableRaisingEvents = true;
            _watching = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Too many folders for the OS's watch limit, or no watcher here: scan every time.
            _watching = false;
        }
    }

    private void Stale(object sender, FileSystemEventArgs e)
    {
        // The server's own data folder changes with every build; it is never part of the view.
        if (e.FullPath.Contains($"{Path.DirectorySeparatorChar}.buildlore", StringComparison.Ordinal)
            || e.FullPath.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        {
            return;
        }

        lock (_gate)
        {
            _snapshot = null;
            _version++;
        }
    }

    private void StopCaching()
    {
        lock (_gate)
        {
            _watching = false;
            _snapshot = null;
            _version++;
        }
    }

    public void Dispose() => _watcher?.Dispose();
}
