using BuildLore.Core.TestResults;

namespace BuildLore.Core.Tests.TestReports;

/// <summary>The flaky-test rule: same commit, or a flip without a related change.</summary>
public sealed class FlakyTestRuleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Runs of one test along one branch, one per (commit, outcome), in order.</summary>
    private static List<TestRun> History(string name, params (string? Commit, string Outcome)[] runs) =>
        [.. runs.Select((r, i) => new TestRun(name, "suite", r.Outcome, r.Commit, "shop", "main", i + 1, Start.AddMinutes(i)))];

    private const string P = TestOutcome.Passed;
    private const string F = TestOutcome.Failed;

    private static ChangedFilesLookup Changes(Dictionary<string, string[]> byTarget) =>
        (_, to, _) => Task.FromResult<IReadOnlyList<string>?>(byTarget.TryGetValue(to, out var files) ? files : null);

    [Fact]
    public void BreakFixBreak_OverCommitsWithUnknownChanges_IsNotFlaky()
    {
        var flaky = FlakyTestRule.Find(History("cart_total", ("c1", P), ("c2", F), ("c3", P), ("c4", F)));

        Assert.Empty(flaky);
    }

    [Fact]
    public async Task BreakFixBreak_OverCodeChanges_IsNotFlaky()
    {
        var changes = Changes(new() { ["c2"] = ["src/cart.c"], ["c3"] = ["src/cart.c", "README.md"], ["c4"] = ["Makefile"] });

        var flaky = await FlakyTestRule.FindAsync(History("checkout_total", ("c1", P), ("c2", F), ("c3", P), ("c4", F)), changes);

        Assert.Empty(flaky);
    }

    [Fact]
    public async Task AFlipOverADocumentationOnlyChange_IsFlaky()
    {
        var changes = Changes(new() { ["c2"] = ["README.md", "docs/api.md", "LICENSE"] });

        var flaky = await FlakyTestRule.FindAsync(History("checkout_total", ("c1", P), ("c2", F)), changes);

        var test = Assert.Single(flaky);
        Assert.Equal(1, test.Flips);
        Assert.False(test.FailedAndPassedOnOneCommit);
    }

    [Fact]
    public async Task AFlipOverAChangeToTheTestsOwnFile_IsNotFlaky_EvenWhenThatFileIsText()
    {
        var changes = Changes(new() { ["c2"] = ["tests/checkout_total.txt"] });

        Assert.Empty(await FlakyTestRule.FindAsync(History("checkout_total", ("c1", P), ("c2", F)), changes));
    }

    [Fact]
    public async Task AFlipWhoseChangesCouldBeCut_IsNotTakenAsUnrelated()
    {
        var many = Enumerable.Range(0, FlakyTestRule.MaxChangedFiles).Select(i => $"docs/page{i}.md").ToArray();

        Assert.Empty(await FlakyTestRule.FindAsync(History("checkout_total", ("c1", P), ("c2", F)), Changes(new() { ["c2"] = many })));
    }

    [Fact]
    public void PassedAndFailedOnOneCommit_IsFlaky_AndFlipsCountEveryFlip()
    {
        var test = Assert.Single(FlakyTestRule.Find(History("retry_me", ("c1", P), ("c1", F), ("c2", P), ("c3", F))));

        Assert.True(test.FailedAndPassedOnOneCommit);
        Assert.Equal(3, test.Flips);
        Assert.Equal(1.0, test.FlipRate);
        Assert.Equal(4, test.Runs);
        Assert.Equal(2, test.Failures);
    }

    [Fact]
    public void FlipsAreCountedPerBranch()
    {
        var main = History("t", ("c1", P));
        var feature = new TestRun("t", null, F, "c1", "shop", "feature", 2, Start.AddMinutes(1));

        // Passed on main and failed on a feature branch, same commit: flaky by the commit, not by a flip.
        var test = Assert.Single(FlakyTestRule.Find([.. main, feature]));
        Assert.Equal(0, test.Flips);
        Assert.True(test.FailedAndPassedOnOneCommit);
    }
}
