using System.Data.Common;

namespace BuildLore.Storage;

/// <summary>What differs between the SQL databases BuildLore runs on; the queries themselves are shared.</summary>
internal abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>Opens a connection ready for use (pragmas applied).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Schema versions in order; each script brings the schema from the previous version to its own.</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>
    /// SQL that is true when two nullable columns hold the same value or are both null, written so the
    /// database can still use an index on <paramref name="left"/>.
    /// </summary>
    public abstract string SameValue(string left, string right);

    /// <summary>Serializes migrations across processes sharing the database (no-op where the database does it).</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
}
