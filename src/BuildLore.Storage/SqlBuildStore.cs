using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using BuildLore.Core.Builds;
using BuildLore.Core.Reports;
using BuildLore.Core.TestResults;
using BuildLore.Core.Storage;
using Dapper;

namespace BuildLore.Storage;

/// <summary>
/// The store over any <see cref="SqlDialect"/>: the same SQL runs on SQLite and PostgreSQL. Every
/// method commits before it returns. Times are kept as Unix milliseconds so both databases sort and
/// compare them the same way.
/// </summary>
internal sealed class SqlBuildStore(SqlDialect dialect) : IBuildStore, IDisposable
{
    private const string BuildColumns =
        "seq AS Seq, id AS Id, status AS Status, project AS Project, source AS Source, profile AS Profile, " +
        "command AS Command, created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt, " +
        "exit_code AS ExitCode, reason AS Reason, log_chars AS LogChars, summary AS Summary, branch AS Branch, category AS Category, " +
        "redactions AS Redactions, commit_sha AS CommitSha, commit_message AS CommitMessage, author AS Author, ci_provider AS CiProvider, " +
        "job_name AS JobName, job_url AS JobUrl, trigger_event AS TriggerEvent";

    private const string ReportColumns =
        "id AS Id, build_id AS BuildId, project AS Project, type AS Type, analysis AS Analysis, recommendations AS Recommendations, " +
        "confidence AS Confidence, session_id AS SessionId, created_at AS CreatedAt, submitted_by AS SubmittedBy, root_cause AS RootCause, " +
        "affected_files AS AffectedFiles, category AS Category, model AS Model, input_tokens AS InputTokens, output_tokens AS OutputTokens";

    /// <summary>How many of the newest reports on a fingerprint are judged to pick its known issues from.</summary>
    internal const int KnownIssueWindow = 1000;

    // The first finished build of a report's project and branch created at or after the report, other than
    // the build it analyzed: what tells whether its advice worked. Expects the report as r and its build as b.
    private string NextBuildSeq => $"""
        (SELECT n.seq FROM builds n
         WHERE n.project = b.project AND {dialect.SameValue("n.branch", "b.branch")}
           AND n.created_at >= r.created_at AND n.id <> b.id AND n.status IN ('success', 'failed', 'error', 'timeout')
         ORDER BY n.seq LIMIT 1)
        """;

    public string Provider => dialect.Name;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await dialect.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Command("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", null, transaction, cancellationToken)).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<long?>(Command("SELECT MAX(version) FROM schema_version", null, transaction, cancellationToken)).ConfigureAwait(false) ?? 0;
        if (current > dialect.Migrations.Count)
        {
            throw new InvalidOperationException(
                $"The {dialect.Name} database is at schema version {current}, newer than this BuildLore ({dialect.Migrations.Count}). Upgrade BuildLore.");
        }

        for (var version = (int)current + 1; version <= dialect.Migrations.Count; version++)
        {
            await connection.ExecuteAsync(Command(dialect.Migrations[version - 1], null, transaction, cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(Command("INSERT INTO schema_version (version) VALUES (@version)", new { version }, transaction, cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Build> CreateBuildAsync(NewBuild build, CancellationToken cancellationToken = default)
    {
        var id = Guid.CreateVersion7().ToString();
        var now = DateTimeOffset.UtcNow;
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Command(
            """
            INSERT INTO builds (id, status, project, source, profile, command, created_at, branch,
                                commit_sha, commit_message, author, ci_provider, job_name, job_url, trigger_event)
            VALUES (@id, @status, @project, @source, @profile, @command, @createdAt, @branch,
                    @commitSha, @commitMessage, @author, @ciProvider, @jobName, @jobUrl, @trigger)
            """,
            new
            {
                id, status = build.Status, project = build.Project, source = build.Source, profile = build.Profile, command = build.Command,
                createdAt = now.ToUnixTimeMilliseconds(), branch = build.Branch, commitSha = build.Origin.CommitSha, commitMessage = build.Origin.CommitMessage,
                author = build.Origin.Author, ciProvider = build.Origin.CiProvider, jobName = build.Origin.JobName, jobUrl = build.Origin.JobUrl,
                trigger = build.Origin.Trigger,
            },
            null,
            cancellationToken)).ConfigureAwait(false);
        return new Build
        {
            Id = id,
            Status = build.Status,
            Project = build.Project,
            Source = build.Source,
            Profile = build.Profile,
            Command = build.Command,
            Branch = build.Branch,
            Origin = build.Origin,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()),
        };
    }

    public async Task<Build?> GetBuildAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<BuildRow>(Command(
            $"SELECT {BuildColumns}, analysis AS Analysis FROM builds WHERE id = @id", new { id }, null, cancellationToken)).ConfigureAwait(false);
        return row?.ToBuild();
    }

    public Task<BuildPage> ListBuildsAsync(int skip, int limit, CancellationToken cancellationToken = default) =>
        ListBuildsAsync(new BuildListQuery(skip, limit), cancellationToken);

    public async Task<BuildPage> ListBuildsAsync(BuildListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        const string Filter = "WHERE (@project IS NULL OR project = @project) AND (@branch IS NULL OR branch = @branch) AND (@status IS NULL OR status = @status)";
        var parameters = new { project = query.Project, branch = query.Branch, status = query.Status, limit = (long)query.Limit, skip = (long)query.Skip };
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(Command($"SELECT COUNT(*) FROM builds {Filter}", parameters, transaction, cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BuildRow>(Command(
            $"SELECT {BuildColumns} FROM builds {Filter} ORDER BY seq DESC LIMIT @limit OFFSET @skip",
            parameters,
            transaction,
            cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new BuildPage([.. rows.Select(r => r.ToBuild())], total);
    }

    public async Task<IReadOnlyList<Build>> ListBuildsSinceAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BuildRow>(Command(
            $"SELECT {BuildColumns} FROM builds WHERE (@project IS NULL OR project = @project) AND created_at >= @since ORDER BY seq",
            new { project, since = since.ToUnixTimeMilliseconds() },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToBuild())];
    }

    public async Task<bool> MarkRunningAsync(string id, DateTimeOffset startedAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(Command(
            "UPDATE builds SET status = @running, started_at = @startedAt WHERE id = @id AND status = @queued",
            new { id, running = BuildStatus.Running, queued = BuildStatus.Queued, startedAt = startedAt.ToUnixTimeMilliseconds() },
            null,
            cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task AppendLogAsync(string id, string text, LineTimes? lineTimes = null, CancellationToken cancellationToken = default)
    {
        if (text.Length == 0)
        {
            return;
        }

        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Taking the next chunk number by updating the build row locks that row, so concurrent
        // appends to one build get distinct, ordered numbers on both databases.
        var next = await connection.ExecuteScalarAsync<long?>(Command(
            "UPDATE builds SET log_chunks = log_chunks + 1, log_chars = log_chars + @chars WHERE id = @id RETURNING log_chunks",
            new { id, chars = (long)text.Length },
            transaction,
            cancellationToken)).ConfigureAwait(false) ?? throw new KeyNotFoundException($"Build '{id}' does not exist.");
        await InsertChunkAsync(connection, transaction, id, next - 1, text, lineTimes, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static object ChunkParameters(string id, long seq, string text, LineTimes? lineTimes)
    {
        var packed = ChunkCodec.Pack(text);
        return new { id, seq, chars = (long)text.Length, text = packed is null ? text : "", packed, lineTimes = lineTimes?.ToArray() };
    }

    private static Task InsertChunkAsync(DbConnection connection, DbTransaction transaction, string id, long seq, string text, LineTimes? lineTimes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command(
            "INSERT INTO log_chunks (build_id, seq, chars, text, packed, line_times) VALUES (@id, @seq, @chars, @text, @packed, @lineTimes)",
            ChunkParameters(id, seq, text, lineTimes),
            transaction,
            cancellationToken));

    public Task<(ChunkResult Result, long LastSequence)> AppendLogChunkAsync(string id, long sequence, string text, LineTimes? lineTimes = null, CancellationToken cancellationToken = default) =>
        AppendLogChunkAsync(id, sequence, text, lineTimes, 0, cancellationToken);

    public async Task<(ChunkResult Result, long LastSequence)> AppendLogChunkAsync(string id, long sequence, string text, LineTimes? lineTimes, long redactions, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentOutOfRangeException.ThrowIfNegative(redactions);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Only the next chunk in sequence moves the counter; the row lock makes concurrent retries safe.
        var next = await connection.ExecuteScalarAsync<long?>(Command(
            """
            UPDATE builds SET ingest_seq = @sequence, log_chunks = log_chunks + CASE WHEN @chars > 0 THEN 1 ELSE 0 END, log_chars = log_chars + @chars,
                redactions = redactions + @redactions, last_activity = @now
            WHERE id = @id AND ingest_seq = @sequence - 1 AND status IN (@queued, @running)
            RETURNING log_chunks
            """,
            new { id, sequence, chars = (long)text.Length, redactions, queued = BuildStatus.Queued, running = BuildStatus.Running, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken)).ConfigureAwait(false);
        if (next is null)
        {
            var state = await connection.QuerySingleOrDefaultAsync<IngestState>(Command(
                "SELECT ingest_seq AS Seq, status AS Status FROM builds WHERE id = @id", new { id }, transaction, cancellationToken)).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Build '{id}' does not exist.");
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (sequence <= state.Seq ? ChunkResult.Duplicate : BuildStatus.IsFinished(state.Status) ? ChunkResult.Finished : ChunkResult.Gap, state.Seq);
        }

        if (text.Length > 0)
        {
            await InsertChunkAsync(connection, transaction, id, next.Value - 1, text, lineTimes, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (ChunkResult.Appended, sequence);
    }

    public Task<bool> FinishBuildAsync(string id, BuildCompletion completion, CancellationToken cancellationToken = default) =>
        FinishAsync(id, completion, BuildStatus.Running, cancellationToken);

    public Task<bool> FinishQueuedBuildAsync(string id, BuildCompletion completion, CancellationToken cancellationToken = default) =>
        FinishAsync(id, completion, BuildStatus.Queued, cancellationToken);

    // Finishes a build that is queued, or (with alsoFrom running) running.
    private async Task<bool> FinishAsync(string id, BuildCompletion completion, string alsoFrom, CancellationToken cancellationToken)
    {
        if (!BuildStatus.IsFinished(completion.Status))
        {
            throw new ArgumentException($"'{completion.Status}' is not a final status.", nameof(completion));
        }

        var finishedAt = completion.FinishedAt.ToUnixTimeMilliseconds();
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(Command(
            """
            UPDATE builds SET status = @status, exit_code = @exitCode, reason = @reason, summary = @summary, finished_at = @finishedAt,
                started_at = COALESCE(started_at, @finishedAt), category = @category, analysis = @analysis, redactions = redactions + @redactions,
                process_group = NULL, process_guard = NULL
            WHERE id = @id AND status IN (@queued, @alsoFrom)
            """,
            new
            {
                id,
                alsoFrom,
                status = completion.Status,
                exitCode = (long?)completion.ExitCode,
                reason = completion.Reason,
                summary = JsonSerializer.Serialize(completion.Summary, StorageJson.Default.LogSummary),
                finishedAt,
                category = completion.Analysis?.Category,
                analysis = completion.Analysis is null ? null : JsonSerializer.Serialize(completion.Analysis, StorageJson.Default.LogAnalysis),
                redactions = completion.Redactions,
                queued = BuildStatus.Queued,
            },
            transaction,
            cancellationToken)).ConfigureAwait(false);
        if (changed == 1 && completion.Analysis is { } analysis)
        {
            await InsertDiagnosticsAsync(connection, transaction, id, analysis, finishedAt, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    // One row per diagnostic, so recurring fingerprints can be counted across builds.
    private static async Task InsertDiagnosticsAsync(DbConnection connection, DbTransaction transaction, string id, Core.Analysis.LogAnalysis analysis, long createdAt, CancellationToken cancellationToken)
    {
        if (analysis.Diagnostics.Count == 0)
        {
            return;
        }

        var rows = analysis.Diagnostics.Select((d, i) => new
        {
            id,
            seq = (long)i,
            severity = d.Severity,
            tool = d.Tool,
            file = d.File,
            line = (long?)d.Line,
            col = (long?)d.Column,
            code = d.Code,
            message = d.Message,
            fingerprint = d.Fingerprint,
            template = d.Template,
            logLine = d.LogLine,
            createdAt,
        });
        await connection.ExecuteAsync(Command(
            """
            INSERT INTO diagnostics (build_id, seq, severity, tool, file, line, col, code, message, fingerprint, template, log_line, created_at)
            VALUES (@id, @seq, @severity, @tool, @file, @line, @col, @code, @message, @fingerprint, @template, @logLine, @createdAt)
            """,
            rows,
            transaction,
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Build>> ListUnsummarizedBuildsAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BuildRow>(Command(
            $"SELECT {BuildColumns} FROM builds WHERE summary IS NULL AND status NOT IN (@queued, @running) ORDER BY seq LIMIT @limit",
            new { queued = BuildStatus.Queued, running = BuildStatus.Running, limit = (long)limit },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToBuild())];
    }

    public async Task<bool> StoreAnalysisAsync(string id, Core.Analysis.LogAnalysis analysis, Core.Logs.LogSummary summary, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Only once, and only for a build that ended without one: two servers doing this at once store it once.
        var finishedAt = await connection.ExecuteScalarAsync<long?>(Command(
            """
            UPDATE builds SET summary = @summary, category = @category, analysis = @analysis
            WHERE id = @id AND summary IS NULL AND status NOT IN (@queued, @running)
            RETURNING finished_at
            """,
            new
            {
                id,
                summary = JsonSerializer.Serialize(summary, StorageJson.Default.LogSummary),
                category = analysis.Category,
                analysis = JsonSerializer.Serialize(analysis, StorageJson.Default.LogAnalysis),
                queued = BuildStatus.Queued,
                running = BuildStatus.Running,
            },
            transaction,
            cancellationToken)).ConfigureAwait(false);
        if (finishedAt is { } at)
        {
            await InsertDiagnosticsAsync(connection, transaction, id, analysis, at, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return finishedAt is not null;
    }

    public async Task<IReadOnlyList<Pattern>> ListPatternsAsync(PatternQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PatternRow>(Command(
            """
            SELECT d.fingerprint AS Fingerprint, MIN(d.template) AS Template, MIN(d.severity) AS Severity, MIN(d.tool) AS Tool, MIN(d.code) AS Code,
                   COUNT(*) AS Occurrences, COUNT(DISTINCT d.build_id) AS Builds, MIN(d.created_at) AS FirstSeen, MAX(d.created_at) AS LastSeen,
                   MIN(d.message) AS Example, MAX(d.build_id) AS ExampleBuildId
            FROM diagnostics d JOIN builds b ON b.id = d.build_id
            WHERE (@project IS NULL OR b.project = @project)
              AND (@branch IS NULL OR b.branch = @branch)
              AND (@severity IS NULL OR d.severity = @severity)
              AND d.created_at >= @since AND d.created_at <= @until
            GROUP BY d.fingerprint
            HAVING COUNT(DISTINCT d.build_id) >= @minBuilds
            ORDER BY COUNT(DISTINCT d.build_id) DESC, COUNT(*) DESC, MAX(d.created_at) DESC
            LIMIT @limit
            """,
            new
            {
                project = query.Project,
                branch = query.Branch,
                severity = query.Severity,
                since = query.Since?.ToUnixTimeMilliseconds() ?? 0L,
                until = query.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue,
                minBuilds = (long)query.MinBuilds,
                limit = (long)query.Limit,
            },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new Pattern(r.Fingerprint, r.Template, r.Severity, r.Tool, r.Code, r.Occurrences, r.Builds,
            DateTimeOffset.FromUnixTimeMilliseconds(r.FirstSeen), DateTimeOffset.FromUnixTimeMilliseconds(r.LastSeen), r.Example, r.ExampleBuildId))];
    }

    public async IAsyncEnumerable<string> ReadLogAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One chunk at a time: a long log is never held whole.
        var chunks = connection.QueryUnbufferedAsync<ChunkRow>(
            "SELECT text AS Text, packed AS Packed FROM log_chunks WHERE build_id = @id ORDER BY seq", new { id });
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk.Content;
        }
    }

    public async IAsyncEnumerable<(string Text, LineTimes? Times)> ReadLogWithTimesAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var chunks = connection.QueryUnbufferedAsync<TimedPieceRow>(
            "SELECT text AS Text, packed AS Packed, line_times AS LineTimes FROM log_chunks WHERE build_id = @id ORDER BY seq", new { id });
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (chunk.Content, LineTimes.FromStored(chunk.LineTimes));
        }
    }

    /// <summary>A stored log chunk: plain text, or packed by <see cref="ChunkCodec"/>.</summary>
    private class ChunkRow
    {
        public string? Text { get; set; }
        public byte[]? Packed { get; set; }

        public string Content => ChunkCodec.Unpack(Text, Packed);
    }

    private sealed class TimedPieceRow : ChunkRow
    {
        public byte[]? LineTimes { get; set; }
    }

    public async IAsyncEnumerable<(long Piece, string Text)> ReadLogPiecesAsync(string id, long fromPiece, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var pieces = connection.QueryUnbufferedAsync<PieceRow>(
            "SELECT seq AS Seq, text AS Text, packed AS Packed FROM log_chunks WHERE build_id = @id AND seq >= @fromPiece ORDER BY seq", new { id, fromPiece });
        await foreach (var piece in pieces.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (piece.Seq, piece.Content);
        }
    }

    private sealed class PieceRow : ChunkRow
    {
        public long Seq { get; set; }
    }

    public async Task<LogTail> ReadLogTailAsync(string id, int maxChars, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);
        var pieces = new List<string>();
        long gathered = 0;
        var truncated = false;
        await using (var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            var rows = connection.QueryUnbufferedAsync<ChunkRow>(
                "SELECT text AS Text, packed AS Packed FROM log_chunks WHERE build_id = @id ORDER BY seq DESC", new { id });
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var chunk = row.Content;
                if (gathered >= maxChars)
                {
                    truncated = true;
                    break;
                }

                pieces.Add(chunk);
                gathered += chunk.Length;
            }
        }

        pieces.Reverse();
        var text = string.Concat(pieces);
        if (text.Length > maxChars)
        {
            truncated = true;
            text = text[^maxChars..];
            if (char.IsLowSurrogate(text[0]))
            {
                text = text[1..]; // never start with half of a surrogate pair
            }
        }

        if (truncated)
        {
            // Start at a whole line when one begins early enough in the kept part.
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0 && newline < text.Length / 2)
            {
                text = text[(newline + 1)..];
            }
        }

        return new LogTail(text, truncated);
    }

    public async Task<int> FailIdlePushedBuildsAsync(DateTimeOffset idleSince, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(Command(
            """
            UPDATE builds SET status = 'error', reason = 'idle timeout', finished_at = @now
            WHERE status = 'running' AND source <> 'runner' AND COALESCE(last_activity, started_at, created_at) < @idleSince
            """,
            new { idleSince = idleSince.ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() },
            null,
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> FailUnfinishedBuildsAsync(string reason, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(Command(
            "UPDATE builds SET status = @error, reason = @reason, finished_at = @at, started_at = COALESCE(started_at, @at) WHERE status IN (@queued, @running)",
            new { error = BuildStatus.Error, reason, at = at.ToUnixTimeMilliseconds(), queued = BuildStatus.Queued, running = BuildStatus.Running },
            null,
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task RecordBuildProcessAsync(string id, long processGroup, string guard, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Command(
            "UPDATE builds SET process_group = @processGroup, process_guard = @guard WHERE id = @id",
            new { id, processGroup, guard },
            null,
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<BuildProcessRecord>> ListLeftoverProcessesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ProcessRow>(Command(
            "SELECT id AS Id, process_group AS ProcessGroup, process_guard AS Guard FROM builds WHERE process_group IS NOT NULL AND status NOT IN (@queued, @running)",
            new { queued = BuildStatus.Queued, running = BuildStatus.Running },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new BuildProcessRecord(r.Id, r.ProcessGroup, r.Guard ?? ""))];
    }

    public async Task ForgetBuildProcessAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(Command(
            "UPDATE builds SET process_group = NULL, process_guard = NULL WHERE id = @id", new { id }, null, cancellationToken)).ConfigureAwait(false);
    }

    private sealed class ProcessRow
    {
        public string Id { get; set; } = "";
        public long ProcessGroup { get; set; }
        public string? Guard { get; set; }
    }

    public async Task<long> AddReportAsync(NewReport report, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (report.IdempotencyKey is { } key && await SameKeyReportAsync(connection, transaction, report, cancellationToken).ConfigureAwait(false) is { } id)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return id;
        }

        // A report about a build takes the build's project; selecting from builds also proves the build exists.
        // The unique index settles a race between two submissions with the same key: the later one inserts nothing.
        const string Columns = "build_id, project, type, analysis, recommendations, confidence, session_id, created_at, idempotency_key, " +
                               "submitted_by, root_cause, affected_files, category, model, input_tokens, output_tokens";
        const string Values = "@type, @analysis, @recommendations, @confidence, @sessionId, @createdAt, @key, " +
                              "@submittedBy, @rootCause, @affectedFiles, @category, @model, @inputTokens, @outputTokens";
        var sql = report.BuildId is not null
            ? $"INSERT INTO reports ({Columns}) SELECT id, project, {Values} FROM builds WHERE id = @buildId ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
            : $"INSERT INTO reports ({Columns}) VALUES (NULL, @project, {Values}) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
        if (report.BuildId is null && string.IsNullOrEmpty(report.Project))
        {
            throw new ArgumentException("A report needs a build or a project.", nameof(report));
        }

        var details = report.Details;
        var created = await connection.ExecuteScalarAsync<long?>(Command(
            sql,
            new
            {
                buildId = report.BuildId,
                project = report.Project,
                type = report.Type,
                analysis = report.Analysis,
                recommendations = JsonSerializer.Serialize([.. report.Recommendations], StorageJson.Default.ListString),
                confidence = report.Confidence,
                sessionId = report.SessionId,
                createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                key = report.IdempotencyKey,
                submittedBy = report.SubmittedBy,
                rootCause = details.RootCause,
                affectedFiles = details.AffectedFiles.Count == 0 ? null : JsonSerializer.Serialize([.. details.AffectedFiles], StorageJson.Default.ListAffectedFile),
                category = details.Category,
                model = details.Model,
                inputTokens = details.InputTokens,
                outputTokens = details.OutputTokens,
            },
            transaction,
            cancellationToken)).ConfigureAwait(false);
        if (created is null && report.IdempotencyKey is not null
            && await SameKeyReportAsync(connection, transaction, report, cancellationToken).ConfigureAwait(false) is { } raced)
        {
            created = raced; // another submission with this key was stored first
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created ?? throw new KeyNotFoundException($"Build '{report.BuildId}' does not exist.");
    }

    /// <summary>
    /// The report stored earlier under <paramref name="report"/>'s idempotency key, or null; throws when that
    /// report is not this one (another build, type or analysis): a key names one submission.
    /// </summary>
    private async Task<long?> SameKeyReportAsync(DbConnection connection, DbTransaction transaction, NewReport report, CancellationToken cancellationToken)
    {
        var existing = await connection.QuerySingleOrDefaultAsync<KeyedReport>(Command(
            "SELECT id AS Id, build_id AS BuildId, type AS Type, analysis AS Analysis FROM reports WHERE idempotency_key = @key",
            new { key = report.IdempotencyKey },
            transaction,
            cancellationToken)).ConfigureAwait(false);
        if (existing is null)
        {
            return null;
        }

        return existing.BuildId == report.BuildId && existing.Type == report.Type && existing.Analysis == report.Analysis
            ? existing.Id
            : throw new IdempotencyKeyReusedException(report.IdempotencyKey!, existing.Id);
    }

    public async Task<bool> TryLeaseAnalysisAsync(string buildId, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One statement, so two agents racing for the same build cannot both win.
        var changed = await connection.ExecuteAsync(Command(
            """
            INSERT INTO analysis_leases (build_id, holder, expires_at) VALUES (@buildId, @holder, @until)
            ON CONFLICT (build_id) DO UPDATE SET holder = @holder, expires_at = @until
            WHERE analysis_leases.expires_at < @now OR analysis_leases.holder = @holder
            """,
            new { buildId, holder, now = now.ToUnixTimeMilliseconds(), until = until.ToUnixTimeMilliseconds() },
            null,
            cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task AddTestResultsAsync(string buildId, IReadOnlyList<TestCaseResult> results, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<long>(Command("SELECT COUNT(*) FROM builds WHERE id = @buildId", new { buildId }, transaction, cancellationToken)).ConfigureAwait(false);
        if (exists == 0)
        {
            throw new KeyNotFoundException($"Build '{buildId}' does not exist.");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(Command(
            """
            INSERT INTO test_results (build_id, name, suite, outcome, duration_ms, message, created_at)
            VALUES (@buildId, @name, @suite, @outcome, @durationMs, @message, @createdAt)
            """,
            results.Select(r => new
            {
                buildId,
                name = r.Name,
                suite = r.Suite,
                outcome = r.Outcome,
                durationMs = r.DurationSeconds is { } s ? (long?)Math.Round(s * 1000) : null,
                message = r.Message,
                createdAt = now,
            }),
            transaction,
            cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CountTestsAsync(string? project, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (int)await connection.ExecuteScalarAsync<long>(Command(
            "SELECT COUNT(DISTINCT t.name) FROM test_results t JOIN builds b ON b.id = t.build_id WHERE (@project IS NULL OR b.project = @project) AND b.created_at >= @since",
            new { project, since = since.ToUnixTimeMilliseconds() },
            null,
            cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TestCaseResult>> ListTestResultsAsync(string buildId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TestRow>(Command(
            "SELECT name AS Name, suite AS Suite, outcome AS Outcome, duration_ms AS DurationMs, message AS Message FROM test_results WHERE build_id = @buildId ORDER BY id",
            new { buildId }, null, cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new TestCaseResult(r.Name, r.Suite, r.Outcome, r.DurationMs / 1000.0, r.Message))];
    }

    public async Task<IReadOnlyList<FlakyTest>> ListFlakyTestsAsync(string? project, string? branch, DateTimeOffset? since, CancellationToken cancellationToken = default) =>
        FlakyTestRule.Find(await ListTestRunsAsync(project, branch, since, cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<TestRun>> ListTestRunsAsync(string? project, string? branch, DateTimeOffset? since, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RunRow>(Command(
            """
            SELECT t.name AS Name, t.suite AS Suite, t.outcome AS Outcome, b.commit_sha AS CommitSha, b.project AS Project, b.branch AS Branch, b.seq AS Seq, b.created_at AS CreatedAt
            FROM test_results t JOIN builds b ON b.id = t.build_id
            WHERE t.outcome IN ('passed', 'failed') AND (@project IS NULL OR b.project = @project)
              AND (@branch IS NULL OR b.branch = @branch) AND b.created_at >= @since
            ORDER BY t.name, b.project, b.branch, b.seq
            """,
            new { project, branch, since = since?.ToUnixTimeMilliseconds() ?? 0L },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new TestRun(r.Name, r.Suite, r.Outcome, r.CommitSha, r.Project, r.Branch, r.Seq, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)))];
    }

    private sealed class TestRow
    {
        public string Name { get; set; } = "";
        public string? Suite { get; set; }
        public string Outcome { get; set; } = "";
        public long? DurationMs { get; set; }
        public string? Message { get; set; }
    }

    private sealed class RunRow
    {
        public string Name { get; set; } = "";
        public string? Suite { get; set; }
        public string Outcome { get; set; } = "";
        public string? CommitSha { get; set; }
        public string Project { get; set; } = "";
        public string? Branch { get; set; }
        public long Seq { get; set; }
        public long CreatedAt { get; set; }
    }

    public async Task<Report?> GetReportAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ReportRow>(Command(
            $"SELECT {ReportColumns} FROM reports WHERE id = @id", new { id }, null, cancellationToken)).ConfigureAwait(false);
        return row?.ToReport();
    }

    public async Task<(IReadOnlyList<Report> Reports, long Total)> ListReportsAsync(ReportQuery query, CancellationToken cancellationToken = default)
    {
        const string Filter = """
            FROM reports r
            WHERE (@type IS NULL OR r.type = @type) AND (@buildId IS NULL OR r.build_id = @buildId)
              AND (@project IS NULL OR r.project = @project) AND r.confidence >= @minConfidence AND r.created_at >= @since
            """;
        var parameters = new
        {
            type = query.Type,
            buildId = query.BuildId,
            project = query.Project,
            minConfidence = query.MinConfidence ?? 0.0,
            since = query.Since?.ToUnixTimeMilliseconds() ?? 0L,
            limit = (long)query.Limit,
            skip = (long)query.Skip,
        };
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var total = await connection.ExecuteScalarAsync<long>(Command($"SELECT COUNT(*) {Filter}", parameters, transaction, cancellationToken)).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReportRow>(Command(
            $"SELECT {Prefixed(ReportColumns, "r.")} {Filter} ORDER BY r.id DESC LIMIT @limit OFFSET @skip", parameters, transaction, cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ([.. rows.Select(r => r.ToReport())], total);
    }

    public async Task<IReadOnlyList<KnownIssueCandidate>> ListKnownIssueCandidatesAsync(
        IReadOnlyCollection<string> fingerprints, string? excludeBuildId, int limit, CancellationToken cancellationToken = default)
    {
        if (fingerprints.Count == 0)
        {
            return [];
        }

        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The fingerprints are hex strings from our own fingerprinting, bound one parameter each.
        var names = fingerprints.Select((_, i) => $"@f{i}").ToList();
        var parameters = new DynamicParameters(new { exclude = excludeBuildId, limit = (long)limit });
        var index = 0;
        foreach (var fingerprint in fingerprints)
        {
            parameters.Add($"f{index++}", fingerprint);
        }

        // One statement: the newest matching reports (up to KnownIssueWindow), the build after each, whether that build
        // failed the same way, and the best `limit` of them in ReportOutcome.Rank's order (fixed, failed differently,
        // unknown, still failing; then confidence, then newest), so that an old report whose advice worked is not pushed
        // out by newer ones that did not. The next build's fingerprints are compared as an expression (|| '') so that
        // SQLite looks its diagnostics up by build, not by walking every diagnostic that shares the fingerprint.
        parameters.Add("window", (long)Math.Max(limit, KnownIssueWindow));
        var rows = await connection.QueryAsync<CandidateRow>(Command(
            $"""
            WITH matched AS (
                SELECT r.id AS report_id, MIN(d.fingerprint) AS fingerprint
                FROM reports r JOIN diagnostics d ON d.build_id = r.build_id AND d.severity = 'error'
                WHERE r.type = 'failure_analysis' AND d.fingerprint IN ({string.Join(", ", names)}) AND (@exclude IS NULL OR r.build_id <> @exclude)
                GROUP BY r.id
                ORDER BY r.id DESC
                LIMIT @window
            ), followed AS (
                SELECT m.report_id, m.fingerprint, {NextBuildSeq} AS next_seq
                FROM matched m JOIN reports r ON r.id = m.report_id JOIN builds b ON b.id = r.build_id
            ), judged AS (
                SELECT f.report_id, f.fingerprint, n.id AS next_id, n.status AS next_status,
                       CASE WHEN EXISTS (SELECT 1 FROM diagnostics nd WHERE nd.build_id = n.id AND nd.severity = 'error' AND nd.fingerprint || '' = f.fingerprint)
                            THEN 1 ELSE 0 END AS next_repeats
                FROM followed f LEFT JOIN builds n ON n.seq = f.next_seq
            )
            SELECT {Prefixed(ReportColumns, "r.")}, j.fingerprint AS Fingerprint, j.next_id AS NextBuildId, j.next_status AS NextStatus,
                   j.next_repeats AS NextRepeats
            FROM judged j JOIN reports r ON r.id = j.report_id
            ORDER BY CASE WHEN j.next_status = 'success' THEN 0 WHEN j.next_id IS NULL THEN 2 WHEN j.next_repeats = 1 THEN 3 ELSE 1 END,
                     r.confidence DESC, r.id DESC
            LIMIT @limit
            """,
            parameters,
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new KnownIssueCandidate(r.ToReport(), r.Fingerprint, r.NextBuildId, r.NextStatus, r.NextRepeats != 0))];
    }

    public async Task<IReadOnlyList<ReportFollowUp>> ListReportFollowUpsAsync(string? project, DateTimeOffset since, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<FollowUpRow>(Command(
            $"""
            WITH recent AS (
                SELECT r.id, r.confidence, r.build_id, r.created_at FROM reports r
                WHERE r.type = 'failure_analysis' AND (@project IS NULL OR r.project = @project) AND r.created_at >= @since
                ORDER BY r.id DESC
                LIMIT @limit
            ), followed AS (
                SELECT r.id, r.confidence, r.build_id, {NextBuildSeq} AS next_seq
                FROM recent r JOIN builds b ON b.id = r.build_id
            )
            SELECT f.id AS ReportId, f.confidence AS Confidence, n.id AS NextBuildId, n.status AS NextStatus,
                   CASE WHEN EXISTS (SELECT 1 FROM diagnostics a JOIN diagnostics z ON z.fingerprint || '' = a.fingerprint
                                     WHERE a.build_id = f.build_id AND a.severity = 'error' AND z.build_id = n.id AND z.severity = 'error')
                        THEN 1 ELSE 0 END AS NextRepeats
            FROM followed f LEFT JOIN builds n ON n.seq = f.next_seq
            ORDER BY f.id DESC
            """,
            new { project, since = since.ToUnixTimeMilliseconds(), limit = (long)limit },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new ReportFollowUp(r.ReportId, r.Confidence, r.NextBuildId, r.NextStatus, r.NextRepeats != 0))];
    }

    public async Task<IReadOnlyList<Build>> ListUnanalyzedBuildsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BuildRow>(Command(
            $"""
            SELECT {BuildColumns} FROM builds b
            WHERE b.status IN ('failed', 'error', 'timeout')
              AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.build_id = b.id AND r.type = 'failure_analysis')
              AND NOT EXISTS (SELECT 1 FROM analysis_leases l WHERE l.build_id = b.id AND l.expires_at >= @now)
            ORDER BY b.seq DESC
            LIMIT @limit
            """,
            new { now = now.ToUnixTimeMilliseconds(), limit = (long)limit },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToBuild())];
    }

    public async Task<IReadOnlyList<Build>> ListFinishedSinceAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BuildRow>(Command(
            $"""
            SELECT {BuildColumns} FROM builds
            WHERE finished_at >= @since AND status IN ('success', 'failed', 'error', 'timeout', 'cancelled')
            ORDER BY finished_at, seq
            LIMIT @limit
            """,
            new { since = since.ToUnixTimeMilliseconds(), limit = (long)limit },
            null,
            cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToBuild())];
    }

    public async Task<Build?> FindNextFinishedBuildAsync(string project, string? branch, DateTimeOffset after, string? excludeBuildId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<BuildRow>(Command(
            $"""
            SELECT {BuildColumns} FROM builds
            WHERE project = @project AND (branch = @branch OR (@branch IS NULL AND branch IS NULL))
              AND created_at >= @after AND (@exclude IS NULL OR id <> @exclude) AND status IN ('success', 'failed', 'error', 'timeout')
            ORDER BY seq LIMIT 1
            """,
            new { project, branch, after = after.ToUnixTimeMilliseconds(), exclude = excludeBuildId },
            null,
            cancellationToken)).ConfigureAwait(false);
        return row?.ToBuild();
    }

    public async Task<Build?> FindLastSuccessBeforeAsync(string project, string? branch, DateTimeOffset before, string? excludeBuildId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var id = await connection.ExecuteScalarAsync<string?>(Command(
            """
            SELECT id FROM builds
            WHERE project = @project AND (branch = @branch OR (@branch IS NULL AND branch IS NULL))
              AND created_at <= @before AND (@exclude IS NULL OR id <> @exclude) AND status = 'success'
            ORDER BY seq DESC LIMIT 1
            """,
            new { project, branch, before = before.ToUnixTimeMilliseconds(), exclude = excludeBuildId },
            null,
            cancellationToken)).ConfigureAwait(false);
        return id is null ? null : await GetBuildAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListErrorFingerprintsAsync(string buildId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<string>(Command(
            "SELECT DISTINCT fingerprint FROM diagnostics WHERE build_id = @buildId AND severity = 'error'", new { buildId }, null, cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    private static string Prefixed(string columns, string prefix) =>
        string.Join(", ", columns.Split(", ").Select(c => prefix + c));

    private sealed class CandidateRow : ReportRow
    {
        public string Fingerprint { get; set; } = "";
        public string? NextBuildId { get; set; }
        public string? NextStatus { get; set; }
        public long NextRepeats { get; set; }
    }

    private sealed class FollowUpRow
    {
        public long ReportId { get; set; }
        public double Confidence { get; set; }
        public string? NextBuildId { get; set; }
        public string? NextStatus { get; set; }
        public long NextRepeats { get; set; }
    }

    public async Task<IReadOnlyList<Report>> ListReportsAsync(string buildId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReportRow>(Command(
            $"SELECT {ReportColumns} FROM reports WHERE build_id = @buildId ORDER BY id", new { buildId }, null, cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToReport())];
    }

    private static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    public void Dispose() => (dialect as IDisposable)?.Dispose();

    private static DateTimeOffset? FromMillis(long? value) =>
        value is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private sealed class BuildRow
    {
        public long Seq { get; set; }
        public string Id { get; set; } = "";
        public string Status { get; set; } = "";
        public string Project { get; set; } = "";
        public string Source { get; set; } = "";
        public string? Profile { get; set; }
        public string? Command { get; set; }
        public long CreatedAt { get; set; }
        public long? StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public long? ExitCode { get; set; }
        public string? Reason { get; set; }
        public long LogChars { get; set; }
        public string? Summary { get; set; }
        public string? Branch { get; set; }
        public string? Category { get; set; }
        public long Redactions { get; set; }
        public string? Analysis { get; set; }
        public string? CommitSha { get; set; }
        public string? CommitMessage { get; set; }
        public string? Author { get; set; }
        public string? CiProvider { get; set; }
        public string? JobName { get; set; }
        public string? JobUrl { get; set; }
        public string? TriggerEvent { get; set; }

        public Build ToBuild() => new()
        {
            Id = Id,
            Status = Status,
            Project = Project,
            Source = Source,
            Profile = Profile,
            Command = Command,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            StartedAt = FromMillis(StartedAt),
            FinishedAt = FromMillis(FinishedAt),
            ExitCode = ExitCode is { } code ? (int)code : null,
            Reason = Reason,
            LogChars = LogChars,
            Summary = Summary is null ? null : JsonSerializer.Deserialize(Summary, StorageJson.Default.LogSummary),
            Branch = Branch,
            Category = Category,
            Redactions = Redactions,
            Origin = new BuildOrigin(CommitSha, CommitMessage, Author, CiProvider, JobName, JobUrl, TriggerEvent),
            Analysis = Analysis is null ? null : JsonSerializer.Deserialize(Analysis, StorageJson.Default.LogAnalysis),
        };
    }

    private sealed class IngestState
    {
        public long Seq { get; set; }
        public string Status { get; set; } = "";
    }

    private sealed class PatternRow
    {
        public string Fingerprint { get; set; } = "";
        public string Template { get; set; } = "";
        public string Severity { get; set; } = "";
        public string? Tool { get; set; }
        public string? Code { get; set; }
        public long Occurrences { get; set; }
        public long Builds { get; set; }
        public long FirstSeen { get; set; }
        public long LastSeen { get; set; }
        public string Example { get; set; } = "";
        public string ExampleBuildId { get; set; } = "";
    }

    private class ReportRow
    {
        public long Id { get; set; }
        public string? BuildId { get; set; }
        public string Project { get; set; } = "";
        public string Type { get; set; } = "";
        public string Analysis { get; set; } = "";
        public string Recommendations { get; set; } = "[]";
        public double Confidence { get; set; }
        public string? SessionId { get; set; }
        public long CreatedAt { get; set; }
        public string? SubmittedBy { get; set; }
        public string? RootCause { get; set; }
        public string? AffectedFiles { get; set; }
        public string? Category { get; set; }
        public string? Model { get; set; }
        public long? InputTokens { get; set; }
        public long? OutputTokens { get; set; }

        public Report ToReport() => new()
        {
            Id = Id,
            BuildId = BuildId,
            Project = Project,
            Type = Type,
            Analysis = Analysis,
            Recommendations = JsonSerializer.Deserialize(Recommendations, StorageJson.Default.ListString) ?? [],
            Confidence = Confidence,
            SessionId = SessionId,
            SubmittedBy = SubmittedBy,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            Details = new ReportDetails
            {
                RootCause = RootCause,
                AffectedFiles = AffectedFiles is null ? [] : JsonSerializer.Deserialize(AffectedFiles, StorageJson.Default.ListAffectedFile) ?? [],
                Category = Category,
                Model = Model,
                InputTokens = InputTokens,
                OutputTokens = OutputTokens,
            },
        };
    }
}

internal sealed record KeyedReport(long Id, string? BuildId, string Type, string Analysis);
