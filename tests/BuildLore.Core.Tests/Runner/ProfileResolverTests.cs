using BuildLore.Core.Runner;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Runner;

public sealed class ProfileResolverTests : IDisposable
{
    private const string TwoProfiles = """
        {
          "default_profile": "build",
          "profiles": {
            "build": { "command": "make all" },
            "test": { "command": "make test", "working_dir": "tests", "env": { "VERBOSE": "1" }, "timeout_seconds": 60 }
          }
        }
        """;

    private readonly TempDirectory _workspace = new("buildlore-profiles");

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Resolve_ReturnsDefaultProfileWhenNoneRequested()
    {
        _workspace.Write(WorkspaceConfig.FileName, TwoProfiles);

        var profile = ProfileResolver.Resolve(_workspace.Path, null);

        Assert.Equal("build", profile.Name);
        Assert.Equal("make all", profile.Command);
        Assert.Equal("build", ProfileResolver.Resolve(_workspace.Path, "").Name);
    }

    [Fact]
    public void Resolve_ReturnsRequestedProfile()
    {
        _workspace.Write(WorkspaceConfig.FileName, TwoProfiles);

        var profile = ProfileResolver.Resolve(_workspace.Path, "test");

        Assert.Equal("test", profile.Name);
        Assert.Equal("make test", profile.Command);
        Assert.Equal("tests", profile.WorkingDirectory);
        Assert.Equal("1", profile.Environment["VERBOSE"]);
        Assert.Equal(TimeSpan.FromSeconds(60), profile.Timeout);
        Assert.False(profile.Detected);
    }

    [Fact]
    public void Resolve_PrefersConfiguredProfilesOverDetection()
    {
        _workspace.Write(WorkspaceConfig.FileName, TwoProfiles);
        _workspace.Write("Makefile", "all:\n\ttrue\n");

        Assert.Equal("make all", ProfileResolver.Resolve(_workspace.Path, null).Command);
    }

    [Fact]
    public void Resolve_ThrowsForUnknownProfileListingAvailableOnes()
    {
        _workspace.Write(WorkspaceConfig.FileName, TwoProfiles);

        var error = Assert.Throws<ProfileNotFoundException>(() => ProfileResolver.Resolve(_workspace.Path, "deploy"));

        Assert.Equal(["build", "test"], error.AvailableProfiles.Order(StringComparer.Ordinal));
        Assert.Contains("'deploy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("build, test", error.Message, StringComparison.Ordinal);
        Assert.Contains(WorkspaceConfig.FileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_MatchesProfileNamesCaseSensitively()
    {
        _workspace.Write(WorkspaceConfig.FileName, TwoProfiles);

        Assert.Throws<ProfileNotFoundException>(() => ProfileResolver.Resolve(_workspace.Path, "Build"));
    }

    [Fact]
    public void Resolve_ThrowsWhenSeveralProfilesAndNoDefault()
    {
        _workspace.Write(WorkspaceConfig.FileName, """{ "profiles": { "a": { "command": "true" }, "b": { "command": "false" } } }""");

        var error = Assert.Throws<ProfileNotFoundException>(() => ProfileResolver.Resolve(_workspace.Path, null));

        Assert.Equal(["a", "b"], error.AvailableProfiles.Order(StringComparer.Ordinal));
        Assert.Contains("default_profile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UsesTheOnlyProfileWithoutDefault()
    {
        _workspace.Write(WorkspaceConfig.FileName, """{ "profiles": { "only": { "command": "make" } } }""");

        Assert.Equal("only", ProfileResolver.Resolve(_workspace.Path, null).Name);
    }

    [Fact]
    public void Resolve_PropagatesInvalidConfig()
    {
        _workspace.Write(WorkspaceConfig.FileName, "{ not json");

        Assert.Throws<WorkspaceConfigException>(() => ProfileResolver.Resolve(_workspace.Path, null));
    }

    [Fact]
    public void Resolve_ThrowsWhenNothingCanBeBuilt()
    {
        _workspace.Write("README.md", "# nothing to build\n");
        _workspace.Write("src/Makefile", "all:\n\ttrue\n"); // only the root counts

        var error = Assert.Throws<ProfileNotFoundException>(() => ProfileResolver.Resolve(_workspace.Path, null));

        Assert.Empty(error.AvailableProfiles);
        Assert.Contains("Nothing to build", error.Message, StringComparison.Ordinal);
        Assert.Null(ProfileResolver.Detect(_workspace.Path));
    }

    [Fact]
    public void Resolve_DetectsBuildWhenNoConfig()
    {
        _workspace.Write("go.mod", "module example.com/app\n\ngo 1.22\n");

        var profile = ProfileResolver.Resolve(_workspace.Path, null);

        Assert.Equal(ProfileResolver.DetectedProfileName, profile.Name);
        Assert.Equal("go build ./...", profile.Command);
        Assert.True(profile.Detected);
        Assert.Equal(".", profile.WorkingDirectory);
    }

    [Fact]
    public void Resolve_ReturnsDetectedProfileWhenRequestedByName()
    {
        _workspace.Write(WorkspaceConfig.FileName, """{ "profiles": { "lint": { "command": "make lint" } } }""");
        _workspace.Write("Cargo.toml", "[package]\nname = \"tiny\"\n");

        var profile = ProfileResolver.Resolve(_workspace.Path, ProfileResolver.DetectedProfileName);

        Assert.Equal("cargo build", profile.Command);
        Assert.True(profile.Detected);
    }

    [Fact]
    public void Resolve_ThrowsWhenDetectedRequestedButNothingDetected()
    {
        _workspace.Write(WorkspaceConfig.FileName, """{ "profiles": { "lint": { "command": "make lint" } } }""");

        var error = Assert.Throws<ProfileNotFoundException>(() => ProfileResolver.Resolve(_workspace.Path, ProfileResolver.DetectedProfileName));

        Assert.Equal(["lint"], error.AvailableProfiles);
    }

    public static TheoryData<string[], string> DetectionCases => new()
    {
        { ["Shop.sln"], "dotnet build \"Shop.sln\"" },
        { ["Shop.slnx"], "dotnet build \"Shop.slnx\"" },
        { ["App.csproj"], "dotnet build \"App.csproj\"" },
        { ["App.fsproj"], "dotnet build \"App.fsproj\"" },
        { ["Shop.sln", "App.csproj", "package.json"], "dotnet build \"Shop.sln\"" },
        { ["package.json"], "npm run build" },
        { ["Cargo.toml"], "cargo build" },
        { ["go.mod"], "go build ./..." },
        { ["Makefile"], "make" },
        { ["makefile"], "make" },
        { ["GNUmakefile"], "make" },
        { ["CMakeLists.txt"], "cmake -S . -B build && cmake --build build" },
        { ["Makefile", "CMakeLists.txt"], "make" },
        { ["pom.xml"], "mvn -B package" },
        { ["build.gradle"], "gradle build" },
        { ["build.gradle.kts"], "gradle build" },
        { ["build.gradle", "gradlew"], "./gradlew build" },
        { ["Cargo.toml", "Makefile"], "cargo build" },
    };

    [Theory]
    [MemberData(nameof(DetectionCases))]
    public void Detect_InfersCommandFromBuildFiles(string[] files, string expectedCommand)
    {
        foreach (var file in files)
        {
            _workspace.Write(file, file == "package.json" ? """{ "name": "web", "scripts": { "build": "vite build" } }""" : "");
        }

        var profile = ProfileResolver.Detect(_workspace.Path);

        Assert.NotNull(profile);
        Assert.Equal(expectedCommand, profile.Command);
        Assert.Equal(ProfileResolver.DetectedProfileName, profile.Name);
        Assert.True(profile.Detected);
    }

    [Theory]
    [InlineData("""{ "name": "lib", "scripts": { "test": "vitest" } }""")]
    [InlineData("""{ "name": "lib" }""")]
    [InlineData("""{ "name": "lib", "scripts": [] }""")]
    [InlineData("[]")]
    [InlineData("{ broken")]
    public void Detect_IgnoresPackageJsonWithoutBuildScript(string packageJson)
    {
        _workspace.Write("package.json", packageJson);

        Assert.Null(ProfileResolver.Detect(_workspace.Path));
    }

    [Fact]
    public void Detect_FallsThroughPackageJsonWithoutBuildScriptToOtherBuildFiles()
    {
        _workspace.Write("package.json", """{ "name": "tools" }""");
        _workspace.Write("Makefile", "all:\n\ttrue\n");

        Assert.Equal("make", ProfileResolver.Detect(_workspace.Path)?.Command);
    }
}
