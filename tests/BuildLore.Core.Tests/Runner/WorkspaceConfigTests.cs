using BuildLore.Core.Runner;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Runner;

public sealed class WorkspaceConfigTests : IDisposable
{
    private readonly TempDirectory _workspace = new("buildlore-config");

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Load_ReadsProfilesAndDefault()
    {
        _workspace.Write(WorkspaceConfig.FileName, """
            {
              // Comments and trailing commas are allowed: people edit this file by hand.
              "default_profile": "build",
              "profiles": {
                "build": { "command": "dotnet build", "timeout_seconds": 900, "env": { "CI": "true", "RETRIES": 3 } },
                "test": { "command": "dotnet test", "working_dir": "src/App", "timeout_seconds": 1.5, },
              },
            }
            """);

        var config = WorkspaceConfig.Load(_workspace.Path);

        Assert.Equal("build", config.DefaultProfile);
        Assert.Equal(["build", "test"], config.Profiles.Keys.Order(StringComparer.Ordinal));
        var build = config.Profiles["build"];
        Assert.Equal("build", build.Name);
        Assert.Equal("dotnet build", build.Command);
        Assert.Equal(".", build.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(900), build.Timeout);
        Assert.Equal("true", build.Environment["CI"]);
        Assert.Equal("3", build.Environment["RETRIES"]);
        Assert.False(build.Detected);
        var test = config.Profiles["test"];
        Assert.Equal("src/App", test.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(1.5), test.Timeout);
        Assert.Empty(test.Environment);
    }

    [Fact]
    public void Load_ReturnsEmptyWithoutConfigFile()
    {
        var config = WorkspaceConfig.Load(_workspace.Path);

        Assert.Empty(config.Profiles);
        Assert.Null(config.DefaultProfile);
    }

    [Fact]
    public void Load_LeavesTimeoutUnsetWhenAbsent()
    {
        _workspace.Write(WorkspaceConfig.FileName, """{ "profiles": { "make": { "command": "make" } } }""");

        var profile = WorkspaceConfig.Load(_workspace.Path).Profiles["make"];

        Assert.Null(profile.Timeout);
        Assert.Equal(".", profile.WorkingDirectory);
    }

    [Theory]
    [InlineData("{ \"profiles\": ", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[1, 2]", "must hold a JSON object")]
    [InlineData("{ \"profiles\": [] }", "'profiles' must be an object")]
    [InlineData("{ \"profiles\": { \"build\": \"make\" } }", "profile 'build' must be an object")]
    [InlineData("{ \"profiles\": { \"build\": { \"working_dir\": \".\" } } }", "profile 'build' needs a non-empty string 'command'")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"   \" } } }", "profile 'build' needs a non-empty string 'command'")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": 42 } } }", "profile 'build' needs a non-empty string 'command'")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"timeout_seconds\": 0 } } }", "'timeout_seconds' must be a positive number")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"timeout_seconds\": -5 } } }", "'timeout_seconds' must be a positive number")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"working_dir\": \"../outside\" } } }", "'working_dir' must be a relative path inside the workspace")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"working_dir\": \"src/../../outside\" } } }", "'working_dir' must be a relative path inside the workspace")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"working_dir\": \"src\\\\..\\\\..\" } } }", "'working_dir' must be a relative path inside the workspace")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"working_dir\": \"/etc\" } } }", "'working_dir' must be a relative path inside the workspace")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"env\": [\"CI=true\"] } } }", "'env' must be an object")]
    [InlineData("{ \"default_profile\": \"deploy\", \"profiles\": { \"build\": { \"command\": \"make\" } } }", "'default_profile' names 'deploy', which is not among the profiles (build)")]
    public void Load_RejectsInvalidConfigWithHelpfulMessage(string json, string expectedMessage)
    {
        _workspace.Write(WorkspaceConfig.FileName, json);

        var error = Assert.Throws<WorkspaceConfigException>(() => WorkspaceConfig.Load(_workspace.Path));

        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
        Assert.Contains(WorkspaceConfig.FileName, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"timeout_seconds\": \"soon\" } } }", "'timeout_seconds' must be a positive number")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"timeout_seconds\": 1e300 } } }", "'timeout_seconds' must be a positive number")]
    [InlineData("{ \"profiles\": { \"build\": { \"command\": \"make\", \"working_dir\": 7 } } }", "'working_dir' must be a relative path inside the workspace")]
    [InlineData("{ \"default_profile\": 1, \"profiles\": { \"build\": { \"command\": \"make\" } } }", "'default_profile'")]
    public void Load_RejectsValuesOfTheWrongTypeWithHelpfulMessage(string json, string expectedMessage)
    {
        _workspace.Write(WorkspaceConfig.FileName, json);

        var error = Assert.Throws<WorkspaceConfigException>(() => WorkspaceConfig.Load(_workspace.Path));

        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }
}
