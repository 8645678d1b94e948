using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace BuildLore.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a committed write
/// survives a crash or power loss, and readers never block the writer.
/// </summary>
internal sealed class SqliteDialect : SqlDialect, IDisposable
{
    private readonly string _connectionString;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:")
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
        }

        _connectionString = builder.ToString();
    }

    public override string Name => "sqlite";

    /// <summary>Closes the pooled connections, releasing the database file.</summary>
    public void Dispose() => SqliteConnection.ClearPool(new SqliteConnection(_connectionString));

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return connection;
    }

    // SQLite's IS compares nulls as equal and can use an index; an OR of the two cases cannot.
    public override string SameValue(string left, string right) => $"{left} IS {right}";

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask; // SQLite allows one writer at a time already.

    public override IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE builds (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            project TEXT NOT NULL,
            source TEXT NOT NULL,
            profile TEXT NULL,
            command TEXT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER NULL,
            finished_at INTEGER NULL,
            exit_code INTEGER NULL,
            reason TEXT NULL,
            log_chars INTEGER NOT NULL DEFAULT 0,
            log_chunks INTEGER NOT NULL DEFAULT 0,
            summary TEXT NULL
        );
        CREATE INDEX builds_status ON builds (status);
        CREATE TABLE log_chunks (
            build_id TEXT NOT NULL REFERENCES builds (id),
            seq INTEGER NOT NULL,
            chars INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (build_id, seq)
        );
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            build_id TEXT NOT NULL REFERENCES builds (id),
            type TEXT NOT NULL,
            analysis TEXT NOT NULL,
            recommendations TEXT NOT NULL,
            confidence REAL NOT NULL,
            session_id TEXT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX reports_build ON reports (build_id, id);
        """,
        """
        ALTER TABLE builds ADD COLUMN branch TEXT NULL;
        ALTER TABLE builds ADD COLUMN category TEXT NULL;
        ALTER TABLE builds ADD COLUMN analysis TEXT NULL;
        ALTER TABLE builds ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE diagnostics (
            build_id TEXT NOT NULL REFERENCES builds (id),
            seq INTEGER NOT NULL,
            severity TEXT NOT NULL,
            tool TEXT NULL,
            file TEXT NULL,
            line INTEGER NULL,
            col INTEGER NULL,
            code TEXT NULL,
            message TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            template TEXT NOT NULL,
            log_line INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
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
        ALTER TABLE builds ADD COLUMN ingest_seq INTEGER NOT NULL DEFAULT 0;
        """,
        """
        CREATE TABLE analysis_leases (
            build_id TEXT PRIMARY KEY REFERENCES builds (id),
            holder TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE test_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            build_id TEXT NOT NULL REFERENCES builds (id),
            name TEXT NOT NULL,
            suite TEXT NULL,
            outcome TEXT NOT NULL,
            duration_ms INTEGER NULL,
            message TEXT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX test_results_build ON test_results (build_id);
        CREATE INDEX test_results_name ON test_results (name);
        """,
        """
        ALTER TABLE reports ADD COLUMN idempotency_key TEXT NULL;
        CREATE UNIQUE INDEX reports_idempotency_key ON reports (idempotency_key);
        """,
        """
        ALTER TABLE builds ADD COLUMN last_activity INTEGER NULL;
        """,
        """
        ALTER TABLE builds ADD COLUMN trigger_event TEXT NULL;
        ALTER TABLE log_chunks ADD COLUMN line_times BLOB NULL;
        """,
        """
        ALTER TABLE log_chunks ADD COLUMN packed BLOB NULL;
        """,
        // SQLite cannot drop NOT NULL from build_id in place, so the reports table is rebuilt; nothing references it.
        """
        CREATE TABLE reports_rebuilt (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            build_id TEXT NULL REFERENCES builds (id),
            project TEXT NOT NULL,
            type TEXT NOT NULL,
            analysis TEXT NOT NULL,
            recommendations TEXT NOT NULL,
            confidence REAL NOT NULL,
            session_id TEXT NULL,
            created_at INTEGER NOT NULL,
            idempotency_key TEXT NULL,
            submitted_by TEXT NULL,
            root_cause TEXT NULL,
            affected_files TEXT NULL,
            category TEXT NULL,
            model TEXT NULL,
            input_tokens INTEGER NULL,
            output_tokens INTEGER NULL
        );
        INSERT INTO reports_rebuilt (id, build_id, project, type, analysis, recommendations, confidence, session_id, created_at, idempotency_key)
        SELECT r.id, r.build_id, b.project, r.type, r.analysis, r.recommendations, r.confidence, r.session_id, r.created_at, r.idempotency_key
        FROM reports r JOIN builds b ON b.id = r.build_id;
        DROP TABLE reports;
        ALTER TABLE reports_rebuilt RENAME TO reports;
        CREATE INDEX reports_build ON reports (build_id, id);
        CREATE UNIQUE INDEX reports_idempotency_key ON reports (idempotency_key);
        CREATE INDEX reports_project ON reports (project, type, id);
        CREATE INDEX builds_project_branch_created ON builds (project, branch, created_at);
        CREATE INDEX builds_finished ON builds (finished_at);
        """,
        // The runner's process group of a build while it runs, with what tells it apart from a reused pid.
        """
        ALTER TABLE builds ADD COLUMN process_group INTEGER NULL;
        ALTER TABLE builds ADD COLUMN process_guard TEXT NULL;
        """,
    ];
}
