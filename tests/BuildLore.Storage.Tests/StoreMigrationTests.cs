using System.Data.Common;
using System.Globalization;
using BuildLore.Core.Builds;
using BuildLore.Core.Logs;
using BuildLore.Core.Reports;
using Microsoft.Data.Sqlite;

namespace BuildLore.Storage.Tests;

public class StoreMigrationTests
{
    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task Migrate_RunAgainAndFromAnotherInstance_ChangesNothing(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var build = await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        await fixture.Store.MigrateAsync();
        var second = fixture.Open();
        await second.MigrateAsync();
        await second.MigrateAsync();

        Assert.Equal(build, await second.GetBuildAsync(build.Id));
        var (rows, distinct, max) = await ReadSchemaVersionsAsync(fixture);
        Assert.Equal(rows, distinct);
        Assert.Equal(MigrationCount(fixture), max);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task Migrate_FromSeveralInstancesAtOnce_AppliesEachVersionOnce(string provider)
    {
        // Several servers may start together against one database.
        await using var fixture = await TestStore.CreateAsync(provider, migrate: false);
        var stores = Enumerable.Range(0, 4).Select(_ => fixture.Open()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync())));

        var (rows, distinct, max) = await ReadSchemaVersionsAsync(fixture);
        Assert.Equal(rows, distinct);
        Assert.Equal(MigrationCount(fixture), max);
        var build = await stores[0].CreateBuildAsync(new NewBuild("app", "runner"));
        Assert.NotNull(await stores[3].GetBuildAsync(build.Id));
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task Store_ReopenedOverTheSameDatabase_SeesEverythingWrittenBefore(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var first = fixture.Store;
        var build = await first.CreateBuildAsync(new NewBuild("app", "runner", "default", "make all"));
        var started = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        Assert.True(await first.MarkRunningAsync(build.Id, started));
        await first.AppendLogAsync(build.Id, "compiling\n");
        await first.AppendLogAsync(build.Id, "error CS1002: ; expected\n");
        var summary = new LogSummary(2, 1, 0, ["error CS1002: ; expected"], []);
        var finished = started.AddSeconds(42);
        Assert.True(await first.FinishBuildAsync(build.Id, new BuildCompletion(BuildStatus.Failed, 1, null, summary, finished)));
        var reportId = await first.AddReportAsync(new NewReport(build.Id, ReportType.FailureAnalysis, "missing semicolon", ["add ;"], 0.9, "s-1"));

        // A restart: the first instance is gone and nothing of it is reused.
        ((IDisposable)first).Dispose();
        TestStore.ForgetPooledSqliteConnections();
        var second = fixture.Open();
        await second.MigrateAsync();

        var reloaded = await second.GetBuildAsync(build.Id);
        Assert.NotNull(reloaded);
        Assert.Equal(BuildStatus.Failed, reloaded.Status);
        Assert.Equal("make all", reloaded.Command);
        Assert.Equal(started, reloaded.StartedAt);
        Assert.Equal(finished, reloaded.FinishedAt);
        Assert.Equal(1, reloaded.ExitCode);
        Assert.Equal(["error CS1002: ; expected"], reloaded.Summary?.Errors);
        Assert.Equal("compiling\nerror CS1002: ; expected\n", string.Concat(await second.ReadLogAsync(build.Id).ToListAsync()));
        var report = Assert.Single(await second.ListReportsAsync(build.Id));
        Assert.Equal(reportId, report.Id);
        Assert.Equal(1, (await second.ListBuildsAsync(0, 10)).Total);
    }

    [Fact]
    public async Task Sqlite_KeepsItsFileInWriteAheadLogMode()
    {
        await using var fixture = await TestStore.CreateAsync(BuildStores.Sqlite);
        await fixture.Store.CreateBuildAsync(new NewBuild("app", "runner"));

        // journal_mode=WAL is stored in the file, so a plain connection that sets nothing reports it.
        await using var connection = new SqliteConnection($"Data Source={fixture.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    private static async Task<(long Rows, long Distinct, long Max)> ReadSchemaVersionsAsync(TestStore fixture)
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_version";
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
    }

    private static int MigrationCount(TestStore fixture)
    {
        if (fixture.Provider == BuildStores.Sqlite)
        {
            return new SqliteDialect(fixture.ConnectionString).Migrations.Count;
        }

        using var dialect = new PostgresDialect(fixture.ConnectionString);
        return dialect.Migrations.Count;
    }
}
