using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

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
    IReadOnlyList<Dependency> Dependencies);

/// <summary>
/// Reads <see cref="ProjectFacts"/> from the files a scan found: NuGet (PackageReference and central
/// versions), npm, Python (requirements, pyproject), Cargo, Go modules and Maven manifests.
/// </summary>
public static partial class ProjectFactsReader
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

    public static ProjectFacts Read(IReadOnlyDictionary<string, string> keyConfigFiles, IEnumerable<string> files, IReadOnlyDictionary<string, long> languages)
    {
        var fileList = files.ToList();
        var dependencies = new List<Dependency>();
        var centralVersions = keyConfigFiles.Where(c => c.Key.EndsWith("Directory.Packages.props", StringComparison.OrdinalIgnoreCase))
            .SelectMany(c => Xml(c.Value)?.Descendants().Where(e => e.Name.LocalName == "PackageVersion") ?? [])
            .Where(e => e.Attribute("Include") is not null)
            .GroupBy(e => e.Attribute("Include")!.Value, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Attribute("Version")?.Value, StringComparer.OrdinalIgnoreCase);

        foreach (var (path, content) in keyConfigFiles)
        {
            var name = Path.GetFileName(path);
            try
            {
                if (name.EndsWith("proj", StringComparison.OrdinalIgnoreCase) && name.Contains(".cs", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase))
                {
                    var isTest = name.Contains("Test", StringComparison.OrdinalIgnoreCase);
                    foreach (var reference in Xml(content)?.Descendants().Where(e => e.Name.LocalName == "PackageReference") ?? [])
                    {
                        var package = reference.Attribute("Include")?.Value;
                        if (package is null)
                        {
                            continue;
                        }

                        var version = reference.Attribute("Version")?.Value ?? centralVersions.GetValueOrDefault(package);
                        dependencies.Add(new Dependency(package, version, "nuget", isTest ? "test" : "runtime", path));
                    }
                }
                else if (name == "package.json")
                {
                    using var document = JsonDocument.Parse(content);
                    foreach (var (section, scope) in new[] { ("dependencies", "runtime"), ("devDependencies", "dev"), ("peerDependencies", "runtime") })
                    {
                        if (document.RootElement.TryGetProperty(section, out var deps) && deps.ValueKind == JsonValueKind.Object)
                        {
                            dependencies.AddRange(deps.EnumerateObject().Select(d => new Dependency(d.Name, d.Value.ToString(), "npm", scope, path)));
                        }
                    }
                }
                else if (name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                {
                    var scope = name.Contains("dev", StringComparison.OrdinalIgnoreCase) || name.Contains("test", StringComparison.OrdinalIgnoreCase) ? "dev" : "runtime";
                    foreach (Match m in Requirement().Matches(content))
                    {
                        dependencies.Add(new Dependency(m.Groups["name"].Value, ValueOrNull(m.Groups["version"]), "pypi", scope, path));
                    }
                }
                else if (name == "pyproject.toml")
                {
                    foreach (Match array in TomlArray().Matches(content))
                    {
                        var scope = array.Groups["key"].Value == "dependencies" ? "runtime" : "dev";
                        foreach (Match item in QuotedRequirement().Matches(array.Groups["items"].Value))
                        {
                            dependencies.Add(new Dependency(item.Groups["name"].Value, ValueOrNull(item.Groups["version"]), "pypi", scope, path));
                        }
                    }
                }
                else if (name == "Cargo.toml")
                {
                    foreach (Match section in TomlSection().Matches(content))
                    {
                        var header = section.Groups["header"].Value;
                        if (header is not ("dependencies" or "dev-dependencies" or "build-dependencies"))
                        {
                            continue;
                        }

                        foreach (Match entry in CargoEntry().Matches(section.Groups["body"].Value))
                        {
                            var version = entry.Groups["plain"].Success ? entry.Groups["plain"].Value : ValueOrNull(entry.Groups["table"]);
                            dependencies.Add(new Dependency(entry.Groups["name"].Value, version, "cargo", header == "dependencies" ? "runtime" : "dev", path));
                        }
                    }
                }
                else if (name == "go.mod")
                {
                    foreach (Match m in GoRequire().Matches(content))
                    {
                        dependencies.Add(new Dependency(m.Groups["name"].Value, m.Groups["version"].Value, "go", m.Value.Contains("// indirect", StringComparison.Ordinal) ? "indirect" : "runtime", path));
                    }
                }
                else if (name == "pom.xml")
                {
                    foreach (var dep in Xml(content)?.Descendants().Where(e => e.Name.LocalName == "dependency") ?? [])
                    {
                        string? Child(string local) => dep.Elements().FirstOrDefault(e => e.Name.LocalName == local)?.Value;
                        if (Child("groupId") is { } group && Child("artifactId") is { } artifact)
                        {
                            dependencies.Add(new Dependency($"{group}:{artifact}", Child("version"), "maven", Child("scope") ?? "runtime", path));
                        }
                    }
                }
            }
            catch (Exception e) when (e is JsonException or System.Xml.XmlException)
            {
                // A manifest that does not parse contributes nothing; the rest still counts.
            }
        }

        var names = dependencies.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var frameworks = KnownFrameworks.Where(f => names.Contains(f.Package)).Select(f => f.Framework).ToList();
        if (keyConfigFiles.Any(c => c.Value.Contains("Microsoft.NET.Sdk.Web", StringComparison.Ordinal)))
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
            dependencies);
    }

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

    private static XDocument? Xml(string content)
    {
        try
        {
            return XDocument.Parse(content);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string? ValueOrNull(Group group) => group.Success && group.Length > 0 ? group.Value : null;

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z0-9][A-Za-z0-9._\-]*)(?:\[[^\]]*\])?\s*(?:(?:==|>=|~=|<=|>|<|!=)\s*(?<version>[^\s;,#]+))?", RegexOptions.Multiline)]
    private static partial Regex Requirement();

    [GeneratedRegex(@"^(?<key>dependencies|[A-Za-z0-9_\-]+)\s*=\s*\[(?<items>[^\]]*)\]", RegexOptions.Multiline)]
    private static partial Regex TomlArray();

    [GeneratedRegex("""["'](?<name>[A-Za-z0-9][A-Za-z0-9._\-]*)(?:\[[^\]]*\])?\s*(?:(?:==|>=|~=|<=|>|<|!=)\s*(?<version>[^"',;\s]+))?[^"']*["']""")]
    private static partial Regex QuotedRequirement();

    [GeneratedRegex(@"^\[(?<header>[^\]]+)\]\s*$(?<body>(?:(?!^\[).*\n?)*)", RegexOptions.Multiline)]
    private static partial Regex TomlSection();

    [GeneratedRegex("""^\s*(?<name>[A-Za-z0-9_\-]+)\s*=\s*(?:"(?<plain>[^"]*)"|\{[^}]*?version\s*=\s*"(?<table>[^"]*)"[^}]*\}|\{[^}]*\})""", RegexOptions.Multiline)]
    private static partial Regex CargoEntry();

    [GeneratedRegex(@"^\s*(?:require\s+)?(?<name>[a-z0-9.\-]+\.[a-z]+/[^\s]+)\s+(?<version>v[0-9][^\s]*)(?:\s*//\s*indirect)?", RegexOptions.Multiline)]
    private static partial Regex GoRequire();
}
