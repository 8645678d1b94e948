using System.Buffers;
using System.Text;
using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Redaction;
using BuildLore.Core.Storage;

namespace BuildLore.Core.Builds;

/// <summary>
/// Receives a build's output as it is produced and stores it in chunks: when enough text has
/// gathered, or at the latest every <see cref="FlushInterval"/>, so a running build's log can be read
/// while it runs and a crash loses at most that interval. Also feeds the log analyzer as text comes,
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
    private readonly bool _overlapStores;

    private readonly IBuildStore _store;
    private readonly string _buildId;
    private readonly ArrayBufferWriter<char> _pending = new();
    private Task _storing = Task.CompletedTask;
    // Bulk uploads only: the chunks in flight, each redacted, then analyzed and stored, on other threads.
    private Task<string> _redacting = Task.FromResult("");
    private Task _analyzing = Task.CompletedTask;
    private Task _chunkBeforeLast = Task.CompletedTask;
    private readonly ArrayBufferWriter<char> _redacted = new();
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
    /// <remarks>
    /// The defaults suit live builds: a chunk is stored once 64 K characters gather, before
    /// <see cref="WriteAsync(ReadOnlyMemory{char}, CancellationToken)"/> returns, and the analysis keeps up line by line. A bulk upload passes a
    /// larger <paramref name="flushThreshold"/> (fewer, bigger commits) and <paramref name="overlapStores"/>:
    /// each chunk is then redacted, analyzed and stored on other threads, in order, while the next one
    /// is read, and only <see cref="FlushAsync"/>, <see cref="CompleteAsync"/> and
    /// <see cref="GetAnalysisAsync"/> wait for them. The text waiting there is not yet redacted, but it
    /// is never stored or analyzed before it is.
    /// </remarks>
    public BuildLogWriter(IBuildStore store, string buildId, string? workspaceRoot = null, SecretRedactor? redactor = null, AnalysisRules? rules = null,
        int flushThreshold = DefaultFlushThreshold, bool overlapStores = false)
    {
        _flushThreshold = flushThreshold;
        _overlapStores = overlapStores;
        _store = store;
        _buildId = buildId;
        _analyzer = new LogAnalyzer(workspaceRoot, rules);
        _redactor = new StreamingRedactor(redactor ?? SecretRedactor.Default);
        _periodicFlush = FlushPeriodicallyAsync(_stop.Token);
    }

    public Task WriteAsync(string text, CancellationToken cancellationToken = default) => WriteAsync(text.AsMemory(), cancellationToken);

    /// <summary>Writes the next piece of the log; pieces may split lines anywhere. The text is copied before this returns.</summary>
    public async Task WriteAsync(ReadOnlyMemory<char> text, CancellationToken cancellationToken = default)
    {
        // Taken before waiting for the lock: the time the text arrived, not the time it was stored.
        var receivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // PostgreSQL text cannot hold NUL; binary junk in a log must not lose the rest of it.
        if (text.Span.Contains('\0'))
        {
            text = text.ToString().Replace('\0', '\uFFFD').AsMemory();
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AcceptLocked(text.Span, receivedAt);
            if (_pending.WrittenCount >= _flushThreshold)
            {
                await FlushLockedAsync(cancellationToken, wait: !_overlapStores).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>How many secrets were replaced by <c>***</c> so far.</summary>
    public long Redactions { get; private set; }

    // Splits text into whole lines and a partial last one. Whole lines are redacted as a block, then
    // queued for storage and analysis; the partial line is held back until its newline comes.
    private void AcceptLocked(ReadOnlySpan<char> text, long receivedAt)
    {
        var last = text.LastIndexOf('\n');
        if (last >= 0 && _line.Length > 0)
        {
            var first = text.IndexOf('\n');
            _line.Append(text[..first]);
            ReleaseLineLocked(withNewline: true);
            text = text[(first + 1)..];
            last -= first + 1;
        }

        if (last >= 0)
        {
            ReleaseLinesLocked(text[..(last + 1)], receivedAt);
            text = text[(last + 1)..];
        }

        if (text.IsEmpty)
        {
            return;
        }

        if (_line.Length == 0)
        {
            _lineStartedTicks = Environment.TickCount64;
            _lineStartedAt = receivedAt;
        }

        _line.Append(text);
        if (_line.Length >= PartialLineLimit)
        {
            ReleaseLineLocked(withNewline: false);
        }
    }

    /// <summary>Queues whole lines (the text ends with a newline), all arrived at <paramref name="receivedAt"/>.</summary>
    private void ReleaseLinesLocked(ReadOnlySpan<char> lines, long receivedAt)
    {
        // A line begins after each newline but the last, and at the start unless a partial line was released before.
        var begun = lines.Count('\n') - (_atLineStart ? 0 : 1);
        for (var i = 0; i < begun; i++)
        {
            _pendingTimes.Add(receivedAt);
        }

        _atLineStart = true;
        if (_overlapStores)
        {
            _pending.Write(lines); // redacted with its chunk
            return;
        }

        var start = _pending.WrittenCount;
        Redactions += _redactor.RedactLines(lines, _pending);
        _analyzer.Append(_pending.WrittenSpan[start..]);
    }

    private void ReleaseLineLocked(bool withNewline)
    {
        var line = _line.ToString();
        _line.Clear();
        var redacted = line;
        if (!_overlapStores)
        {
            redacted = _redactor.Redact(line, out var count);
            Redactions += count;
        }

        if (_atLineStart)
        {
            _pendingTimes.Add(_lineStartedAt);
        }

        _atLineStart = withNewline;
        var start = _pending.WrittenCount;
        _pending.Write(redacted.AsSpan());
        if (withNewline)
        {
            _pending.Write("\n".AsSpan());
        }

        if (!_overlapStores)
        {
            _analyzer.Append(_pending.WrittenSpan[start..]);
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
            await _analyzing.ConfigureAwait(false);
            return _analyzer.Complete(succeeded);
        }
        finally
        {
            _lock.Release();
        }
    }

    // Without wait, the last write may still be under way when this returns; the next flush waits for it.
    private async Task FlushLockedAsync(CancellationToken cancellationToken, bool final = false, bool wait = true)
    {
        if (_line.Length > 0 && (final || Environment.TickCount64 - _lineStartedTicks >= PartialLineHold.TotalMilliseconds))
        {
            ReleaseLineLocked(withNewline: false);
        }

        if (_pending.WrittenCount > 0)
        {
            var text = new string(_pending.WrittenSpan);
            var times = LineTimes.PerLine(_pendingTimes);
            _pending.ResetWrittenCount();
            _pendingTimes.Clear();
            if (_overlapStores)
            {
                await QueueChunkAsync(text, times, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // One write at a time, in order.
                await _storing.ConfigureAwait(false);
                _storing = _store.AppendLogAsync(_buildId, text, times, cancellationToken);
            }
        }

        if (wait)
        {
            await _storing.ConfigureAwait(false);
            await _analyzing.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A bulk chunk's way: redacted (one chunk at a time, in order, as the redactor keeps state across
    /// lines), then analyzed and stored side by side (SQLite's driver works synchronously even when
    /// called async), each stage after the same stage of the chunk before. The chunk before the last
    /// must be done before another is queued, so at most two are in flight. A failure anywhere fails
    /// every later stage and surfaces at the next flush.
    /// </summary>
    private async Task QueueChunkAsync(string raw, LineTimes times, CancellationToken cancellationToken)
    {
        await _chunkBeforeLast.ConfigureAwait(false);
        var previousRedaction = _redacting;
        var previousAnalysis = _analyzing;
        var previousStore = _storing;
        var redacting = Task.Run(async () =>
        {
            await previousRedaction.ConfigureAwait(false);
            return RedactChunk(raw);
        }, cancellationToken);
        _analyzing = Task.Run(async () =>
        {
            var text = await redacting.ConfigureAwait(false);
            await previousAnalysis.ConfigureAwait(false);
            _analyzer.Append(text);
        }, cancellationToken);
        _storing = Task.Run(async () =>
        {
            var text = await redacting.ConfigureAwait(false);
            await previousStore.ConfigureAwait(false);
            await _store.AppendLogAsync(_buildId, text, times, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
        _redacting = redacting;
        _chunkBeforeLast = Task.WhenAll(previousAnalysis, previousStore);
    }

    private string RedactChunk(string raw)
    {
        _redacted.ResetWrittenCount();
        var count = _redactor.RedactLines(raw, _redacted);
        Redactions += count;
        return count == 0 ? raw : new string(_redacted.WrittenSpan);
    }

    private async Task FlushPeriodicallyAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                // Stopping the timer may cancel the wait for the lock, never a flush that has begun: a store
                // write cancelled half-way would lose its text, and the final flush would fail on it.
                await _lock.WaitAsync(stop).ConfigureAwait(false);
                try
                {
                    await FlushLockedAsync(CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    _lock.Release();
                }
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
