using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>Dependencies and project facts read from real manifest formats.</summary>
public sealed class ProjectFactsTests : IDisposable
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

    private readonly TempDirectory _workspace = new();

    private ProjectFacts Facts(CodebaseScanOptions? options = null) =>
        new CodebaseScanner((options ?? new CodebaseScanOptions()) with { UseGit = false }).Scan(_workspace.Path).Facts;

    private static string Deps(ProjectFacts facts, string manifest) =>
        string.Join(" ", facts.Dependencies.Where(d => d.Manifest == manifest).Select(d => $"{d.Name}@{d.Version ?? "-"}:{d.Scope}").Order(StringComparer.Ordinal));

    [Fact]
    public void PyProject_ReadsOnlyDependencyTables_WithExtrasAndScopes()
    {
        _workspace.Write("pyproject.toml", """
            [build-system]
            requires = ["setuptools>=68", "wheel"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "svc"
            keywords = ["cli", "tools"]
            classifiers = ["Programming Language :: Python :: 3"]
            dependencies = [
              "uvicorn[standard,socks]>=0.30",
              "httpx (>=0.27)",
              "pydantic>=2.7; python_version >= '3.9'",
            ]

            [project.optional-dependencies]
            test = ["pytest>=8.2"]
            postgres = ["psycopg[binary]==3.2.1"]

            [dependency-groups]
            lint = ["ruff==0.6.0"]

            [tool.poetry.dependencies]
            python = "^3.11"
            requests = "^2.31"
            rich = { version = "13.7", extras = ["jupyter"] }

            [tool.poetry.dev-dependencies]
            black = "24.4"

            [tool.poetry.group.test.dependencies]
            pytest-cov = "*"

            [tool.ruff]
            select = ["E", "F"]
            """);

        var facts = Facts();

        Assert.Equal(
            "black@24.4:dev httpx@0.27:runtime psycopg@3.2.1:runtime pydantic@2.7:runtime pytest-cov@-:test pytest@8.2:test requests@^2.31:runtime rich@13.7:runtime ruff@0.6.0:dev setuptools@68:dev uvicorn@0.30:runtime wheel@-:dev",
            Deps(facts, "pyproject.toml"));
        Assert.Contains("pytest", facts.TestFrameworks);
    }

    [Fact]
    public void Cargo_ReadsEveryDependencyTable_AndInheritsWorkspaceVersions()
    {
        _workspace.Write("Cargo.toml", """
            [workspace]
            members = ["crates/app"]

            [workspace.dependencies]
            tokio = { version = "1.40", features = ["full"] }
            anyhow = "1.0.86"
            """);
        _workspace.Write("crates/app/Cargo.toml", """
            [package]
            name = "app"

            [dependencies]
            tokio = { workspace = true }
            anyhow.workspace = true
            json = { package = "serde_json", version = "1.0.120" }
            local = { path = "../local" }

            [dependencies.serde]
            version = "1.0.204"
            features = ["derive"]

            [dev-dependencies]
            insta = "1.39"

            [build-dependencies]
            cc = "1.1"

            [target.'cfg(windows)'.dependencies]
            winapi = "0.3.9"

            [target.'cfg(unix)'.dev-dependencies]
            nix = { version = "0.29" }
            """);

        var facts = Facts();

        Assert.Equal("anyhow@1.0.86:runtime tokio@1.40:runtime", Deps(facts, "Cargo.toml"));
        Assert.Equal(
            "anyhow@1.0.86:runtime cc@1.1:dev insta@1.39:dev local@-:runtime nix@0.29:dev serde@1.0.204:runtime serde_json@1.0.120:runtime tokio@1.40:runtime winapi@0.3.9:runtime",
            Deps(facts, "crates/app/Cargo.toml"));
        Assert.Contains("tokio", facts.Frameworks);
    }

    [Fact]
    public void NuGet_ReadsVersionElementsOverridesBuildPropsAndNearestCentralVersions()
    {
        _workspace.Write("Directory.Packages.props", """
            <Project>
              <ItemGroup>
                <PackageVersion Include="Dapper" Version="2.1.86" />
                <PackageVersion Include="Serilog"><Version>4.0.0</Version></PackageVersion>
                <GlobalPackageReference Include="Nerdbank.GitVersioning" Version="3.6.143" />
              </ItemGroup>
            </Project>
            """);
        _workspace.Write("Directory.Build.props", """
            <Project>
              <PropertyGroup><XunitVersion>2.9.3</XunitVersion></PropertyGroup>
              <ItemGroup><PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" /></ItemGroup>
            </Project>
            """);
        _workspace.Write("src/Api/Api.csproj", """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <ItemGroup>
                <PackageReference Include="Dapper" VersionOverride="2.1.35" />
                <PackageReference Include="Serilog" />
                <PackageReference Include="Polly">
                  <Version>8.4.1</Version>
                </PackageReference>
                <PackageReference Update="Dapper" Version="9.9.9" />
              </ItemGroup>
            </Project>
            """);
        _workspace.Write("legacy/Directory.Packages.props", """<Project><ItemGroup><PackageVersion Include="Serilog" Version="2.12.0" /></ItemGroup></Project>""");
        _workspace.Write("legacy/Old/Old.csproj", """<Project><ItemGroup><PackageReference Include="Serilog" /><PackageReference Include="Dapper" /></ItemGroup></Project>""");
        _workspace.Write("tests/Checks/Checks.csproj", """
            <Project><PropertyGroup><IsTestProject>true</IsTestProject></PropertyGroup>
            <ItemGroup><PackageReference Include="xunit" Version="$(XunitVersion)" /></ItemGroup></Project>
            """);

        var facts = Facts();

        Assert.Equal("Dapper@2.1.35:runtime Polly@8.4.1:runtime Serilog@4.0.0:runtime", Deps(facts, "src/Api/Api.csproj"));
        Assert.Equal("Dapper@2.1.86:runtime Serilog@2.12.0:runtime", Deps(facts, "legacy/Old/Old.csproj"));
        Assert.Equal("xunit@2.9.3:test", Deps(facts, "tests/Checks/Checks.csproj"));
        Assert.Equal("StyleCop.Analyzers@1.1.118:dev", Deps(facts, "Directory.Build.props"));
        Assert.Equal("Nerdbank.GitVersioning@3.6.143:dev", Deps(facts, "Directory.Packages.props"));
    }

    [Fact]
    public void Maven_MapsScopes_AndResolvesPropertiesAndManagedVersions()
    {
        _workspace.Write("pom.xml", """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <groupId>com.example</groupId>
              <artifactId>shop</artifactId>
              <version>1.4.0</version>
              <properties>
                <jackson.version>2.17.2</jackson.version>
                <jackson.bom>${jackson.version}</jackson.bom>
              </properties>
              <dependencyManagement>
                <dependencies>
                  <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.13</version></dependency>
                </dependencies>
              </dependencyManagement>
              <dependencies>
                <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.bom}</version></dependency>
                <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
                <dependency><groupId>jakarta.servlet</groupId><artifactId>jakarta.servlet-api</artifactId><version>6.0.0</version><scope>provided</scope></dependency>
                <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.3</version><scope>runtime</scope></dependency>
                <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.3</version><scope>test</scope></dependency>
                <dependency><groupId>${project.groupId}</groupId><artifactId>shop-core</artifactId><version>${project.version}</version></dependency>
                <dependency><groupId>com.acme</groupId><artifactId>unknown</artifactId><version>${not.defined}</version></dependency>
              </dependencies>
              <build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId>
                <dependencies><dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-launcher</artifactId><version>1.10.3</version></dependency></dependencies>
              </plugin></plugins></build>
            </project>
            """);

        var facts = Facts();

        Assert.Equal(
            "com.acme:unknown@${not.defined}:runtime com.example:shop-core@1.4.0:runtime com.fasterxml.jackson.core:jackson-databind@2.17.2:runtime jakarta.servlet:jakarta.servlet-api@6.0.0:runtime org.junit.jupiter:junit-jupiter@5.10.3:test org.junit.platform:junit-platform-launcher@1.10.3:dev org.postgresql:postgresql@42.7.3:runtime org.slf4j:slf4j-api@2.0.13:runtime",
            Deps(facts, "pom.xml"));
        Assert.Contains("junit", facts.TestFrameworks);
    }

    [Fact]
    public void GoMod_ReadsRequireDirectivesOnly()
    {
        _workspace.Write("go.mod", """
            module example.com/svc

            go 1.22

            require github.com/gin-gonic/gin v1.10.0

            require (
            	golang.org/x/text v0.16.0 // indirect
            	github.com/stretchr/testify v1.9.0
            )

            replace (
            	golang.org/x/net v0.1.0 => ../net
            )

            exclude golang.org/x/crypto v0.0.1
            """);

        Assert.Equal("github.com/gin-gonic/gin@v1.10.0:runtime github.com/stretchr/testify@v1.9.0:runtime golang.org/x/text@v0.16.0:indirect", Deps(Facts(), "go.mod"));
    }

    [Fact]
    public void Dependencies_AreReadPastTheConfigCaps_AndCutOrSkippedManifestsAreNamed()
    {
        // A package.json longer than the configuration text shown: its last dependency is still read.
        var many = string.Join(",\n", Enumerable.Range(0, 3000).Select(i => $"    \"package-number-{i:D4}\": \"^1.{i}.0\""));
        _workspace.Write("web/package.json", $"{{\n  \"dependencies\": {{\n{many}\n  }}\n}}\n");
        _workspace.Write("a/A.csproj", """<Project><ItemGroup><PackageReference Include="Alpha" Version="1.0.0" /></ItemGroup></Project>""");
        _workspace.Write("b/B.csproj", """<Project><ItemGroup><PackageReference Include="Beta" Version="2.0.0" /></ItemGroup></Project>""");
        _workspace.Write("broken/package.json", "{ \"dependencies\": ");
        var options = new CodebaseScanOptions { MaxConfigFiles = 1, MaxConfigFileChars = 1024 };

        var whole = Facts(options);
        var capped = Facts(options with { MaxManifestFiles = 2 });
        var cut = Facts(options with { MaxManifestBytes = 4096 });

        Assert.True(new FileInfo(_workspace.Combine("web", "package.json")).Length > 64 * 1024);
        Assert.Equal(3002, whole.Dependencies.Count);
        Assert.Contains(whole.Dependencies, d => d is { Name: "package-number-2999", Version: "^1.2999.0" });
        Assert.Equal(["broken/package.json"], whole.Manifests.Unparsable);
        Assert.False(whole.Manifests.Truncated);
        Assert.Equal(3, whole.Manifests.Read);

        Assert.True(capped.Manifests.Truncated);
        Assert.Equal(["broken/package.json", "web/package.json"], capped.Manifests.Skipped);
        Assert.Equal(2, capped.Manifests.SkippedCount);
        Assert.Equal(["Alpha", "Beta"], capped.Dependencies.Select(d => d.Name));

        Assert.True(cut.Manifests.Truncated);
        Assert.Equal(["web/package.json"], cut.Manifests.Cut);
        Assert.Contains("web/package.json", cut.Manifests.Unparsable);
    }

    public void Dispose() => _workspace.Dispose();
}
