using System.Globalization;
using BuildLore.Core.Builds;

namespace BuildLore.Storage.Tests;

/// <summary>Line times stored beside log chunks, and the build's trigger; schema version 8.</summary>
public class LineTimesStoreTests
{
    private static async Task<List<(string Text, List<long>? Times)>> ReadAsync(Core.Storage.IBuildStore store, string id, int linesPerPiece)
    {
        var pieces = new List<(string, List<long>?)>();
        await foreach (var (text, times) in store.ReadLogWithTimesAsync(id))
        {
            if (times is null)
            {
                pieces.Add((text, null));
                continue;
            }

            var cursor = times.GetCursor();
            var read = new List<long>();
            for (var i = 0; i < linesPerPiece && cursor.Next() is { } time; i++)
            {
                read.Add(time.ToUnixTimeMilliseconds());
            }

            pieces.Add((text, read));
        }

        return pieces;
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task AppendLog_KeepsTheLineTimesBesideEachChunk_AndTheTextAsItWas(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var store = fixture.Store;
        var runner = await store.CreateBuildAsync(new NewBuild("app", "runner", Status: BuildStatus.Running));
        var pushed = await store.CreateBuildAsync(new NewBuild("app", "ci", Status: BuildStatus.Running));

        await store.AppendLogAsync(runner.Id, "one\ntwo\n", LineTimes.PerLine([1_700_000_000_000, 1_700_000_000_800]));
        await store.AppendLogAsync(runner.Id, "three\n");
        await store.AppendLogChunkAsync(pushed.Id, 1, "a\nb\n", LineTimes.Uniform(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_005_000)));

        var runnerPieces = await ReadAsync(store, runner.Id, 2);
        var pushedPieces = await ReadAsync(store, pushed.Id, 2);

        Assert.Equal("one\ntwo\n", runnerPieces[0].Text);
        Assert.Equal([1_700_000_000_000, 1_700_000_000_800], runnerPieces[0].Times!);
        Assert.Equal("three\n", runnerPieces[1].Text);
        Assert.Null(runnerPieces[1].Times);
        Assert.Equal([1_700_000_005_000, 1_700_000_005_000], Assert.Single(pushedPieces).Times!);
        Assert.Equal("one\ntwo\nthree\n", string.Concat(await store.ReadLogAsync(runner.Id).ToListAsync()));
        Assert.Equal(14, (await store.GetBuildAsync(runner.Id))!.LogChars);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task CreateBuild_KeepsItsTrigger(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider);
        var origin = new BuildOrigin("3f2a9c1", "Fix the parser", "Ada", "github-actions", "build", "https://ci.example/run/1", BuildTrigger.PullRequest);

        var created = await fixture.Store.CreateBuildAsync(new NewBuild("app", "ci", Branch: "main") { Origin = origin });

        Assert.Equal(BuildTrigger.PullRequest, (await fixture.Store.GetBuildAsync(created.Id))!.Origin.Trigger);
        Assert.Equal(BuildTrigger.PullRequest, Assert.Single((await fixture.Store.ListBuildsAsync(0, 10)).Builds).Origin.Trigger);
    }

    [Theory]
    [InlineData(BuildStores.Sqlite)]
    [InlineData(BuildStores.Postgres)]
    public async Task Migrate_FromVersion7_KeepsOldChunksWithoutTimesAndStoresNewOnesWithThem(string provider)
    {
        await using var fixture = await TestStore.CreateAsync(provider, migrate: false);
        var migrations = provider == BuildStores.Sqlite
            ? new SqliteDialect(fixture.ConnectionString).Migrations
            : new PostgresDialect(fixture.ConnectionString).Migrations;
        await using (var connection = await fixture.OpenConnectionAsync())
        {
            // A database as the previous release left it: schema version 7, one build with a chunk.
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL);\n" +
                string.Join(";\n", migrations.Take(7).Select((sql, i) => $"{sql.TrimEnd().TrimEnd(';')};\nINSERT INTO schema_version (version) VALUES ({(i + 1).ToString(CultureInfo.InvariantCulture)})")) +
                ";\nINSERT INTO builds (id, status, project, source, created_at) VALUES ('old', 'running', 'app', 'ci', 1700000000000);" +
                "\nINSERT INTO log_chunks (build_id, seq, chars, text) VALUES ('old', 0, 4, 'old\n');" +
                "\nUPDATE builds SET log_chunks = 1, log_chars = 4 WHERE id = 'old';";
            await command.ExecuteNonQueryAsync();
        }

        await fixture.Store.MigrateAsync();
        await fixture.Store.AppendLogAsync("old", "new\n", LineTimes.PerLine([1_700_000_000_500]));

        var pieces = await ReadAsync(fixture.Store, "old", 1);
        Assert.Equal([("old\n", (List<long>?)null), ("new\n", [1_700_000_000_500])], pieces.Select(p => (p.Text, p.Times)).ToList(), new PieceComparer());
        Assert.Null((await fixture.Store.GetBuildAsync("old"))!.Origin.Trigger);
    }

    private sealed class PieceComparer : IEqualityComparer<(string Text, List<long>? Times)>
    {
        public bool Equals((string Text, List<long>? Times) x, (string Text, List<long>? Times) y) =>
            x.Text == y.Text && (x.Times is null ? y.Times is null : y.Times is not null && x.Times.SequenceEqual(y.Times));

        public int GetHashCode((string Text, List<long>? Times) obj) => obj.Text.GetHashCode(StringComparison.Ordinal);
    }
}
