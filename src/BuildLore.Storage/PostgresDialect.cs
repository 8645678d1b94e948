using System.Data.Common;
using Dapper;
using Npgsql;

namespace BuildLore.Storage;

/// <summary>
/// PostgreSQL, for teams that outgrow one machine: several BuildLore servers can share one database.
/// </summary>
internal sealed class PostgresDialect(string connectionString) : SqlDialect, IDisposable
{
    // Arbitrary constant that names BuildLore's migration lock among other advisory locks.
    private const long MigrationLockKey = 0x4275_696C_644C_6F72;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Name => "postgres";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    // IS NOT DISTINCT FROM cannot use an index; equality or both null can (as two index conditions).
    public override string SameValue(string left, string right) => $"({left} = {right} OR ({left} IS NULL AND {right} IS NULL))";

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction, cancellationToken: cancellationToken));

    public override IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE builds (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            project TEXT NOT NULL,
            source TEXT NOT NULL,
            profile TEXT NULL,
            command TEXT NULL,
            created_at BIGINT NOT NULL,
            started_at BIGINT NULL,
            finished_at BIGINT NULL,
            exit_code BIGINT NULL,
            reason TEXT NULL,
            log_chars BIGINT NOT NULL DEFAULT 0,
            log_chunks BIGINT NOT NULL DEFAULT 0,
            summary TEXT NULL
        );
        CREATE INDEX builds_status ON builds (status);
        CREATE TABLE log_chunks (
            build_id TEXT NOT NULL REFERENCES builds (id),
            seq BIGINT NOT NULL,
            chars BIGINT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (build_id, seq)
        );
        CREATE TABLE reports (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            build_id TEXT NOT NULL REFERENCES builds (id),
            type TEXT NOT NULL,
            analysis TEXT NOT NULL,
            recommendations TEXT NOT NULL,
            confidence DOUBLE PRECISION NOT NULL,
            session_id TEXT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX reports_build ON reports (build_id, id);
        """,
        """
        ALTER TABLE builds ADD COLUMN branch TEXT NULL;
        ALTER TABLE builds ADD COLUMN category TEXT NULL;
        ALTER TABLE builds ADD COLUMN analysis TEXT NULL;
        ALTER TABLE builds ADD COLUMN redactions BIGINT NOT NULL DEFAULT 0;
        CREATE TABLE diagnostics (
            build_id TEXT NOT NULL REFERENCES builds (id),
            seq BIGINT NOT NULL,
            severity TEXT NOT NULL,
            tool TEXT NULL,
            file TEXT NULL,
            line BIGINT NULL,
            col BIGINT NULL,
            code TEXT NULL,
            message TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            template TEXT NOT NULL,
            log_line BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (build_id, seq)
        );
        CREATE INDEX diagnostics_fingerprint ON diagnostics (fingerprint, created_at);
        CREATE INDEX diagnostics_created ON diagnostics (created_at);
        """,
        """
        ALTER TABLE builds ADD COLUMN commit_sha TEXT NULL;
        ALTER TABLE builds ADD COLUMN commit_message TEXT NULL;
        ALTER TABLE builds ADD COLUMN author TEXT NULL;
        ALTER TABLE builds ADD COLUMN ci_provider TEXT NULL;
        ALTER TABLE builds ADD COLUMN job_name TEXT NULL;
        ALTER TABLE builds ADD COLUMN job_url TEXT NULL;
        ALTER TABLE builds ADD COLUMN ingest_seq BIGINT NOT NULL DEFAULT 0;
        """,
        """
        CREATE TABLE analysis_leases (
            build_id TEXT PRIMARY KEY REFERENCES builds (id),
            holder TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        );
        """,
        """
        CREATE TABLE test_results (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            build_id TEXT NOT NULL REFERENCES builds (id),
            name TEXT NOT NULL,
            suite TEXT NULL,
            outcome TEXT NOT NULL,
            duration_ms BIGINT NULL,
            message TEXT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX test_results_build ON test_results (build_id);
        CREATE INDEX test_results_name ON test_results (name);
        """,
        """
        ALTER TABLE reports ADD COLUMN idempotency_key TEXT NULL;
        CREATE UNIQUE INDEX reports_idempotency_key ON reports (idempotency_key);
        """,
        """
        ALTER TABLE builds ADD COLUMN last_activity BIGINT NULL;
        """,
        """
        ALTER TABLE builds ADD COLUMN trigger_event TEXT NULL;
        ALTER TABLE log_chunks ADD COLUMN line_times BYTEA NULL;
        """,
        """
        ALTER TABLE log_chunks ADD COLUMN packed BYTEA NULL;
        """,
        """
        ALTER TABLE reports ALTER COLUMN build_id DROP NOT NULL;
        ALTER TABLE reports ADD COLUMN project TEXT NULL;
        UPDATE reports r SET project = b.project FROM builds b WHERE b.id = r.build_id;
        ALTER TABLE reports ALTER COLUMN project SET NOT NULL;
        ALTER TABLE reports
            ADD COLUMN submitted_by TEXT NULL,
            ADD COLUMN root_cause TEXT NULL,
            ADD COLUMN affected_files TEXT NULL,
            ADD COLUMN category TEXT NULL,
            ADD COLUMN model TEXT NULL,
            ADD COLUMN input_tokens BIGINT NULL,
            ADD COLUMN output_tokens BIGINT NULL;
        CREATE INDEX reports_project ON reports (project, type, id);
        CREATE INDEX builds_project_branch_created ON builds (project, branch, created_at);
        CREATE INDEX builds_finished ON builds (finished_at);
        """,
        // The runner's process group of a build while it runs, with what tells it apart from a reused pid.
        """
        ALTER TABLE builds ADD COLUMN process_group BIGINT NULL;
        ALTER TABLE builds ADD COLUMN process_guard TEXT NULL;
        """,
    ];

    public void Dispose() => _dataSource.Dispose();
}
