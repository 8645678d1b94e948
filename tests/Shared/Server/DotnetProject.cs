namespace BuildLore.Tests;

/// <summary>Writes tiny real .NET projects for the runner to build with the real <c>dotnet build</c>.</summary>
public static class DotnetProject
{
    /// <summary>
    /// A console project. Its buildlore.json keeps the build hermetic and quick: no build servers left
    /// running, no shared compiler, nothing restored from the network (the project has no packages).
    /// </summary>
    public static void Write(string folder, string programSource)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), programSource);
        File.WriteAllText(Path.Combine(folder, "buildlore.json"), """
            { "profiles": { "build": { "command": "dotnet build app.csproj -nodeReuse:false -p:UseSharedCompilation=false", "timeout_seconds": 300,
                                       "env": { "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1" } } } }
            """);
    }

    public const string Broken = """
        var greeting = "hello";
        Console.WriteLine(undefinedThing + greeting);
        """;

    public const string Clean = """
        Console.WriteLine("hello");
        """;
}
