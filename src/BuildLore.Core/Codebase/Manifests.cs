using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Tomlyn;
using Tomlyn.Model;

namespace BuildLore.Core.Codebase;

/// <summary>A manifest's text as read for its dependencies: the whole file up to a cap, redacted.</summary>
/// <param name="Path">Relative to the workspace root, with '/' separators.</param>
/// <param name="Text">The file's text, secrets redacted as in build logs.</param>
/// <param name="Cut">True when the file is longer than the cap and only its beginning was read.</param>
public sealed record ManifestText(string Path, string Text, bool Cut);

/// <summary>
/// How completely the dependencies were read, so a client never mistakes a partial list for the whole:
/// manifests read, those cut at the size cap, those that did not parse, and those past the count cap.
/// </summary>
public sealed record ManifestCoverage(int Read, IReadOnlyList<string> Cut, IReadOnlyList<string> Unparsable, IReadOnlyList<string> Skipped, int SkippedCount)
{
    public static readonly ManifestCoverage None = new(0, [], [], [], 0);

    /// <summary>True when some manifest was not read whole: cut at the size cap, or not read at all past the count cap.</summary>
    public bool Truncated => Cut.Count > 0 || SkippedCount > 0;
}

/// <summary>
/// Dependencies from each manifest format, parsed as its own tool reads it: MSBuild XML (with central
/// versions and Directory.Build.props), package.json, requirements files and pyproject.toml (PEP 621,
/// PEP 735 groups, Poetry, build-system), Cargo.toml (every dependency table, target-specific and
/// workspace-inherited), go.mod and Maven POMs (scopes, dependencyManagement, ${properties}).
/// </summary>
internal static partial class Manifests
{
    public static bool IsManifest(string relative)
    {
        var name = System.IO.Path.GetFileName(relative);
        return name is "package.json" or "pyproject.toml" or "Cargo.toml" or "go.mod" or "pom.xml"
                   or "Directory.Build.props" or "Directory.Build.targets" or "Directory.Packages.props"
               || IsProject(name)
               || name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsProject(string name) =>
        name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".vbproj", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every dependency the manifests declare; the paths of those that did not parse go to <paramref name="unparsable"/>.</summary>
    public static List<Dependency> Read(IReadOnlyList<ManifestText> manifests, List<string> unparsable)
    {
        var dependencies = new List<Dependency>();
        var msbuild = new MsBuildContext(manifests);
        var cargoWorkspaces = new Dictionary<string, TomlTable>(StringComparer.Ordinal);
        var cargo = new List<(ManifestText Manifest, TomlTable Toml)>();
        foreach (var manifest in manifests)
        {
            var name = System.IO.Path.GetFileName(manifest.Path);
            try
            {
                if (IsProject(name) || name is "Directory.Build.props" or "Directory.Build.targets" or "Directory.Packages.props")
                {
                    msbuild.Read(manifest, dependencies);
                }
                else if (name == "package.json")
                {
                    Npm(manifest, dependencies);
                }
                else if (name == "pyproject.toml")
                {
                    PyProject(manifest, Toml(manifest.Text), dependencies);
                }
                else if (name == "Cargo.toml")
                {
                    var toml = Toml(manifest.Text);
                    cargo.Add((manifest, toml));
                    if (Table(toml, "workspace") is { } workspace)
                    {
                        cargoWorkspaces[Folder(manifest.Path)] = workspace;
                    }
                }
                else if (name == "go.mod")
                {
                    GoMod(manifest, dependencies);
                }
                else if (name == "pom.xml")
                {
                    Maven(manifest, dependencies);
                }
                else
                {
                    Requirements(manifest, dependencies);
                }
            }
            catch (Exception e) when (e is JsonException or System.Xml.XmlException or TomlException or InvalidCastException)
            {
                unparsable.Add(manifest.Path);
            }
        }

        // Members inherit from the nearest workspace above them, so every workspace is known first.
        foreach (var (manifest, toml) in cargo)
        {
            Cargo(manifest, toml, NearestAncestor(cargoWorkspaces, manifest.Path), dependencies);
        }

        return dependencies;
    }

    // ---------------------------------------------------------------- NuGet / MSBuild

    /// <summary>
    /// MSBuild's view of package references: a project's own PackageReference items (version as an
    /// attribute or a child element, VersionOverride winning), the central versions of the nearest
    /// Directory.Packages.props above it (then those further up, as an import of the parent would give),
    /// references and GlobalPackageReference items in Directory.Build.props and Directory.Packages.props,
    /// and $(Property) versions from the project and the Directory.Build.props above it.
    /// </summary>
    private sealed class MsBuildContext
    {
        private readonly Dictionary<string, Dictionary<string, string?>> _centralVersions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, string>> _buildProperties = new(StringComparer.Ordinal);

        public MsBuildContext(IReadOnlyList<ManifestText> manifests)
        {
            foreach (var manifest in manifests)
            {
                var name = System.IO.Path.GetFileName(manifest.Path);
                if (name is not ("Directory.Packages.props" or "Directory.Build.props") || TryXml(manifest.Text) is not { } xml)
                {
                    continue;
                }

                if (name == "Directory.Packages.props")
                {
                    _centralVersions[Folder(manifest.Path)] = Items(xml, "PackageVersion")
                        .Where(e => Include(e) is not null)
                        .GroupBy(e => Include(e)!, StringComparer.OrdinalIgnoreCase)
                        .ToDictionary(g => g.Key, g => Metadata(g.First(), "Version"), StringComparer.OrdinalIgnoreCase);
                }
                else
                {
                    _buildProperties[Folder(manifest.Path)] = Properties(xml);
                }
            }
        }

        public void Read(ManifestText manifest, List<Dependency> dependencies)
        {
            var xml = XDocument.Parse(manifest.Text);
            var name = System.IO.Path.GetFileName(manifest.Path);
            var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (_, inherited) in Ancestors(_buildProperties, manifest.Path).Reverse())
            {
                foreach (var (key, value) in inherited)
                {
                    properties[key] = value;
                }
            }

            foreach (var (key, value) in Properties(xml))
            {
                properties[key] = value;
            }

            var isTest = IsProject(name) && (System.IO.Path.GetFileNameWithoutExtension(name).Contains("Test", StringComparison.OrdinalIgnoreCase)
                                             || properties.GetValueOrDefault("IsTestProject")?.Equals("true", StringComparison.OrdinalIgnoreCase) == true);
            var references = Items(xml, "PackageReference").Select(e => (Element: e, Global: false))
                .Concat(Items(xml, "GlobalPackageReference").Select(e => (Element: e, Global: true)));
            foreach (var (reference, global) in references)
            {
                // Update items only change references made elsewhere; they declare nothing themselves.
                if (Include(reference) is not { } package)
                {
                    continue;
                }

                var version = Metadata(reference, "VersionOverride") ?? Metadata(reference, "Version")
                              ?? (name == "Directory.Packages.props" ? null : CentralVersion(manifest.Path, package));
                var privateAssets = Metadata(reference, "PrivateAssets")?.Equals("all", StringComparison.OrdinalIgnoreCase) == true;
                var scope = isTest ? "test" : global || privateAssets ? "dev" : "runtime";
                dependencies.Add(new Dependency(package, Expand(version, properties), "nuget", scope, manifest.Path));
            }
        }

        private string? CentralVersion(string path, string package)
        {
            foreach (var (_, versions) in Ancestors(_centralVersions, path))
            {
                if (versions.TryGetValue(package, out var version))
                {
                    return version;
                }
            }

            return null;
        }

        private static IEnumerable<XElement> Items(XDocument xml, string item) => xml.Descendants().Where(e => e.Name.LocalName == item);

        private static string? Include(XElement item) => item.Attribute("Include")?.Value is { Length: > 0 } include ? include.Trim() : null;

        /// <summary>Item metadata, as MSBuild allows it: an attribute or a child element.</summary>
        private static string? Metadata(XElement item, string name) =>
            (item.Attribute(name)?.Value ?? item.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value)?.Trim() is { Length: > 0 } value ? value : null;

        private static Dictionary<string, string> Properties(XDocument xml)
        {
            var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var group in xml.Descendants().Where(e => e.Name.LocalName == "PropertyGroup"))
            {
                foreach (var property in group.Elements())
                {
                    properties[property.Name.LocalName] = property.Value.Trim();
                }
            }

            return properties;
        }

        private static string? Expand(string? version, Dictionary<string, string> properties) =>
            version is null ? null : MsBuildProperty().Replace(version, m => properties.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")]
    private static partial Regex MsBuildProperty();

    // ---------------------------------------------------------------- npm

    private static void Npm(ManifestText manifest, List<Dependency> dependencies)
    {
        using var document = JsonDocument.Parse(manifest.Text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("package.json is not an object");
        }

        foreach (var (section, scope) in (ReadOnlySpan<(string, string)>)[("dependencies", "runtime"), ("devDependencies", "dev"), ("peerDependencies", "runtime"), ("optionalDependencies", "runtime")])
        {
            if (document.RootElement.TryGetProperty(section, out var deps) && deps.ValueKind == JsonValueKind.Object)
            {
                dependencies.AddRange(deps.EnumerateObject().Select(d => new Dependency(d.Name, d.Value.ToString(), "npm", scope, manifest.Path)));
            }
        }
    }

    // ---------------------------------------------------------------- Python

    private static void Requirements(ManifestText manifest, List<Dependency> dependencies)
    {
        var name = System.IO.Path.GetFileName(manifest.Path);
        var scope = name.Contains("test", StringComparison.OrdinalIgnoreCase) ? "test"
            : name.Contains("dev", StringComparison.OrdinalIgnoreCase) ? "dev"
            : "runtime";
        foreach (var line in manifest.Text.Split('\n'))
        {
            // Options (-r other.txt, -e ., --index-url) are not requirements.
            if (Pep508(line.Trim()) is { } requirement && !line.TrimStart().StartsWith('-'))
            {
                dependencies.Add(new Dependency(requirement.Name, requirement.Version, "pypi", scope, manifest.Path));
            }
        }
    }

    /// <summary>
    /// pyproject.toml: [project] dependencies and optional-dependencies (PEP 621), [dependency-groups]
    /// (PEP 735), Poetry's dependencies, dev-dependencies and groups, and [build-system] requires.
    /// Nothing else: keywords, classifiers and tool settings are arrays too, not dependencies.
    /// </summary>
    private static void PyProject(ManifestText manifest, TomlTable toml, List<Dependency> dependencies)
    {
        void AddRequirements(object? array, string scope)
        {
            foreach (var item in Array(array))
            {
                if (item is string text && Pep508(text) is { } requirement)
                {
                    dependencies.Add(new Dependency(requirement.Name, requirement.Version, "pypi", scope, manifest.Path));
                }
            }
        }

        void AddPoetry(TomlTable? table, string scope)
        {
            foreach (var (name, spec) in table ?? [])
            {
                if (!name.Equals("python", StringComparison.OrdinalIgnoreCase))
                {
                    var version = spec switch { string s => s, TomlTable t => Text(t, "version"), _ => null };
                    dependencies.Add(new Dependency(name, version is "*" or "" ? null : version, "pypi", scope, manifest.Path));
                }
            }
        }

        var project = Table(toml, "project");
        AddRequirements(project?.GetValueOrDefault("dependencies"), "runtime");
        foreach (var (group, array) in Table(project, "optional-dependencies") ?? [])
        {
            AddRequirements(array, GroupScope(group, "runtime"));
        }

        foreach (var (group, array) in Table(toml, "dependency-groups") ?? [])
        {
            AddRequirements(array, GroupScope(group, "dev"));
        }

        AddRequirements(Table(toml, "build-system")?.GetValueOrDefault("requires"), "dev");
        var poetry = Table(Table(toml, "tool"), "poetry");
        AddPoetry(Table(poetry, "dependencies"), "runtime");
        AddPoetry(Table(poetry, "dev-dependencies"), "dev");
        foreach (var (group, table) in Table(poetry, "group") ?? [])
        {
            AddPoetry(Table(table as TomlTable, "dependencies"), GroupScope(group, "dev"));
        }
    }

    /// <summary>The scope of a named group of Python dependencies (an extra, a PEP 735 group, a Poetry group).</summary>
    private static string GroupScope(string group, string otherwise) =>
        group.Contains("test", StringComparison.OrdinalIgnoreCase) ? "test"
        : group is "main" or "runtime" ? "runtime"
        : group.ToLowerInvariant() is "dev" or "develop" or "development" or "lint" or "linting" or "docs" or "doc" or "typing" or "types" or "style" or "format" or "tools" or "build" ? "dev"
        : otherwise;

    private static (string Name, string? Version)? Pep508(string requirement)
    {
        var match = Pep508Pattern().Match(requirement);
        return match.Success ? (match.Groups["name"].Value, match.Groups["version"] is { Success: true, Length: > 0 } v ? v.Value : null) : null;
    }

    // Name, extras in brackets (which hold commas: "uvicorn[standard,socks]"), then the first version clause.
    [GeneratedRegex(@"^\s*(?<name>[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*\(?\s*(?:(?:===|==|>=|~=|<=|>|<|!=)\s*(?<version>[^\s;,#)]+))?")]
    private static partial Regex Pep508Pattern();

    // ---------------------------------------------------------------- Cargo

    private static readonly (string Table, string Scope)[] CargoTables = [("dependencies", "runtime"), ("dev-dependencies", "dev"), ("build-dependencies", "dev")];

    /// <summary>
    /// Cargo.toml: [dependencies], [dev-dependencies] and [build-dependencies] (also written
    /// [dependencies.name]), the same under [target.'cfg(...)'], and [workspace.dependencies]; a member's
    /// "workspace = true" takes its version from the nearest workspace above it.
    /// </summary>
    private static void Cargo(ManifestText manifest, TomlTable toml, TomlTable? workspace, List<Dependency> dependencies)
    {
        var inherited = Table(workspace, "dependencies");
        void AddTable(TomlTable? table, string scope)
        {
            foreach (var (key, spec) in table ?? [])
            {
                var detail = spec as TomlTable;
                var name = Text(detail, "package") ?? key;
                var version = spec as string ?? Text(detail, "version");
                if (version is null && detail?.GetValueOrDefault("workspace") is true && inherited?.GetValueOrDefault(key) is { } shared)
                {
                    version = shared as string ?? Text(shared as TomlTable, "version");
                }

                dependencies.Add(new Dependency(name, version, "cargo", scope, manifest.Path));
            }
        }

        foreach (var (table, scope) in CargoTables)
        {
            AddTable(Table(toml, table), scope);
        }

        foreach (var (_, target) in Table(toml, "target") ?? [])
        {
            foreach (var (table, scope) in CargoTables)
            {
                AddTable(Table(target as TomlTable, table), scope);
            }
        }

        AddTable(Table(Table(toml, "workspace"), "dependencies"), "runtime");
    }

    // ---------------------------------------------------------------- Go

    /// <summary>go.mod's require directives (one line or a block); replace, exclude and retract lines declare nothing.</summary>
    private static void GoMod(ManifestText manifest, List<Dependency> dependencies)
    {
        string? block = null;
        foreach (var raw in manifest.Text.Split('\n'))
        {
            var indirect = raw.Contains("// indirect", StringComparison.Ordinal);
            var line = raw.Split("//", 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (block is not null)
            {
                if (line == ")")
                {
                    block = null;
                }
                else if (block == "require")
                {
                    AddGo(line, indirect);
                }

                continue;
            }

            var words = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (words is [var directive, var rest])
            {
                if (rest.Trim() == "(")
                {
                    block = directive;
                }
                else if (directive == "require")
                {
                    AddGo(rest, indirect);
                }
            }
        }

        void AddGo(string requirement, bool indirect)
        {
            var parts = requirement.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts is [var module, var version, ..])
            {
                dependencies.Add(new Dependency(module.Trim('"'), version, "go", indirect ? "indirect" : "runtime", manifest.Path));
            }
        }
    }

    // ---------------------------------------------------------------- Maven

    /// <summary>
    /// A POM's dependencies (of the project and of its profiles) with Maven's scopes mapped to
    /// runtime or test, versions from dependencyManagement when not given, ${properties} expanded
    /// from &lt;properties&gt; and the project's own coordinates; build plugins' dependencies count as dev.
    /// </summary>
    private static void Maven(ManifestText manifest, List<Dependency> dependencies)
    {
        var project = XDocument.Parse(manifest.Text).Root ?? throw new System.Xml.XmlException("pom.xml has no root element");
        static IEnumerable<XElement> Children(XElement? parent, string name) => parent?.Elements().Where(e => e.Name.LocalName == name) ?? [];
        static string? Value(XElement? parent, string name) => Children(parent, name).FirstOrDefault()?.Value.Trim();

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in Children(project, "properties").SelectMany(p => p.Elements()))
        {
            properties[property.Name.LocalName] = property.Value.Trim();
        }

        var parent = Children(project, "parent").FirstOrDefault();
        var version = Value(project, "version") ?? Value(parent, "version");
        var groupId = Value(project, "groupId") ?? Value(parent, "groupId");
        foreach (var (key, value) in (ReadOnlySpan<(string, string?)>)[("project.version", version), ("version", version), ("pom.version", version), ("project.groupId", groupId), ("project.artifactId", Value(project, "artifactId")), ("project.parent.version", Value(parent, "version"))])
        {
            if (value is not null)
            {
                properties.TryAdd(key, value);
            }
        }

        string? Expand(string? text)
        {
            // Properties may refer to properties; a few rounds settle any sensible chain and stop a cycle.
            for (var round = 0; text is not null && round < 5 && text.Contains("${", StringComparison.Ordinal); round++)
            {
                text = MavenProperty().Replace(text, m => properties.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
            }

            return text;
        }

        var managed = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var dep in Children(project, "dependencyManagement").SelectMany(m => Children(m, "dependencies")).SelectMany(d => Children(d, "dependency")))
        {
            managed.TryAdd($"{Expand(Value(dep, "groupId"))}:{Expand(Value(dep, "artifactId"))}", Value(dep, "version"));
        }

        var declared = Children(project, "dependencies")
            .Concat(Children(project, "profiles").SelectMany(p => Children(p, "profile")).SelectMany(p => Children(p, "dependencies")))
            .SelectMany(d => Children(d, "dependency"))
            .Select(d => (Dependency: d, Plugin: false))
            .Concat(Children(project, "build").SelectMany(b => Children(b, "plugins")).SelectMany(p => Children(p, "plugin"))
                .SelectMany(p => Children(p, "dependencies")).SelectMany(d => Children(d, "dependency")).Select(d => (Dependency: d, Plugin: true)));
        foreach (var (dep, plugin) in declared)
        {
            if (Expand(Value(dep, "groupId")) is not { } group || Expand(Value(dep, "artifactId")) is not { } artifact)
            {
                continue;
            }

            var name = $"{group}:{artifact}";
            var scope = plugin ? "dev" : Value(dep, "scope")?.ToLowerInvariant() switch
            {
                "test" => "test",
                _ => "runtime", // compile (the default), runtime, provided and system are all needed to run
            };
            dependencies.Add(new Dependency(name, Expand(Value(dep, "version") ?? managed.GetValueOrDefault(name)), "maven", scope, manifest.Path));
        }
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex MavenProperty();

    // ---------------------------------------------------------------- helpers

    private static TomlTable Toml(string text) => TomlSerializer.Deserialize<TomlTable>(text) ?? throw new TomlException("empty document");

    private static XDocument? TryXml(string text)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static TomlTable? Table(TomlTable? table, string key) => table?.GetValueOrDefault(key) as TomlTable;

    private static string? Text(TomlTable? table, string key) => table?.GetValueOrDefault(key) as string;

    private static IEnumerable<object?> Array(object? value) => value as TomlArray ?? (IEnumerable<object?>)[];

    private static object? GetValueOrDefault(this TomlTable table, string key) => table.TryGetValue(key, out var value) ? value : null;

    private static string Folder(string path) => path.LastIndexOf('/') is var slash and >= 0 ? path[..slash] : "";

    /// <summary>The entries keyed by the folders above <paramref name="path"/> (its own first, the root last).</summary>
    private static IEnumerable<(string Folder, T Value)> Ancestors<T>(Dictionary<string, T> byFolder, string path)
    {
        var folder = Folder(path);
        while (true)
        {
            if (byFolder.TryGetValue(folder, out var value))
            {
                yield return (folder, value);
            }

            if (folder.Length == 0)
            {
                yield break;
            }

            folder = Folder(folder);
        }
    }

    private static T? NearestAncestor<T>(Dictionary<string, T> byFolder, string path) where T : class =>
        Ancestors(byFolder, path).Select(a => a.Value).FirstOrDefault();
}
