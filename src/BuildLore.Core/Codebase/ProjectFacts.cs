namespace BuildLore.Core.Codebase;

/// <summary>A dependency declared in a manifest: what a <c>dependency_audit</c> report is written from.</summary>
public sealed record Dependency(string Name, string? Version, string Ecosystem, string Scope, string Manifest);

/// <summary>What a workspace is made of, read from its manifests, CI files and source files.</summary>
public sealed record ProjectFacts(
    IReadOnlyDictionary<string, long> Languages,
    IReadOnlyList<string> Frameworks,
    IReadOnlyList<string> BuildSystems,
    IReadOnlyList<string> TestFrameworks,
    IReadOnlyList<string> CiSystems,
    IReadOnlyList<Dependency> Dependencies)
{
    /// <summary>How completely the manifests were read.</summary>
    public ManifestCoverage Manifests { get; init; } = ManifestCoverage.None;
}

/// <summary>
/// Reads <see cref="ProjectFacts"/> from the files a scan found: dependencies from the manifests (see
/// <c>Manifests</c>), frameworks and test frameworks from those dependencies, build and CI
/// systems from the files present.
/// </summary>
public static class ProjectFactsReader
{
    private static readonly (string Package, string Framework)[] KnownFrameworks =
    [
        ("react", "react"), ("vue", "vue"), ("@angular/core", "angular"), ("svelte", "svelte"), ("next", "next.js"), ("express", "express"),
        ("@nestjs/core", "nestjs"), ("vite", "vite"), ("django", "django"), ("flask", "flask"), ("fastapi", "fastapi"), ("tokio", "tokio"),
        ("actix-web", "actix-web"), ("axum", "axum"), ("github.com/gin-gonic/gin", "gin"), ("org.springframework.boot:spring-boot-starter-web", "spring-boot"),
        ("Microsoft.EntityFrameworkCore", "entity-framework-core"), ("Microsoft.AspNetCore.OpenApi", "aspnetcore"),
    ];

    private static readonly (string Package, string Framework)[] KnownTestFrameworks =
    [
        ("xunit", "xunit"), ("xunit.v3", "xunit"), ("NUnit", "nunit"), ("MSTest.TestFramework", "mstest"), ("jest", "jest"), ("vitest", "vitest"),
        ("mocha", "mocha"), ("pytest", "pytest"), ("junit:junit", "junit"), ("org.junit.jupiter:junit-jupiter", "junit"), ("@playwright/test", "playwright"),
    ];

    /// <summary>
    /// The facts of a view: dependencies from <paramref name="manifests"/> (read whole, up to a cap),
    /// with <paramref name="skippedManifests"/> (past the count cap) recorded as not read.
    /// </summary>
    public static ProjectFacts Read(IReadOnlyList<ManifestText> manifests, IReadOnlyList<string> skippedManifests, IEnumerable<string> files, IReadOnlyDictionary<string, long> languages)
    {
        var fileList = files.ToList();
        var unparsable = new List<string>();
        var dependencies = Manifests.Read(manifests, unparsable);
        var names = dependencies.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var frameworks = KnownFrameworks.Where(f => names.Contains(f.Package)).Select(f => f.Framework).ToList();
        if (manifests.Any(m => m.Path.EndsWith("proj", StringComparison.OrdinalIgnoreCase) && m.Text.Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal)))
        {
            frameworks.Add("aspnetcore");
        }

        var testFrameworks = KnownTestFrameworks.Where(f => names.Contains(f.Package)).Select(f => f.Framework).ToList();
        return new ProjectFacts(
            languages,
            [.. frameworks.Distinct().Order(StringComparer.Ordinal)],
            BuildSystems(fileList),
            [.. testFrameworks.Distinct().Order(StringComparer.Ordinal)],
            CiSystems(fileList),
            dependencies)
        {
            Manifests = new ManifestCoverage(
                manifests.Count - unparsable.Count,
                [.. manifests.Where(m => m.Cut).Select(m => m.Path)],
                unparsable,
                [.. skippedManifests.Take(MaxSkippedNamed)],
                skippedManifests.Count),
        };
    }

    /// <summary>How many manifests past the count cap are named in <see cref="ManifestCoverage.Skipped"/>; all are counted.</summary>
    public const int MaxSkippedNamed = 50;

    private static List<string> BuildSystems(List<string> files)
    {
        var names = files.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var systems = new List<string>();
        void When(bool condition, string system)
        {
            if (condition)
            {
                systems.Add(system);
            }
        }

        When(files.Any(f => f.EndsWith(".sln", StringComparison.Ordinal) || f.EndsWith(".slnx", StringComparison.Ordinal) || f.EndsWith("proj", StringComparison.Ordinal) && f.Contains(".csproj", StringComparison.Ordinal)), "dotnet");
        When(names.Contains("package.json"), names.Contains("pnpm-lock.yaml") ? "pnpm" : names.Contains("yarn.lock") ? "yarn" : "npm");
        When(names.Contains("Cargo.toml"), "cargo");
        When(names.Contains("go.mod"), "go");
        When(names.Contains("pom.xml"), "maven");
        When(names.Contains("build.gradle") || names.Contains("build.gradle.kts"), "gradle");
        When(names.Contains("CMakeLists.txt"), "cmake");
        When(names.Contains("Makefile") || names.Contains("makefile") || names.Contains("GNUmakefile"), "make");
        When(names.Contains("pyproject.toml") || names.Contains("setup.py") || names.Any(n => n is not null && n.StartsWith("requirements", StringComparison.Ordinal)), "python");
        return systems;
    }

    private static List<string> CiSystems(List<string> files)
    {
        var systems = new List<string>();
        if (files.Any(f => f.StartsWith(".github/workflows/", StringComparison.Ordinal)))
        {
            systems.Add("github-actions");
        }

        if (files.Contains(".gitlab-ci.yml"))
        {
            systems.Add("gitlab");
        }

        if (files.Contains("Jenkinsfile"))
        {
            systems.Add("jenkins");
        }

        if (files.Any(f => f.StartsWith(".circleci/", StringComparison.Ordinal)))
        {
            systems.Add("circleci");
        }

        if (files.Contains("azure-pipelines.yml"))
        {
            systems.Add("azure-pipelines");
        }

        return systems;
    }
}
