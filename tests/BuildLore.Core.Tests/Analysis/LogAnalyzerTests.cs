using BuildLore.Core.Analysis;

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
}
