using System.Buffers;
using System.Collections.Concurrent;
using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Redaction;
using BuildLore.Core.Builds;
using BuildLore.Core.Storage;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Builds;

/// <summary>
/// What this server keeps in memory about each build a CI pushes in numbered chunks: a redactor that
/// remembers an open private key block from one line (and chunk) to the next and masks the configured
/// literal secrets, and a live analyzer, so the log is analyzed once as it arrives rather than read
/// again when the build finishes. The redaction count goes to the store with each chunk.
/// </summary>
/// <remarks>
/// The state is per build id and made on demand. It is only an optimisation of what the store already
/// knows: a build whose state is missing or was discarded (the server restarted, another server sharing
/// the store took some chunks, a chunk failed half-way) is redacted from its next chunk on with a fresh
/// redactor and analyzed again from the stored log when it finishes. Chunks of one build are handled one
/// at a time, and a chunk is redacted and analyzed only when it is the next one: a retry of a stored
/// chunk is answered without touching either.
/// </remarks>
internal sealed class PushedBuilds(IOptions<BuildLoreOptions> options)
{
    private readonly ConcurrentDictionary<string, PushedBuild> _builds = new(StringComparer.Ordinal);
    private readonly Lazy<SecretRedactor> _redactor = new(() => ConfiguredSecrets.CreateRedactor(ConfiguredSecrets.Literals(options.Value.Redaction)));

    /// <summary>The built-in patterns and the configured literal secrets (for bulk uploads too).</summary>
    public SecretRedactor Redactor => _redactor.Value;

    /// <summary>How many builds have state here (for tests).</summary>
    internal int Count => _builds.Count;

    /// <summary>The state of a build just created: nothing of its log is stored yet.</summary>
    public void Start(string buildId) => _builds[buildId] = new PushedBuild(Redactor, lastSequence: 0);

    /// <summary>
    /// Redacts chunk <paramref name="sequence"/>, stores it with its redaction count (committed before this
    /// returns) and, when it was the next chunk, analyzes it.
    /// </summary>
    public async Task<(ChunkResult Result, long LastSequence, long Chars)> AppendAsync(IBuildStore store, string buildId, long sequence, string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = _builds.GetOrAdd(buildId, _ => new PushedBuild(Redactor, lastSequence: null));
            await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (state.Discarded)
                {
                    continue; // replaced while this request waited
                }

                state.Touch();
                if (state.LastSequence is { } stored && sequence <= stored)
                {
                    return (ChunkResult.Duplicate, stored, 0);
                }

                // Only the next chunk may move the state on; any other is redacted on its own (it is stored
                // only if the state was wrong, e.g. another server took chunks, and then the state goes).
                var next = state.LastSequence is null || sequence == state.LastSequence + 1;
                var redactor = next ? state.Redactor : new StreamingRedactor(Redactor);
                var (redacted, redactions) = Redact(redactor, text);
                (ChunkResult Result, long LastSequence) outcome;
                try
                {
                    // Not cancelled half-way: the state must learn whether the chunk was committed.
                    outcome = await store.AppendLogChunkAsync(buildId, sequence, redacted, LineTimes.Uniform(DateTimeOffset.UtcNow), redactions, CancellationToken.None).ConfigureAwait(false);
                }
                catch
                {
                    Discard(buildId, state);
                    throw;
                }

                if (outcome.Result == ChunkResult.Appended && next)
                {
                    state.Accept(sequence, redacted);
                }
                else if (outcome.Result == ChunkResult.Appended || next)
                {
                    Discard(buildId, state);
                }

                return (outcome.Result, outcome.LastSequence, outcome.Result == ChunkResult.Appended ? redacted.Length : 0);
            }
            finally
            {
                state.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Holds a build's state while it is finished (chunks arriving meanwhile wait); disposing the returned
    /// hold drops the state, whether the finish succeeded or not.
    /// </summary>
    public async Task<Finishing> BeginFinishAsync(string buildId)
    {
        if (!_builds.TryGetValue(buildId, out var state))
        {
            return new Finishing(this, buildId, null);
        }

        await state.Gate.WaitAsync().ConfigureAwait(false);
        return new Finishing(this, buildId, state);
    }

    /// <summary>A build being finished, from <see cref="BeginFinishAsync"/>.</summary>
    public sealed class Finishing(PushedBuilds owner, string buildId, PushedBuild? state) : IDisposable
    {
        /// <summary>
        /// The live analysis, when the state has read the whole stored log (<paramref name="storedChars"/>
        /// characters, from its first chunk); null when the log must be analyzed from the store.
        /// </summary>
        public LogAnalysis? TakeAnalysis(long storedChars, bool? succeeded) =>
            state is { Discarded: false, FromStart: true, Analyzer: { } analyzer } && state.Chars == storedChars
                ? analyzer.Complete(succeeded)
                : null;

        public void Dispose()
        {
            if (state is not null)
            {
                owner.Discard(buildId, state);
                state.Gate.Release();
            }
        }
    }

    /// <summary>Drops the state of builds that received nothing for <paramref name="idle"/> (abandoned, or finished elsewhere).</summary>
    public int ForgetIdle(TimeSpan idle)
    {
        var forgotten = 0;
        foreach (var (id, state) in _builds)
        {
            if (state.IdleFor >= idle && state.Gate.Wait(0))
            {
                try
                {
                    Discard(id, state);
                    forgotten++;
                }
                finally
                {
                    state.Gate.Release();
                }
            }
        }

        return forgotten;
    }

    private void Discard(string buildId, PushedBuild state)
    {
        state.Discarded = true;
        _builds.TryRemove(new KeyValuePair<string, PushedBuild>(buildId, state));
    }

    private static (string Text, int Redactions) Redact(StreamingRedactor redactor, string text)
    {
        var output = new ArrayBufferWriter<char>(text.Length + 16);
        var redactions = redactor.RedactLines(text, output);
        return (redactions == 0 ? text : new string(output.WrittenSpan), redactions);
    }
}

/// <summary>One pushed build's redaction and analysis state; guarded by <see cref="Gate"/>.</summary>
internal sealed class PushedBuild(SecretRedactor redactor, long? lastSequence)
{
    private long _touched = Environment.TickCount64;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public StreamingRedactor Redactor { get; } = new(redactor);

    /// <summary>Null once it is known not to have seen the log from its start.</summary>
    public LogAnalyzer? Analyzer { get; private set; } = new();

    /// <summary>The last chunk redacted, stored and analyzed through this state; null when not known.</summary>
    public long? LastSequence { get; private set; } = lastSequence;

    /// <summary>True when it saw every chunk from the first.</summary>
    public bool FromStart { get; private set; } = lastSequence == 0;

    /// <summary>Characters of the log it has seen.</summary>
    public long Chars { get; private set; }

    public bool Discarded { get; set; }

    public TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _touched));

    public void Touch() => Interlocked.Exchange(ref _touched, Environment.TickCount64);

    public void Accept(long sequence, string text)
    {
        FromStart |= LastSequence is null && sequence == 1;
        LastSequence = sequence;
        Chars += text.Length;
        if (!FromStart)
        {
            Analyzer = null; // made mid-build: the finish analyzes the stored log
            return;
        }

        Analyzer?.Append(text);
    }
}
