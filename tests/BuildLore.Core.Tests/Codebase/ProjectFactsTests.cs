using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>Dependencies and project facts read from real manifest formats.</summary>
public sealed class ProjectFactsTests
{
    [Fact]
    public void Scan_ReadsDependenciesFromEveryManifestKind_AndDetectsTheStack()
    {
        using var workspace = new TempDirectory();
        workspace.Write("Directory.Packages.props", """<Project><ItemGroup><PackageVersion Include="Dapper" Version="2.1.86" /><PackageVersion Include="xunit" Version="2.9.3" /></ItemGroup></Project>""");
        workspace.Write("src/Api/Api.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><ItemGroup><PackageReference Include="Dapper" /></ItemGroup></Project>""");
        workspace.Write("tests/Api.Tests/Api.Tests.csproj", """<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="xunit" /></ItemGroup></Project>""");
        workspace.Write("src/Api/Program.cs", "var app = 1;\nreturn app;\n");
        workspace.Write("web/package.json", """{ "dependencies": { "react": "^19.0.0" }, "devDependencies": { "vitest": "3.2.4" } }""");
        workspace.Write("requirements.txt", "fastapi==0.115.0\nrequests>=2.31 # http\n# a comment\n");
        workspace.Write("pyproject.toml", "[project]\nname = \"svc\"\ndependencies = [\n  \"pydantic>=2.7\",\n  \"httpx\",\n]\n");
        workspace.Write("Cargo.toml", "[package]\nname = \"tool\"\n\n[dependencies]\nserde = \"1.0\"\ntokio = { version = \"1.40\", features = [\"full\"] }\n\n[dev-dependencies]\ninsta = \"1.39\"\n");
        workspace.Write("go.mod", "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgolang.org/x/text v0.16.0 // indirect\n)\n");
        workspace.Write("pom.xml", """<project><dependencies><dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency></dependencies></project>""");
        workspace.Write(".github/workflows/ci.yml", "on: push\n");
        workspace.Write("Jenkinsfile", "pipeline {}\n");

        var snapshot = new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).Scan(workspace.Path);
        var facts = snapshot.Facts;
        Dependency Find(string name) => Assert.Single(facts.Dependencies, d => d.Name == name);

        Assert.Equal("2.1.86", Find("Dapper").Version);
        Assert.Equal(("nuget", "runtime", "src/Api/Api.csproj"), (Find("Dapper").Ecosystem, Find("Dapper").Scope, Find("Dapper").Manifest));
        Assert.Equal("test", Find("xunit").Scope);
        Assert.Equal(("npm", "runtime", "^19.0.0"), (Find("react").Ecosystem, Find("react").Scope, Find("react").Version));
        Assert.Equal("dev", Find("vitest").Scope);
        Assert.Equal("0.115.0", Find("fastapi").Version);
        Assert.Equal("2.31", Find("requests").Version);
        Assert.Equal("2.7", Find("pydantic").Version);
        Assert.Null(Find("httpx").Version);
        Assert.Equal("1.0", Find("serde").Version);
        Assert.Equal("1.40", Find("tokio").Version);
        Assert.Equal("dev", Find("insta").Scope);
        Assert.Equal("v1.10.0", Find("github.com/gin-gonic/gin").Version);
        Assert.Equal("indirect", Find("golang.org/x/text").Scope);
        Assert.Equal(("maven", "test"), (Find("junit:junit").Ecosystem, Find("junit:junit").Scope));

        Assert.Contains("aspnetcore", facts.Frameworks);
        Assert.Contains("react", facts.Frameworks);
        Assert.Contains("fastapi", facts.Frameworks);
        Assert.Contains("gin", facts.Frameworks);
        Assert.Contains("xunit", facts.TestFrameworks);
        Assert.Contains("vitest", facts.TestFrameworks);
        Assert.Contains("junit", facts.TestFrameworks);
        Assert.Equal(["github-actions", "jenkins"], facts.CiSystems);
        Assert.Contains("dotnet", facts.BuildSystems);
        Assert.Contains("cargo", facts.BuildSystems);
        Assert.Equal(2, facts.Languages["csharp"]);
    }
}
