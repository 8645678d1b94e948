using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Causes;

namespace BuildLore.Core.Tests.Analysis;

/// <summary>What the analyzer adds around its parsers: paths, built-in failure causes, each diagnostic's block.</summary>
public sealed class LogAnalyzerTests
{
    // ----- paths -----

    [Fact]
    public void GivenRootAndDetectedCiRoot_BothMakePathsRelative()
    {
        var log = """
            /home/runner/work/app/app/src/main.c:3:1: error: expected ';' before '}' token
            /opt/sdk/include/sdk.h:9:2: error: #error "SDK_VERSION is not set"
            """;

        var analysis = LogAnalyzer.Analyze(log.ReplaceLineEndings("\n"), root: "/opt/sdk");

        Assert.Equal(["src/main.c", "include/sdk.h"], analysis.Diagnostics.Select(d => d.File));
    }

    [Fact]
    public void PathNormalizer_PrefersTheGivenRootForPathsUnderIt()
    {
        var paths = new PathNormalizer("/home/runner/work/app/app/services/api");
        paths.Observe("Run cd /home/runner/work/app/app && make");

        Assert.Equal("Program.cs", paths.Relativize("/home/runner/work/app/app/services/api/Program.cs"));
        Assert.Equal("web/index.ts", paths.Relativize("/home/runner/work/app/app/web/index.ts"));
        Assert.Equal("/usr/include/stdio.h", paths.Relativize("/usr/include/stdio.h"));
        Assert.Equal("/home/runner/work/app/app/services/api/", paths.Root);
        Assert.Equal("/home/runner/work/app/app/", paths.DetectedRoot);
    }

    // ----- built-in failure causes -----

    [Theory]
    [InlineData("cp: error writing 'out.bin': No space left on device", "Disk full")]
    [InlineData("c++: fatal error: Killed signal terminated program cc1plus", "Out of memory")]
    [InlineData("make: *** [Makefile:12: test] Error 139", "Segmentation fault")]
    [InlineData("fatal: unable to access 'https://git.example.invalid/a.git/': Could not resolve host: git.example.invalid", "Network failure")]
    [InlineData("/work/app/app.csproj : error NU1301: Unable to load the service index for source https://nuget.example.invalid/v3/index.json.", "Network failure")]
    [InlineData("##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped.", "Runner lost")]
    [InlineData("panic: test timed out after 10m0s", "Timeout")]
    public void BuiltInCauses_AreReportedForAFailedBuild(string line, string cause)
    {
        var analysis = LogAnalyzer.Analyze($"starting\n{line}\ndone\n", succeeded: false);

        var found = Assert.Single(analysis.Causes, c => c.Name == cause);
        Assert.Equal([2L], found.LogLines);
        Assert.NotEmpty(found.Description);
    }

    [Fact]
    public void BuiltInCauses_AreReadOnTheTailToo()
    {
        // No label word nor marker: the scan does not flag it, but the end of a log says how the build died.
        var analysis = LogAnalyzer.Analyze("pushing image\ndial tcp 10.0.0.1:443: connect: connection refused\n", succeeded: false);

        Assert.Contains(analysis.Causes, c => c.Name == "Network failure");
        Assert.Equal(FailureCategory.NetworkError, analysis.Category);
    }

    [Fact]
    public void BuiltInCauses_AreNotReportedForASuccessfulBuild()
    {
        var analysis = LogAnalyzer.Analyze("warning: request timed out, retrying\nok\n", succeeded: true);

        Assert.Empty(analysis.Causes);
    }

    [Fact]
    public void BuiltInCause_GivesWayToTheWorkspacesCauseOfTheSameName()
    {
        var own = FailureCauseLoader.Load("""
            {"causes":[{"name":"Disk full","description":"The shared cache volume is full; ask #infra to prune it.","categories":["infrastructure"],
              "indications":[{"pattern":".*No space left on device.*"}]}]}
            """);
        var analyzer = new LogAnalyzer(rules: new AnalysisRules([], own));
        analyzer.Append("tar: cache.tgz: Cannot write: No space left on device\n");

        var found = Assert.Single(analyzer.Complete(succeeded: false).Causes);
        Assert.StartsWith("The shared cache volume", found.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInCauses_ReadOnlyWhereTheCategorysSignalsAreLookedFor()
    {
        // Neither a marker line, a diagnostic nor the tail: the hot path does not read it for causes.
        var lines = new[] { "Connection refused by the proxy, retried" }.Concat(Enumerable.Range(0, 30).Select(i => $"step {i}"));

        var analysis = LogAnalyzer.Analyze(string.Join('\n', lines) + "\n", succeeded: false);

        Assert.Empty(analysis.Causes);
    }

    // ----- each diagnostic's block -----

    [Fact]
    public void Context_IsTheDiagnosticsWholeBlock()
    {
        var log = """
            error[E0308]: mismatched types
             --> src/main.rs:4:19
              |
            4 |     let port: u16 = "8080";
              |               ---   ^^^^^^ expected `u16`, found `&str`
            
            error: could not compile `app` (bin "app") due to 1 previous error
            """;

        var diagnostic = Assert.Single(LogAnalyzer.Analyze(log.ReplaceLineEndings("\n")).Diagnostics);

        Assert.StartsWith("error[E0308]: mismatched types\n --> src/main.rs:4:19\n", diagnostic.Context, StringComparison.Ordinal);
        Assert.Contains("expected `u16`, found `&str`", diagnostic.Context, StringComparison.Ordinal);
        Assert.DoesNotContain("could not compile", diagnostic.Context, StringComparison.Ordinal);
        Assert.False(diagnostic.Context.EndsWith('\n'));
    }

    [Fact]
    public void Context_IsBounded()
    {
        var frames = string.Concat(Enumerable.Range(0, 60).Select(i => $"  File \"/app/src/module_{i}.py\", line {i + 1}, in f{i}\n    {new string('x', 120)}\n"));
        var log = $"Traceback (most recent call last):\n{frames}ValueError: too deep\n";

        var diagnostic = Assert.Single(LogAnalyzer.Analyze(log).Diagnostics);

        Assert.InRange(diagnostic.Context.Length, 1, 4096);
    }
}
