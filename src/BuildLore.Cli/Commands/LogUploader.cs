using System.Diagnostics;
using System.Net;
using BuildLore.Client;

namespace BuildLore.Cli.Commands;

/// <summary>
/// Sends a log to the server in numbered chunks on a task of its own, so that whoever reads the log (and
/// passes it through) never waits for the network. Creates the build when it first can, retries with
/// back-off while the server is unreachable or answers 5xx, holds what is not yet sent up to
/// <see cref="MaxBufferedChars"/>, and gives up cleanly (a warning, nothing more is sent) when that
/// overflows, when the server refuses a request for good (4xx, or 409: the build was ended), or when
/// the log has ended and the server has stayed unreachable for the time given.
/// </summary>
/// <remarks>
/// Chunks are whole lines: sent once <see cref="ChunkChars"/> have gathered, a second after the last
/// chunk, or once the input has paused for <see cref="IdleFlush"/>. A partial line (a prompt) waits for
/// its newline up to <see cref="PartialLineHold"/>. A chunk keeps its number across retries, so the
/// server stores it once.
/// </remarks>
internal sealed class LogUploader
{
    public const int ChunkChars = 256 * 1024;
    public const int MaxBufferedChars = 32 * 1024 * 1024;
    public static readonly TimeSpan ChunkInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan IdleFlush = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan PartialLineHold = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly LLMClient _client;
    private readonly BuildCreation _build;
    private readonly Action<string> _warn;
    private readonly TimeSpan _giveUpAfter;
    private readonly PendingText _pending = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
    private readonly Stopwatch _sinceSend = Stopwatch.StartNew();
    private long _sequence;
    private bool _completed;
    private long? _endedAt;
    private bool _warnedRetrying;

    /// <param name="client">The server.</param>
    /// <param name="build">What to create the build with, when <paramref name="buildId"/> is null.</param>
    /// <param name="buildId">A build created already.</param>
    /// <param name="giveUpAfter">How long to keep retrying once the log has ended.</param>
    /// <param name="warn">Says what went wrong (standard error).</param>
    public LogUploader(LLMClient client, BuildCreation build, string? buildId, TimeSpan giveUpAfter, Action<string> warn)
    {
        _client = client;
        _build = build;
        BuildId = buildId;
        _giveUpAfter = giveUpAfter;
        _warn = warn;
    }

    /// <summary>The build's id once it was created.</summary>
    public string? BuildId { get; private set; }

    /// <summary>Why the upload stopped before the end; null while it goes on (or when it completed).</summary>
    public LLMClientException? Failure { get; private set; }

    /// <summary>Queues text (pieces may split lines anywhere). Never blocks on the network.</summary>
    public void Write(ReadOnlySpan<char> text)
    {
        lock (_lock)
        {
            _sinceWrite.Restart();
            if (Failure is not null)
            {
                return;
            }

            _pending.Append(text);
            if (_pending.Length > MaxBufferedChars)
            {
                _pending.Clear();
                GiveUp(new LLMClientException(
                    $"{MaxBufferedChars / (1024 * 1024)} M characters of log are waiting for a server that does not take them; nothing more is uploaded.", statusCode: null));
            }
        }

        Wake();
    }

    /// <summary>Says the log has ended: what is left is sent, and retries are bounded from now on.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            _endedAt = Environment.TickCount64;
        }

        Wake();
    }

    /// <summary>Sends chunks until the log has ended and all of it is sent, or the upload gave up.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            string? chunk;
            bool done;
            lock (_lock)
            {
                chunk = Failure is null ? TakeChunkLocked() : null;
                done = Failure is not null || (_completed && _pending.Length == 0);
            }

            if (chunk is not null)
            {
                var sequence = _sequence + 1;
                if (await TryAsync(async ct =>
                    {
                        await _client.AppendLogAsync(await EnsureBuildAsync(ct), sequence, chunk, ct);
                        return true;
                    }, cancellationToken) is not true)
                {
                    return;
                }

                _sequence = sequence;
                _sinceSend.Restart();
                continue;
            }

            if (done)
            {
                return;
            }

            await _signal.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>
    /// Attaches the test reports (one that is missing or refused is skipped with a warning) and finishes the
    /// build, with the same retries; false when the build could not be finished.
    /// </summary>
    public async Task<bool> FinishAsync(string status, int? exitCode, IReadOnlyList<string> reports, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            return false;
        }

        foreach (var report in reports)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(report, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _warn($"buildlore ingest: test report {report} was not attached: {e.Message}");
                continue;
            }

            // A report the server cannot read is worth a warning, not the build.
            var attached = await TryAsync(async ct =>
            {
                await _client.UploadTestResultsAsync(await EnsureBuildAsync(ct), bytes, ct);
                return true;
            }, cancellationToken, refused: e => _warn($"buildlore ingest: test report {report} was not attached: {e.ServerMessage ?? e.Message}"));
            if (attached is null && Failure is not null)
            {
                return false;
            }
        }

        return await TryAsync(async ct =>
        {
            await _client.FinishBuildAsync(await EnsureBuildAsync(ct), status, exitCode, ct);
            return true;
        }, cancellationToken) is true;
    }

    private async Task<string> EnsureBuildAsync(CancellationToken cancellationToken) =>
        BuildId ??= (await _client.CreateBuildAsync(_build, cancellationToken)).BuildId;

    /// <summary>
    /// Runs a call until it succeeds; null when it failed for good: the upload gives up (see <see cref="Failure"/>),
    /// unless <paramref name="refused"/> takes a refusal (a 4xx) of this one call.
    /// </summary>
    private async Task<T?> TryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, Action<LLMClientException>? refused = null)
        where T : struct
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                var result = await call(cancellationToken);
                if (_warnedRetrying)
                {
                    _warnedRetrying = false;
                    _warn($"buildlore ingest: reached {_client.BaseAddress} again; uploading.");
                }

                return result;
            }
            catch (LLMClientException e) when (IsTransient(e))
            {
                if (!_warnedRetrying)
                {
                    _warnedRetrying = true;
                    _warn($"buildlore ingest: {e.Message} Retrying; the output goes on.");
                }

                long? endedAt;
                lock (_lock)
                {
                    endedAt = _endedAt;
                }

                if (endedAt is { } ended && Environment.TickCount64 - ended >= _giveUpAfter.TotalMilliseconds)
                {
                    lock (_lock)
                    {
                        GiveUp(e);
                    }

                    return null;
                }

                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
            catch (LLMClientException e) when (refused is not null && e.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
            {
                refused(e);
                return null;
            }
            catch (LLMClientException e)
            {
                lock (_lock)
                {
                    GiveUp(e);
                }

                return null;
            }
        }
    }

    private static bool IsTransient(LLMClientException e) =>
        e.StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)e.StatusCode >= 500;

    private void GiveUp(LLMClientException reason)
    {
        if (Failure is not null)
        {
            return;
        }

        Failure = reason;
        _pending.Clear();
        _warn($"buildlore ingest: gave up uploading{(BuildId is null ? "" : $" build {BuildId}")}: {reason.Message}");
    }

    /// <summary>The next chunk to send now, or null to wait for more.</summary>
    private string? TakeChunkLocked()
    {
        if (_pending.Length == 0)
        {
            return null;
        }

        // Catching up after an outage: bigger chunks (still far below the server's 16 MiB).
        var limit = _pending.Length > 4 * ChunkChars ? 16 * ChunkChars : ChunkChars;
        var window = _pending.Text[..Math.Min(_pending.Length, limit)];
        var lastNewline = window.LastIndexOf('\n');
        int take;
        if (_completed)
        {
            take = _pending.Length <= limit ? _pending.Length : lastNewline >= 0 ? lastNewline + 1 : window.Length;
        }
        else if (lastNewline >= 0)
        {
            var due = _pending.Length >= ChunkChars || _sinceSend.Elapsed >= ChunkInterval || _sinceWrite.Elapsed >= IdleFlush;
            take = due ? lastNewline + 1 : 0;
        }
        else
        {
            // One long line, or a prompt waiting for input: sent as it is after a while.
            take = _pending.Length >= ChunkChars || _sinceWrite.Elapsed >= PartialLineHold ? window.Length : 0;
        }

        if (take == 0)
        {
            return null;
        }

        if (take < _pending.Length && char.IsHighSurrogate(_pending.Text[take - 1]))
        {
            take--; // never send half of a surrogate pair
        }

        var chunk = new string(_pending.Text[..take]);
        _pending.Remove(take);
        return chunk;
    }

    private void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }
}

/// <summary>Text waiting to be sent: appended at the end, taken from the start, in one growing buffer.</summary>
internal sealed class PendingText
{
    private char[] _buffer = new char[16 * 1024];
    private int _start;

    public int Length { get; private set; }

    public ReadOnlySpan<char> Text => _buffer.AsSpan(_start, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        if (_start + Length + text.Length > _buffer.Length)
        {
            var needed = Length + text.Length;
            var target = needed <= _buffer.Length ? _buffer : new char[Math.Max(needed, _buffer.Length * 2)];
            Text.CopyTo(target);
            _buffer = target;
            _start = 0;
        }

        text.CopyTo(_buffer.AsSpan(_start + Length));
        Length += text.Length;
    }

    public void Remove(int count)
    {
        _start += count;
        Length -= count;
        if (Length == 0)
        {
            _start = 0;
        }
    }

    public void Clear()
    {
        _start = 0;
        Length = 0;
        if (_buffer.Length > 1024 * 1024)
        {
            _buffer = new char[16 * 1024];
        }
    }
}
