using System.Data.Common;
using BuildLore.Core.Storage;
using BuildLore.Tests;
using Microsoft.Data.Sqlite;

namespace BuildLore.Storage.Tests;

/// <summary>
/// A migrated store on a database of its own: a SQLite file in a temp folder, or a fresh database
/// on the shared PostgreSQL server. Tests take the provider name as theory data so every behaviour
/// is checked on both.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly List<IBuildStore> _opened = [];
    private readonly TempDirectory? _folder;

    private TestStore(string provider, string connectionString, TempDirectory? folder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _folder = folder;
        Store = Open();
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The store under test, migrated unless asked otherwise.</summary>
    public IBuildStore Store { get; }

    /// <summary>The SQLite file, for SQLite stores.</summary>
    public string? DatabaseFile { get; private init; }

    /// <param name="provider"><c>sqlite</c> or <c>postgres</c>.</param>
    /// <param name="migrate">False to get an empty database, for tests of migration itself.</param>
    public static async Task<TestStore> CreateAsync(string provider, bool migrate = true)
    {
        TestStore store;
        switch (provider)
        {
            case BuildStores.Sqlite:
                var folder = new TempDirectory("buildlore-store");
                var file = folder.Combine("data", "buildlore.db");
                store = new TestStore(provider, $"Data Source={file}", folder) { DatabaseFile = file };
                break;
            case BuildStores.Postgres:
                store = new TestStore(provider, await PostgresServer.Shared.CreateDatabaseAsync(), folder: null);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider.");
        }

        if (migrate)
        {
            await store.Store.MigrateAsync();
        }

        return store;
    }

    /// <summary>Another, independent store over the same database (not yet migrated), as after a restart.</summary>
    public IBuildStore Open()
    {
        var store = BuildStores.Create(Provider, ConnectionString);
        _opened.Add(store);
        return store;
    }

    /// <summary>A raw connection to the same database, to look at what the store wrote.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = Provider == BuildStores.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString())
            : new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// Drops every idle pooled SQLite connection, so the next store really opens the file again
    /// instead of reusing what an earlier instance left behind.
    /// </summary>
    public static void ForgetPooledSqliteConnections() => SqliteConnection.ClearAllPools();

    public ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            (store as IDisposable)?.Dispose();
        }

        if (_folder is not null)
        {
            // Pooled connections keep the file open; release them before removing the folder.
            ForgetPooledSqliteConnections();
            _folder.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
