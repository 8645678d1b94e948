namespace BuildLore.Core.Tests.Support;

/// <summary>
/// Tests that assert how soon something happens (e.g. the log writer's periodic flush) run alone,
/// after the parallel tests: CPU-heavy or blocking tests next to them can starve the thread pool
/// for a second and make such deadlines flaky without anything being wrong.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Timing-sensitive";
}
