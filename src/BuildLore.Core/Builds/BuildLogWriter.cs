using System.Text;
using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Redaction;
using BuildLore.Core.Storage;

namespace BuildLore.Core.Builds;

/// <summary>
/// Receives a build's output as it is produced and stores it in chunks: when enough text has
/// gathered, or at the latest every <see cref="FlushInterval"/>, so a running build's log can be read
/// while it runs and a crash loses at most that interval. Also feeds the log analyzer, line by line,
/// so the analysis is ready the moment the build ends. Secrets are redacted line by line before
/// anything is stored or analyzed: what was never written cannot leak. The time each line began
/// (its first character's arrival) is stored beside each chunk as <see cref="LineTimes"/>.
/// </summary>
public sealed class BuildLogWriter : IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    /// <summary>How much text gathers before it is stored without waiting for the timer.</summary>
    public const int DefaultFlushThreshold = 64 * 1024;

    private readonly int _flushThreshold;

    private readonly IBuildStore _store;
    private readonly string _buildId;
    private readonly StringBuilder _pending = new();
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly LogAnalyzer _analyzer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _periodicFlush;
    private readonly StreamingRedactor _redactor;
    private readonly StringBuilder _line = new();
    private long _lineStartedTicks;
    private long _lineStartedAt;
    // Times of the lines that begin in _pending, and whether the next text released begins a line.
    private readonly List<long> _pendingTimes = [];
    private bool _atLineStart = true;

    // A partial line is held back for redaction until its newline comes, but not for ever: a prompt or a
    // progress bar without newline is stored after this long (or once it is this large).
    private static readonly TimeSpan PartialLineHold = TimeSpan.FromSeconds(2);
    private const int PartialLineLimit = 64 * 1024;

    /// <summary>A writer for one build's log.</summary>
    /// <remarks><paramref name="flushThreshold"/> is larger for bulk uploads (fewer, bigger commits); the default suits live builds.</remarks>
    public BuildLogWriter(IBuildStore store, string buildId, string? workspaceRoot = null, SecretRedactor? redactor = null, AnalysisRules? rules = null,
        int flushThreshold = DefaultFlushThreshold)
    {
        _flushThreshold = flushThreshold;
        _store = store;
        _buildId = buildId;
        _analyzer = new LogAnalyzer(workspaceRoot, rules);
        _redactor = new StreamingRedactor(redactor ?? SecretRedactor.Default);
        _periodicFlush = FlushPeriodicallyAsync(_stop.Token);
    }

    public async Task WriteAsync(string text, CancellationToken cancellationToken = default)
    {
        // Taken before waiting for the lock: the time the text arrived, not the time it was stored.
        var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // PostgreSQL text cannot hold NUL; binary junk in a log must not lose the rest of it.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            text = text.Replace('\0', '\uFFFD');
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AcceptLocked(text, receivedAt);
            if (_pending.Length >= _flushThreshold)
            {
                await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>How many secrets were replaced by <c>***</c> so far.</summary>
    public long Redactions { get; private set; }

    // Splits text into lines; each complete line is redacted, then queued for storage and analysis.
    private void AcceptLocked(ReadOnlySpan<char> text, long receivedAt)
    {
        while (!text.IsEmpty)
        {
            if (_line.Length == 0)
            {
                _lineStartedAt = receivedAt;
            }

            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                if (_line.Length == 0)
                {
                    _lineStartedTicks = Environment.TickCount64;
                }

                _line.Append(text);
                if (_line.Length >= PartialLineLimit)
                {
                    ReleaseLineLocked(withNewline: false);
                }

                return;
            }

            _line.Append(text[..newline]);
            ReleaseLineLocked(withNewline: true);
            text = text[(newline + 1)..];
        }
    }

    private void ReleaseLineLocked(bool withNewline)
    {
        var line = _line.ToString();
        _line.Clear();
        var redacted = _redactor.Redact(line, out var count);
        Redactions += count;
        if (_atLineStart)
        {
            _pendingTimes.Add(_lineStartedAt);
        }

        _atLineStart = withNewline;
        _pending.Append(redacted);
        _analyzer.Append(redacted);
        if (withNewline)
        {
            _pending.Append('\n');
            _analyzer.Append("\n");
        }
    }

    /// <summary>Stores everything written so far.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The analysis of the whole log; call once the build has ended (after <see cref="CompleteAsync"/>).</summary>
    public async Task<LogAnalysis> GetAnalysisAsync(bool? succeeded, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _analyzer.Complete(succeeded);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task FlushLockedAsync(CancellationToken cancellationToken, bool final = false)
    {
        if (_line.Length > 0 && (final || Environment.TickCount64 - _lineStartedTicks >= PartialLineHold.TotalMilliseconds))
        {
            ReleaseLineLocked(withNewline: false);
        }

        if (_pending.Length == 0)
        {
            return;
        }

        var text = _pending.ToString();
        await _store.AppendLogAsync(_buildId, text, LineTimes.PerLine(_pendingTimes), cancellationToken).ConfigureAwait(false);
        _pending.Clear();
        _pendingTimes.Clear();
    }

    private async Task FlushPeriodicallyAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await FlushAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the periodic flush and stores what is left.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _periodicFlush.ConfigureAwait(false);
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushLockedAsync(cancellationToken, final: true).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The semaphore is not disposed: it never allocated a wait handle, and a late reader of the
        // summary must not fail.
        await CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }
}
