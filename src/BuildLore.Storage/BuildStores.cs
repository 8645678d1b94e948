using BuildLore.Core.Storage;

namespace BuildLore.Storage;

/// <summary>Creates the configured store.</summary>
public static class BuildStores
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>The embedded store: a SQLite file (created with its folder if missing).</summary>
    public static IBuildStore CreateSqlite(string databaseFile) =>
        new SqlBuildStore(new SqliteDialect($"Data Source={databaseFile}"));

    /// <summary>
    /// A store for <paramref name="provider"/> (<c>sqlite</c> or <c>postgres</c>) with an ADO.NET
    /// connection string (for SQLite, <c>Data Source=path</c>).
    /// </summary>
    public static IBuildStore Create(string provider, string connectionString) => provider.ToLowerInvariant() switch
    {
        Sqlite => new SqlBuildStore(new SqliteDialect(connectionString)),
        Postgres or "postgresql" or "npgsql" => new SqlBuildStore(new PostgresDialect(connectionString)),
        _ => throw new ArgumentException($"Unknown store provider '{provider}'. Use '{Sqlite}' or '{Postgres}'.", nameof(provider)),
    };

    /// <summary>Guesses the provider from a connection string: PostgreSQL ones name a host.</summary>
    public static string InferProvider(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase)
            ? Postgres
            : Sqlite;
}
