using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BuildLore.Client;

namespace BuildLore.Agent;

/// <summary>
/// The offline <c>dependency_audit</c>: what can be told from the manifests alone. Deprecated packages with a
/// known successor, versions that float (ranges, wildcards, no version at all), pre-release versions, one
/// package declared at different versions, and packages of a family that ships in lockstep (ASP.NET Core,
/// Angular, ...) on different major versions, whose older members are outdated. Versions are not compared
/// with the registries: that needs the network, which the built-in analyzer never uses.
/// </summary>
internal static partial class DependencyAudit
{
    /// <summary>What was found, what to do about it, and how sure the audit is that it matters.</summary>
    private sealed record Finding(string Kind, string Text, string Advice, double Confidence, IReadOnlyList<string> Manifests);

    // Packages whose maintainers deprecated them, with what replaces them.
    private static readonly Dictionary<(string Ecosystem, string Name), string> Deprecated = new()
    {
        [("nuget", "system.data.sqlclient")] = "Microsoft.Data.SqlClient",
        [("nuget", "windowsazure.storage")] = "Azure.Storage.Blobs (and the other Azure.Storage.* packages)",
        [("nuget", "microsoft.azure.storage.blob")] = "Azure.Storage.Blobs",
        [("nuget", "microsoft.azure.servicebus")] = "Azure.Messaging.ServiceBus",
        [("nuget", "microsoft.azure.eventhubs")] = "Azure.Messaging.EventHubs",
        [("nuget", "microsoft.azure.documentdb.core")] = "Microsoft.Azure.Cosmos",
        [("nuget", "microsoft.extensions.platformabstractions")] = "AppContext and RuntimeInformation from the base library",
        [("npm", "request")] = "the built-in fetch (Node 18+) or undici",
        [("npm", "node-sass")] = "sass (Dart Sass)",
        [("npm", "tslint")] = "eslint with typescript-eslint",
        [("npm", "babel-eslint")] = "@babel/eslint-parser",
        [("npm", "left-pad")] = "String.prototype.padStart",
        [("npm", "moment")] = "date-fns, Luxon or Temporal (moment is in maintenance mode)",
        [("pypi", "nose")] = "pytest",
        [("pypi", "pycrypto")] = "pycryptodome",
        [("pypi", "sklearn")] = "scikit-learn (the 'sklearn' package is a deprecated alias)",
        [("maven", "junit:junit")] = "JUnit 5 (org.junit.jupiter:junit-jupiter)",
    };

    // Families whose packages are released together: members on different major versions do not belong together.
    private static readonly string[] NuGetFamilies = ["Microsoft.AspNetCore.", "Microsoft.EntityFrameworkCore", "Microsoft.Extensions.", "Microsoft.CodeAnalysis"];
    private static readonly string[] NpmFamilies = ["@angular/", "@nestjs/", "@babel/", "@storybook/", "@nx/", "@aws-sdk/", "@sentry/", "@docusaurus/"];
    private static readonly string[] MavenFamilies = ["org.springframework.boot", "org.springframework", "com.fasterxml.jackson.core", "io.netty", "org.junit.jupiter", "io.micrometer"];

    public static AgentAnalysis? Audit(IReadOnlyList<DependencyInfo> dependencies)
    {
        if (dependencies.Count == 0)
        {
            return null;
        }

        var findings = new List<Finding>();
        findings.AddRange(DeprecatedPackages(dependencies));
        findings.AddRange(Drift(dependencies));
        findings.AddRange(FamilyMismatch(dependencies));
        findings.AddRange(Floating(dependencies));
        findings.AddRange(Prereleases(dependencies));
        findings.AddRange(Unstable(dependencies));
        findings = [.. findings.OrderByDescending(f => f.Confidence)];

        var text = new StringBuilder();
        var manifests = dependencies.Select(d => d.Manifest).Distinct(StringComparer.Ordinal).Count();
        var ecosystems = string.Join(", ", dependencies.GroupBy(d => d.Ecosystem).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        text.Append(CultureInfo.InvariantCulture, $"Audited {dependencies.Count} declared dependencies ({ecosystems}) in {manifests} manifest(s). ");
        text.Append(findings.Count == 0
            ? "The offline checks found nothing to change: no deprecated packages, floating or pre-release versions, or version drift."
            : $"{findings.Count} finding(s):");
        foreach (var finding in findings)
        {
            text.Append("\n- ").Append(finding.Text);
        }

        text.Append("\nVersions were not compared with the package registries (the built-in analyzer works offline); a registry audit (npm audit, dotnet list package --outdated --vulnerable, pip-audit) covers known vulnerabilities.");

        var top = findings.FirstOrDefault();
        return new AgentAnalysis(text.ToString(), [.. findings.Select(f => (f.Advice, f.Confidence))], findings.Count == 0 ? 0.6 : 0.85)
        {
            RootCause = top?.Text,
            Category = top?.Kind,
            AffectedFiles = [.. findings.SelectMany(f => f.Manifests).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(m => new AffectedFile { Path = m })],
            Model = RuleBasedAnalyzer.ModelName,
        };
    }

    private static IEnumerable<Finding> DeprecatedPackages(IReadOnlyList<DependencyInfo> dependencies) =>
        dependencies
            .Select(d => (Dependency: d, Replacement: Deprecated.GetValueOrDefault((d.Ecosystem, d.Name.ToLowerInvariant()))))
            .Where(x => x.Replacement is not null)
            .GroupBy(x => (x.Dependency.Ecosystem, Name: x.Dependency.Name.ToLowerInvariant()))
            .Select(g =>
            {
                var (dependency, replacement) = g.First();
                var manifests = Manifests(g.Select(x => x.Dependency));
                return new Finding("deprecated_dependency",
                    $"{dependency.Name} ({g.Key.Ecosystem}) is deprecated; its successor is {replacement}.",
                    $"Replace {dependency.Name} with {replacement} ({In(manifests)}).",
                    0.9, manifests);
            });

    private static IEnumerable<Finding> Drift(IReadOnlyList<DependencyInfo> dependencies)
    {
        foreach (var group in dependencies.Where(d => !string.IsNullOrWhiteSpace(d.Version)).GroupBy(d => (d.Ecosystem, Name: Normalize(d))))
        {
            var versions = group.Select(d => d.Version!.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (versions.Count < 2)
            {
                continue;
            }

            var name = group.First().Name;
            var manifests = Manifests(group);
            var declared = string.Join(", ", group.Select(d => $"{d.Version} ({d.Scope}, {d.Manifest})").Distinct(StringComparer.Ordinal));
            var releases = versions.Select(VersionKey).Distinct(VersionComparer.Instance).ToList();
            if (releases.Count == 1)
            {
                // "^18.2.0" and "18.2.0": one release, written two ways.
                yield return new Finding("version_drift",
                    $"{name} is declared {versions.Count} ways for the same release: {declared}.",
                    $"Declare {name} one way everywhere ({In(manifests)}), exact or as the same range.",
                    0.7, manifests);
                continue;
            }

            var newest = versions.OrderByDescending(VersionKey, VersionComparer.Instance).First();
            yield return new Finding("version_drift",
                $"{name} is declared at {versions.Count} versions: {declared}; the older ones are behind {newest}.",
                $"Align {name} on {newest} ({In(manifests)}){(group.Key.Ecosystem == "nuget" ? ", e.g. with central package management (Directory.Packages.props)" : "")}.",
                0.85, manifests);
        }
    }

    private static IEnumerable<Finding> FamilyMismatch(IReadOnlyList<DependencyInfo> dependencies)
    {
        var members = dependencies
            .Select(d => (Dependency: d, Family: Family(d), Major: Major(d.Version)))
            .Where(x => x.Family is not null && x.Major is not null)
            .GroupBy(x => (x.Dependency.Ecosystem, x.Family));
        foreach (var family in members)
        {
            var newest = family.Max(x => x.Major!.Value);
            var behind = family.Where(x => x.Major < newest).Select(x => x.Dependency).DistinctBy(d => d.Name).ToList();
            if (behind.Count == 0)
            {
                continue;
            }

            var label = family.Key.Family!.TrimEnd('.', '/');
            var names = string.Join(", ", behind.Take(8).Select(d => $"{d.Name} {d.Version}"));
            yield return new Finding("outdated_dependency",
                $"{label} packages are released together, but {names} {(behind.Count == 1 ? "is" : "are")} on an older major version than {newest}.",
                $"Upgrade {string.Join(", ", behind.Take(8).Select(d => d.Name))} to {newest}.x with the rest of {label}.",
                0.8, Manifests(behind));
        }
    }

    private static IEnumerable<Finding> Floating(IReadOnlyList<DependencyInfo> dependencies)
    {
        foreach (var group in dependencies.Where(IsFloating).GroupBy(d => (d.Ecosystem, Runtime: IsRuntime(d))))
        {
            var list = group.ToList();
            var manifests = Manifests(list);
            var names = string.Join(", ", list.Take(10).Select(d => string.IsNullOrWhiteSpace(d.Version) ? $"{d.Name} (no version)" : $"{d.Name} ({d.Version})"));
            var more = list.Count > 10 ? $" and {list.Count - 10} more" : "";
            var where = group.Key.Runtime ? "" : " (development only)";
            var lockFile = group.Key.Ecosystem switch
            {
                "npm" => " or install with npm ci from a committed package-lock.json",
                "pypi" => " (== in requirements) or install from a lock file",
                "cargo" => " or commit Cargo.lock",
                "nuget" => " or restore from committed packages.lock.json files",
                _ => "",
            };
            yield return new Finding("unpinned_dependency",
                $"{list.Count} {group.Key.Ecosystem} dependenc{(list.Count == 1 ? "y floats" : "ies float")}{where}: {names}{more}; each install may resolve a different version.",
                $"Pin {string.Join(", ", list.Take(10).Select(d => d.Name))}{more} to exact versions{lockFile} ({In(manifests)}).",
                group.Key.Runtime ? 0.75 : 0.6, manifests);
        }
    }

    private static IEnumerable<Finding> Prereleases(IReadOnlyList<DependencyInfo> dependencies)
    {
        foreach (var group in dependencies.Where(IsPrerelease).GroupBy(IsRuntime))
        {
            var list = group.ToList();
            var names = string.Join(", ", list.Take(10).Select(d => $"{d.Name} {d.Version}"));
            yield return new Finding("prerelease_dependency",
                $"{list.Count} pre-release version(s){(group.Key ? "" : " in development dependencies")}: {names}.",
                $"Move {string.Join(", ", list.Take(10).Select(d => d.Name))} to a stable release when one exists ({In(Manifests(list))}).",
                group.Key ? 0.75 : 0.55, Manifests(list));
        }
    }

    private static IEnumerable<Finding> Unstable(IReadOnlyList<DependencyInfo> dependencies)
    {
        // 0.x versions promise no compatibility between minor releases; worth knowing, rarely worth acting on.
        var list = dependencies.Where(d => IsRuntime(d) && (d.Ecosystem is "npm" or "cargo" or "nuget") && Major(d.Version) == 0 && !IsPrerelease(d)).ToList();
        if (list.Count > 0)
        {
            var names = string.Join(", ", list.Take(10).Select(d => $"{d.Name} {d.Version}"));
            yield return new Finding("unstable_dependency",
                $"{list.Count} runtime dependenc{(list.Count == 1 ? "y is" : "ies are")} still at 0.x (no compatibility promise between minor versions): {names}.",
                $"Review upgrades of {string.Join(", ", list.Take(10).Select(d => d.Name))} closely: a 0.x minor release may break.",
                0.5, Manifests(list));
        }
    }

    private static string In(IReadOnlyList<string> manifests) => $"in {string.Join(", ", manifests)}";

    private static bool IsRuntime(DependencyInfo d) => d.Scope is not ("dev" or "test" or "provided" or "indirect");

    private static bool IsFloating(DependencyInfo d)
    {
        var version = d.Version?.Trim();
        if (string.IsNullOrEmpty(version))
        {
            // Maven versions often come from a parent POM or BOM; Go modules always carry one.
            return d.Ecosystem is "nuget" or "npm" or "pypi" or "cargo";
        }

        return d.Ecosystem switch
        {
            "npm" => !LocalNpm().IsMatch(version) && (FloatingNpm().IsMatch(version) || version.Contains("://", StringComparison.Ordinal) || GitHubShorthand().IsMatch(version)),
            "nuget" => version.Contains('*', StringComparison.Ordinal) || version.Contains(',', StringComparison.Ordinal),
            "cargo" => version == "*" || version.StartsWith('>'),
            "maven" => version.Contains(',', StringComparison.Ordinal) || version is "LATEST" or "RELEASE",
            _ => false,
        };
    }

    private static bool IsPrerelease(DependencyInfo d)
    {
        var version = d.Version?.Trim().TrimStart('^', '~', '=', '>', '<', 'v', '[', '(', ' ');
        if (string.IsNullOrEmpty(version))
        {
            return false;
        }

        return d.Ecosystem switch
        {
            "pypi" => PythonPrerelease().IsMatch(version),
            "maven" => MavenPrerelease().IsMatch(version),
            _ => SemverPrerelease().IsMatch(version),
        };
    }

    private static string? Family(DependencyInfo d) => d.Ecosystem switch
    {
        "nuget" => NuGetFamilies.FirstOrDefault(f => d.Name.StartsWith(f, StringComparison.OrdinalIgnoreCase)),
        "npm" => NpmFamilies.FirstOrDefault(f => d.Name.StartsWith(f, StringComparison.Ordinal)),
        "maven" => MavenFamilies.FirstOrDefault(f => d.Name.Split(':')[0] == f),
        _ => null,
    };

    private static int? Major(string? version)
    {
        var match = version is null ? null : Numbers().Match(version);
        return match is { Success: true } && int.TryParse(match.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    private static string Normalize(DependencyInfo d) => d.Ecosystem switch
    {
        "pypi" => PythonSeparators().Replace(d.Name.ToLowerInvariant(), "-"),
        "nuget" => d.Name.ToLowerInvariant(),
        _ => d.Name,
    };

    private static IReadOnlyList<string> Manifests(IEnumerable<DependencyInfo> dependencies) =>
        [.. dependencies.Select(d => d.Manifest).Distinct(StringComparer.Ordinal)];

    private static IReadOnlyList<int> VersionKey(string version) =>
        [.. Numbers().Matches(version).Select(m => int.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)];

    /// <summary>Orders version numbers part by part; missing parts count as 0, so 18.2 equals 18.2.0.</summary>
    private sealed class VersionComparer : IComparer<IReadOnlyList<int>>, IEqualityComparer<IReadOnlyList<int>>
    {
        public static VersionComparer Instance { get; } = new();

        public bool Equals(IReadOnlyList<int>? x, IReadOnlyList<int>? y) => Compare(x, y) == 0;

        public int GetHashCode(IReadOnlyList<int> version)
        {
            var hash = new HashCode();
            foreach (var part in version.Reverse().SkipWhile(p => p == 0))
            {
                hash.Add(part);
            }

            return hash.ToHashCode();
        }

        public int Compare(IReadOnlyList<int>? x, IReadOnlyList<int>? y)
        {
            x ??= [];
            y ??= [];
            for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
            {
                var order = (i < x.Count ? x[i] : 0).CompareTo(i < y.Count ? y[i] : 0);
                if (order != 0)
                {
                    return order;
                }
            }

            return 0;
        }
    }

    [GeneratedRegex(@"^(?:[\^~<>=*]|latest$|next$|x$|\d+\.x|\d+\.\d+\.x|.*\|\||.* - )", RegexOptions.IgnoreCase)]
    private static partial Regex FloatingNpm();

    [GeneratedRegex(@"^(?:file|link|workspace|portal|npm):")]
    private static partial Regex LocalNpm();

    [GeneratedRegex(@"^(?:github:)?[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:#.*)?$")]
    private static partial Regex GitHubShorthand();

    [GeneratedRegex(@"^\d+(?:\.\d+)*-[0-9A-Za-z.-]+")]
    private static partial Regex SemverPrerelease();

    [GeneratedRegex(@"\d(?:a|b|rc|c|alpha|beta|pre|preview)\d*(?:$|[.+])|\.dev\d*", RegexOptions.IgnoreCase)]
    private static partial Regex PythonPrerelease();

    [GeneratedRegex(@"-(?:SNAPSHOT|M\d+|RC\d*|alpha|beta|CR\d*)", RegexOptions.IgnoreCase)]
    private static partial Regex MavenPrerelease();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"[-_.]+")]
    private static partial Regex PythonSeparators();
}
