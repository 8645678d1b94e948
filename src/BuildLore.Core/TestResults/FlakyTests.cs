namespace BuildLore.Core.TestResults;

/// <summary>One run of one test in one build, as the flaky-test rule reads it.</summary>
public sealed record TestRun(string Name, string? Suite, string Outcome, string? CommitSha, string Project, string? Branch, long BuildSeq, DateTimeOffset CreatedAt);

/// <summary>The files changed between two commits; null when that cannot be told.</summary>
public delegate Task<IReadOnlyList<string>?> ChangedFilesLookup(string fromCommit, string toCommit, CancellationToken cancellationToken);

/// <summary>
/// Which tests are flaky: a test that passed and failed on the same commit, or whose outcome flipped
/// between consecutive builds of a project and branch without a related change: the commit is the same,
/// or the files changed between the two commits are known and none of them touches the test.
/// </summary>
/// <remarks>
/// Which code a test runs is not known, so a changed file touches every test unless it is plainly not code
/// (documentation, text, images, licences: see <see cref="MayAffect"/>), and a file whose name appears in
/// the test's name or suite touches it whatever it is. A flip over a commit whose changed files are not
/// known (no commit recorded, or not in the workspace's repository) is taken as related: a break and its
/// fix are not flakiness. <see cref="FlakyTest.Flips"/> and the flip rate count every flip.
/// </remarks>
public static class FlakyTestRule
{
    /// <summary>The most changed files a lookup returns; a list that long may be cut, so it proves nothing.</summary>
    public const int MaxChangedFiles = 500;

    private static readonly string[] NotCodeExtensions =
        [".md", ".markdown", ".rst", ".adoc", ".txt", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp"];

    private static readonly string[] NotCodeNames =
        ["LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "CONTRIBUTORS", "CHANGELOG", "CHANGES", "CODEOWNERS", ".gitignore", ".gitattributes", ".mailmap"];

    /// <summary>The rule with commits only (no changed files known).</summary>
    public static IReadOnlyList<FlakyTest> Find(IEnumerable<TestRun> runs) =>
        FindAsync(runs, null, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The rule, asking <paramref name="changedFiles"/> what changed between the commits of a flip.</summary>
    public static async Task<IReadOnlyList<FlakyTest>> FindAsync(IEnumerable<TestRun> runs, ChangedFilesLookup? changedFiles, CancellationToken cancellationToken = default)
    {
        var changes = new Dictionary<(string, string), IReadOnlyList<string>?>();
        var flaky = new List<FlakyTest>();
        foreach (var test in runs.Where(r => r.Outcome is TestOutcome.Passed or TestOutcome.Failed).GroupBy(r => r.Name, StringComparer.Ordinal))
        {
            var all = test.OrderBy(r => r.BuildSeq).ToList();
            var sameCommit = all.Where(r => r.CommitSha is not null).GroupBy(r => r.CommitSha, StringComparer.Ordinal).Any(g => g.Select(r => r.Outcome).Distinct().Count() > 1);
            var flips = 0;
            var unrelatedFlips = 0;
            // Flips are counted along each project and branch's own history, in build order.
            foreach (var history in all.GroupBy(r => (r.Project, r.Branch)))
            {
                var list = history.ToList();
                for (var i = 1; i < list.Count; i++)
                {
                    var (before, after) = (list[i - 1], list[i]);
                    if (before.Outcome == after.Outcome)
                    {
                        continue;
                    }

                    flips++;
                    if (await IsUnrelatedAsync(before, after, changedFiles, changes, cancellationToken).ConfigureAwait(false))
                    {
                        unrelatedFlips++;
                    }
                }
            }

            if (sameCommit || unrelatedFlips > 0)
            {
                flaky.Add(new FlakyTest(test.Key, all.Count, all.Count(r => r.Outcome == TestOutcome.Failed), flips,
                    all.Count > 1 ? Math.Round((double)flips / (all.Count - 1), 2) : 0, sameCommit, all.Max(r => r.CreatedAt)));
            }
        }

        return [.. flaky.OrderByDescending(f => f.FlipRate).ThenByDescending(f => f.LastSeen)];
    }

    private static async Task<bool> IsUnrelatedAsync(TestRun before, TestRun after, ChangedFilesLookup? changedFiles,
        Dictionary<(string, string), IReadOnlyList<string>?> changes, CancellationToken cancellationToken)
    {
        if (before.CommitSha is null || after.CommitSha is null)
        {
            return false;
        }

        if (string.Equals(before.CommitSha, after.CommitSha, StringComparison.Ordinal))
        {
            return true;
        }

        if (changedFiles is null)
        {
            return false;
        }

        if (!changes.TryGetValue((before.CommitSha, after.CommitSha), out var files))
        {
            files = await changedFiles(before.CommitSha, after.CommitSha, cancellationToken).ConfigureAwait(false);
            changes[(before.CommitSha, after.CommitSha)] = files;
        }

        return files is { Count: < MaxChangedFiles } && !files.Any(f => Touches(f, after));
    }

    /// <summary>Whether a change to <paramref name="file"/> may change how the test runs.</summary>
    public static bool Touches(string file, TestRun test) => MayAffect(file) || NamedIn(file, test);

    /// <summary>False for files that are plainly not code: documentation, text, images, licences.</summary>
    public static bool MayAffect(string file)
    {
        var name = Path.GetFileName(file);
        if (file.StartsWith("docs/", StringComparison.Ordinal) || file.Contains("/docs/", StringComparison.Ordinal))
        {
            return false;
        }

        return !NotCodeExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            && !NotCodeNames.Any(n => name.Equals(n, StringComparison.OrdinalIgnoreCase) || name.StartsWith(n + ".", StringComparison.OrdinalIgnoreCase));
    }

    // The test's own file (test_cart.py for tests/test_cart.py::test_total, CartTests.cs for Shop.CartTests.Adds).
    private static bool NamedIn(string file, TestRun test)
    {
        var stem = Path.GetFileName(file).Split('.')[0];
        return stem.Length >= 3
            && (test.Name.Contains(stem, StringComparison.OrdinalIgnoreCase) || (test.Suite?.Contains(stem, StringComparison.OrdinalIgnoreCase) ?? false));
    }
}
