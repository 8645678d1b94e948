using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Causes;
using BuildLore.Core.Tests.Support;

namespace BuildLore.Core.Tests.Analysis;

public class FailureCauseTests
{
    private static IReadOnlyList<FoundCause> Scan(IEnumerable<FailureCause> causes, params string[] lines)
    {
        var matcher = new FailureCauseMatcher(causes);
        for (var i = 0; i < lines.Length; i++)
        {
            matcher.ProcessLine(lines[i], i + 1);
        }

        return matcher.Results;
    }

    // ----- built-ins -----

    [Theory]
    [InlineData("cp: error writing '/home/runner/work/app/out.bin': No space left on device", "Disk full", "infrastructure")]
    [InlineData("npm ERR! code ENOSPC", "Disk full", "infrastructure")]
    [InlineData("##[error]System.IO.IOException: There is not enough space on the disk. : 'D:\\a\\_temp\\x.txt'", "Disk full", "infrastructure")]
    [InlineData("/bin/sh: line 1: 12345 Killed                  make -j16", "Out of memory", "crash")]
    [InlineData("Killed", "Out of memory", "crash")]
    [InlineData("c++: fatal error: Killed signal terminated program cc1plus", "Out of memory", "crash")]
    [InlineData("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "Out of memory", "crash")]
    [InlineData("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", "Out of memory", "crash")]
    [InlineData("Error: Process completed with exit code 137.", "Out of memory", "crash")]
    [InlineData("Segmentation fault (core dumped)", "Segmentation fault", "crash")]
    [InlineData("make: *** [Makefile:12: test] Error 139", "Segmentation fault", "crash")]
    [InlineData("Fatal Python error: Segmentation fault", "Segmentation fault", "crash")]
    [InlineData("fatal: unable to access 'https://github.com/acme/app.git/': Could not resolve host: github.com", "Network failure", "network_error")]
    [InlineData("curl: (6) Could not resolve host: registry.npmjs.org", "Network failure", "network_error")]
    [InlineData("npm ERR! request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org", "Network failure", "network_error")]
    [InlineData("npm ERR! errno ECONNREFUSED", "Network failure", "network_error")]
    [InlineData("Get \"https://registry-1.docker.io/v2/\": dial tcp 10.0.0.1:443: connect: connection refused", "Network failure", "network_error")]
    [InlineData("error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json.", "Network failure", "network_error")]
    [InlineData("##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.", "Runner lost", "infrastructure")]
    [InlineData("The self-hosted runner: build-01 lost communication with the server. Verify the machine is running and has a healthy network connection.", "Runner lost", "infrastructure")]
    [InlineData("##[error]The job running on runner GitHub Actions 2 has exceeded the maximum execution time of 360 minutes.", "Timeout", "timeout")]
    [InlineData("     Error: Timeout of 2000ms exceeded. For async tests and hooks, ensure \"done()\" is called", "Timeout", "timeout")]
    [InlineData("    thrown: \"Exceeded timeout of 5000 ms for a test.", "Timeout", "timeout")]
    [InlineData("panic: test timed out after 10m0s", "Timeout", "timeout")]
    [InlineData("##[error]The action has timed out.", "Timeout", "timeout")]
    public void BuiltIn_DetectsItsLines(string line, string cause, string category)
    {
        var found = Scan(FailureCauseLoader.BuiltIn, "Run make", line, "Error: Process completed with exit code 2.");

        var match = Assert.Single(found, f => f.Name == cause);
        Assert.Equal([category], match.Categories);
        Assert.Equal(2, match.FirstLogLine);
        Assert.Equal(line, match.Indications[0].MatchingLine);
    }

    [Theory]
    [InlineData("Processes killed: 0")]
    [InlineData("tests/ProcessKilledTests.cs(3,1): error CS1002: ; expected")]
    [InlineData("Build succeeded.")]
    [InlineData("  Determining projects to restore...")]
    [InlineData("Error: Process completed with exit code 1.")]
    [InlineData("src/net.c:14:5: error: 'ECONNREFUSE' undeclared")]
    public void BuiltIn_IgnoresOrdinaryLines(string line)
    {
        Assert.Empty(Scan(FailureCauseLoader.BuiltIn, line));
    }

    [Fact]
    public void BuiltIn_RealFixturesShowNoInfrastructureCauses()
    {
        foreach (var name in Fixtures.AllLogs)
        {
            var lines = Fixtures.Read(name).Split('\n');

            Assert.True(Scan(FailureCauseLoader.BuiltIn, lines).Count == 0, name);
        }
    }

    [Fact]
    public void BuiltIn_UsesOnlyKnownCategoriesAndHasTheDocumentedCauses()
    {
        Assert.Equal(
            ["Disk full", "Out of memory", "Segmentation fault", "Network failure", "Runner lost", "Timeout"],
            FailureCauseLoader.BuiltIn.Select(c => c.Name));
        Assert.All(FailureCauseLoader.BuiltIn.SelectMany(c => c.Categories), c => Assert.Contains(c, FailureCategory.All));
    }

    // ----- matching semantics -----

    private const string DiskJson = """
        {"causes":[{
          "name":"Disk full",
          "description":"The agent ran out of disk space on ${1,1}.",
          "categories":["infrastructure"],
          "indications":[
            {"pattern":".*write error on (\\S+): No space left on device.*"},
            {"pattern":".*ENOSPC: no space left on device, write '(.+)'.*"}
          ]}]}
        """;

    [Fact]
    public void Matcher_AnyIndicationFindsTheCauseAndKeepsFirstLinesAsEvidence()
    {
        var causes = FailureCauseLoader.Load(DiskJson);

        var found = Scan(
            causes,
            "building",
            "npm ERR! ENOSPC: no space left on device, write '/tmp/cache/x'",
            "tar: write error on /dev/sda1: No space left on device",
            "tar: write error on /dev/sdb1: No space left on device");

        var cause = Assert.Single(found);
        Assert.Equal("Disk full", cause.Name);
        Assert.Equal(
            [
                new[] { 2L, 2 },
                [3L, 1],
            ],
            cause.Indications.Select(i => new[] { i.LogLine, i.IndicationNumber }));
        Assert.Equal(["tar: write error on /dev/sda1: No space left on device", "/dev/sda1"], cause.Indications[1].Groups);
        Assert.Equal(2, cause.FirstLogLine);
    }

    [Fact]
    public void Matcher_ExpandsDescriptionFromTheFirstMatchOfTheIndication()
    {
        var found = Scan(
            FailureCauseLoader.Load(DiskJson),
            "tar: write error on /dev/sda1: No space left on device",
            "tar: write error on /dev/sdb1: No space left on device");

        Assert.Equal("The agent ran out of disk space on /dev/sda1.", Assert.Single(found).Description);
    }

    [Fact]
    public void Matcher_UnmatchedIndicationTokensExpandToNothing()
    {
        var found = Scan(FailureCauseLoader.Load(DiskJson), "npm ERR! ENOSPC: no space left on device, write '/tmp/x'");

        Assert.Equal("The agent ran out of disk space on .", Assert.Single(found).Description);
    }

    [Theory]
    [InlineData("${1,1} / ${2,1}", "host-a / 42")]
    [InlineData("${ 1 , 2 }", "8080")]
    [InlineData("${1,0}", "connect to host-a:8080 failed")]
    [InlineData("${1,9}|${3,1}|${0,1}", "||")]
    [InlineData("\\${1,1} is literal, ${1,1} is not", "${1,1} is literal, host-a is not")]
    [InlineData("no tokens $ {1,1} ${x,1}", "no tokens $ {1,1} ${x,1}")]
    [InlineData("${2,1}${2,2}", "42")]
    public void Matcher_DescriptionTokens(string description, string expected)
    {
        var json = $$"""
            {"causes":[{"name":"n","description":{{System.Text.Json.JsonSerializer.Serialize(description)}},
              "indications":[{"pattern":"connect to ([a-z-]+):(\\d+) failed"},{"pattern":"exit (\\d+)(x)?"}]}]}
            """;

        var found = Scan(FailureCauseLoader.Load(json), "connect to host-a:8080 failed", "exit 42");

        Assert.Equal(expected, Assert.Single(found).Description);
    }

    [Fact]
    public void Matcher_PatternsMustMatchTheWholeLine()
    {
        var causes = FailureCauseLoader.Load("""{"causes":[{"name":"n","description":"d","indications":[{"pattern":"Killed"}]}]}""");

        Assert.Empty(Scan(causes, "Killed by signal 9"));
        Assert.Single(Scan(causes, "Killed"));
    }

    [Fact]
    public void Matcher_ResultsAreOrderedByFirstEvidence()
    {
        var found = Scan(FailureCauseLoader.BuiltIn, "curl: (6) Could not resolve host: example.com", "x", "No space left on device");

        Assert.Equal(["Network failure", "Disk full"], found.Select(f => f.Name));
    }

    [Fact]
    public void Matcher_BacktrackingOnlyPatternsWorkAndTimeOutSafely()
    {
        var causes = FailureCauseLoader.Load("""
            {"causes":[
              {"name":"lookahead","description":"d","indications":[{"pattern":"(?=.*error).*code (\\d+).*"}]},
              {"name":"evil","description":"d","indications":[{"pattern":"(a+)+\\1b"}]}
            ]}
            """);
        var started = DateTime.UtcNow;

        var found = Scan(causes, new string('a', 5_000) + "c", "error: code 7 seen");

        Assert.Equal("lookahead", Assert.Single(found).Name);
        Assert.Equal("7", found[0].Indications[0].Groups[1]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Matcher_NoCausesIsFine()
    {
        var matcher = new FailureCauseMatcher([]);
        matcher.ProcessLine("No space left on device", 1);

        Assert.Empty(matcher.Results);
    }

    // ----- loader validation (mirrors BFA's FailureCause.validate) -----

    [Theory]
    [InlineData("""{"causes":[{"description":"d","indications":[{"pattern":".*"}]}]}""", "causes[0]: a name is required")]
    [InlineData("""{"causes":[{"name":"  ","description":"d","indications":[{"pattern":".*"}]}]}""", "causes[0]: a name is required")]
    [InlineData("""{"causes":[{"name":"n","indications":[{"pattern":".*"}]}]}""", "causes[0] ('n'): a description is required")]
    [InlineData("""{"causes":[{"name":"n","description":"d"}]}""", "causes[0] ('n'): at least one indication is required")]
    [InlineData("""{"causes":[{"name":"n","description":"d","indications":[]}]}""", "causes[0] ('n'): at least one indication is required")]
    [InlineData("""{"causes":[{"name":"n","description":"d","indications":[{"pattern":".*"},{"pattern":"(unclosed"}]}]}""", "causes[0] ('n'), indication 2: the pattern '(unclosed' is not a valid regular expression")]
    [InlineData("""{"causes":[{"name":"n","description":"d","indications":[{"pattern":""}]}]}""", "causes[0] ('n'), indication 1: a pattern is required")]
    [InlineData("""{"causes":[{"name":"n","description":"d","categories":["flaky"],"indications":[{"pattern":".*"}]}]}""", "causes[0] ('n'): unknown category 'flaky'; allowed: compile_error, link_error, test_failure, missing_dependency, timeout, crash, lint_error, config_error, network_error, infrastructure, unknown")]
    [InlineData("""{"causes":[{"name":"n","description":"d","categories":"crash","indications":[{"pattern":".*"}]}]}""", "causes[0] ('n'): 'categories' must be an array of strings")]
    [InlineData("""{"causes":[{"name":"n","description":"d","indications":[{"pattern":".*"}]},{"name":"n","description":"d","indications":[{"pattern":".*"}]}]}""", "causes[1] ('n'): there is another cause with that name")]
    [InlineData("""{"causes":[{"name":5,"description":"d","indications":[{"pattern":".*"}]}]}""", "causes[0]: 'name' must be a string")]
    [InlineData("""{"failureCauses":[]}""", "The failure cause file must be an object with a 'causes' array.")]
    [InlineData("""{"causes":[""", "The failure cause file is not valid JSON")]
    public void Load_RejectsInvalidCauses(string json, string expectedMessageStart)
    {
        var ex = Assert.Throws<FailureCauseException>(() => FailureCauseLoader.Load(json));

        Assert.StartsWith(expectedMessageStart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExceptionCarriesTheLocation()
    {
        var ex = Assert.Throws<FailureCauseException>(() => FailureCauseLoader.Load(
            """{"causes":[{"name":"ok","description":"d","indications":[{"pattern":"a"}]},{"name":"bad","description":"d","indications":[{"pattern":"a"},{"pattern":"["}]}]}"""));

        Assert.Equal(1, ex.CauseIndex);
        Assert.Equal("bad", ex.CauseName);
        Assert.Equal(2, ex.IndicationNumber);
        Assert.IsAssignableFrom<ArgumentException>(ex.InnerException);
    }

    [Fact]
    public void Load_NormalizesCategoriesAndKeepsIndicationNumbers()
    {
        var cause = Assert.Single(FailureCauseLoader.Load("""
            {"causes":[{"Name":"n","Description":"d","Categories":["Timeout","timeout","CRASH"],"comment":"ignored",
              "Indications":[{"Pattern":"a"},{"Pattern":"b"}]}]}
            """));

        Assert.Equal(["timeout", "crash"], cause.Categories);
        Assert.Equal([1, 2], cause.Indications.Select(i => i.Number));
        Assert.Equal(["a", "b"], cause.Indications.Select(i => i.Pattern));
    }
}
