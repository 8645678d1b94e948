using System.Text;
using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>The scanner on real folders and real git repositories on disk.</summary>
public sealed class CodebaseScannerTests : IDisposable
{
    private const string SecretMarker = "SECRET-MARKER-7f3a";
    private const string IgnoredMarker = "IGNORED-MARKER-2b9c";
    private const string SkippedMarker = "SKIPPED-MARKER-d41e";
    private const string OutsideFile = "/etc/passwd";

    private const string PackageJson = """{ "name": "shop-web", "private": true, "scripts": { "build": "vite build" } }""";
    private const string ApiCsproj = """
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
        </Project>
        """;
    private const string AppSettings = """{ "Logging": { "LogLevel": { "Default": "Information" } } }""";
    private const string ProgramCs = "var app = WebApplication.Create(args);\napp.MapGet(\"/\", () => \"hi\");\napp.Run();\n";

    private readonly TempDirectory _temp = new("buildlore-scan");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Scan_GitRepository_ListsExactlyTheFilesGitWouldShowMinusSecretsAndNoise()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal("shop-app", snapshot.WorkspaceName);
        Assert.Equal("shop-app", snapshot.FileTree.Name);
        Assert.Equal(FileTreeNode.DirectoryType, snapshot.FileTree.Type);
        Assert.False(snapshot.TreeTruncated);
        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal)
            {
                ".gitignore",
                "assets/logo.png",
                "docs/read me ü.md",
                "logs/.gitignore",
                "logs/important.tmp",
                "logs/keep.log",
                "logs/readme.txt",
                "notes/todo.md",
                "package.json",
                "server/index.js",
                "src/Api/Api.csproj",
                "src/Api/Big.cs",
                "src/Api/Blob.cs",
                "src/Api/Program.cs",
                "src/Api/ProgramAlias.cs",
                "src/Api/appsettings.json",
                "test_main.py",
                "tests/Api.Tests/ApiTests.cs",
                "web/.gitignore",
                "web/src/App.tsx",
                "web/src/api.ts",
            },
            new SortedSet<string>(FilePaths(snapshot.FileTree), StringComparer.Ordinal));
    }

    [Fact]
    public void Scan_GitRepository_NeverShowsIgnoredSecretSkippedOrOutsideContentAnywhere()
    {
        var root = CreateGitWorkspace();
        var outside = File.ReadAllText(OutsideFile);

        var snapshot = new CodebaseScanner().Scan(root);

        var everything = AllText(snapshot);
        Assert.DoesNotContain(SecretMarker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(IgnoredMarker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(SkippedMarker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(outside[..Math.Min(outside.Length, 40)], everything, StringComparison.Ordinal);
        foreach (var name in (string[])[".env", ".env.local", "server.pem", "id_rsa", "appsettings.Development.json", "leak.py", "debug.log", "cache.tmp", "bundle.js", "node_modules", "obj", "project.assets.json"])
        {
            Assert.DoesNotContain(name, AllNames(snapshot));
        }
    }

    [Fact]
    public void Scan_GitRepository_ReturnsKeyConfigFilesWithTheirContent()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal(["package.json", "src/Api/Api.csproj", "src/Api/appsettings.json"], snapshot.KeyConfigFiles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(PackageJson, snapshot.KeyConfigFiles["package.json"]);
        Assert.Equal(ApiCsproj, snapshot.KeyConfigFiles["src/Api/Api.csproj"]);
        Assert.Equal(AppSettings, snapshot.KeyConfigFiles["src/Api/appsettings.json"]);
    }

    [Fact]
    public void Scan_GitRepository_ClassifiesBackendFrontendAndTestFiles()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal(
            ["server/index.js", "src/Api/Big.cs", "src/Api/Program.cs", "src/Api/ProgramAlias.cs"],
            snapshot.BackendFiles.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["web/src/App.tsx", "web/src/api.ts"], snapshot.FrontendFiles.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["test_main.py", "tests/Api.Tests/ApiTests.cs"], snapshot.TestFiles.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(new StructureSummary(HasBackend: true, HasFrontend: true, HasTests: true), snapshot.StructureSummary);
        Assert.Equal("Program.cs", snapshot.BackendFiles.Single(f => f.Path == "src/Api/Program.cs").Name);
    }

    [Fact]
    public void Scan_GitRepository_CountsLinesAndCapsPreviews()
    {
        var root = CreateGitWorkspace();
        var bigContent = File.ReadAllText(Path.Combine(root, "src", "Api", "Big.cs"));

        var snapshot = new CodebaseScanner().Scan(root);

        var program = snapshot.BackendFiles.Single(f => f.Path == "src/Api/Program.cs");
        Assert.Equal(3, program.Lines);
        Assert.Equal(ProgramCs, program.Preview);

        var big = snapshot.BackendFiles.Single(f => f.Path == "src/Api/Big.cs");
        Assert.Equal(1000, big.Lines);
        Assert.Equal(CodebaseScanner.PreviewLength, big.Preview.Length);
        Assert.Equal(bigContent[..CodebaseScanner.PreviewLength], big.Preview);

        // A last line without newline still counts.
        var tests = snapshot.TestFiles.Single(f => f.Path == "test_main.py");
        Assert.Equal(2, tests.Lines);

        var programNode = Find(snapshot.FileTree, "src/Api/Program.cs");
        Assert.Equal(3, programNode.Lines);
        Assert.Equal(Encoding.UTF8.GetByteCount(ProgramCs), programNode.Size);
        Assert.Null(programNode.Children);
        Assert.Equal(FileTreeNode.FileType, programNode.Type);
    }

    [Fact]
    public void Scan_GitRepository_ListsBinaryFilesWithoutPreview()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        var blob = Find(snapshot.FileTree, "src/Api/Blob.cs");
        Assert.Equal(2048, blob.Size);
        Assert.DoesNotContain(snapshot.BackendFiles, f => f.Path == "src/Api/Blob.cs");
        Assert.Equal(4096, Find(snapshot.FileTree, "assets/logo.png").Size);
        Assert.DoesNotContain('\0', AllText(snapshot));
    }

    [Fact]
    public void Scan_GitRepository_FollowsSymlinksThatStayInsideTheWorkspace()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        var alias = snapshot.BackendFiles.Single(f => f.Path == "src/Api/ProgramAlias.cs");
        Assert.Equal(ProgramCs, alias.Preview);
    }

    [Fact]
    public void Scan_GitRepository_SkipsTrackedFilesDeletedFromTheWorkTree()
    {
        var root = CreateGitWorkspace();
        Assert.Contains("src/Api/Removed.cs", Git.Run(root, "ls-files"), StringComparison.Ordinal);

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.DoesNotContain("src/Api/Removed.cs", FilePaths(snapshot.FileTree));
    }

    [Fact]
    public void Scan_GitRepository_AcceptsRootWithTrailingSeparator()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root + Path.DirectorySeparatorChar);

        Assert.Equal("shop-app", snapshot.WorkspaceName);
        Assert.Contains("src/Api/Program.cs", FilePaths(snapshot.FileTree));
    }

    [Fact]
    public void Scan_GitSubfolder_ListsOnlyThatFolderRelativeToIt()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(Path.Combine(root, "web"));

        Assert.Equal("web", snapshot.WorkspaceName);
        Assert.Equal([".gitignore", "src/App.tsx", "src/api.ts"], FilePaths(snapshot.FileTree).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Scan_WithUseGitFalse_WalksTheFolderAndHidesWhatGitWouldHide()
    {
        var root = CreateGitWorkspace();

        var walked = new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).Scan(root);
        var listed = new CodebaseScanner().Scan(root);

        // Nested .gitignore files, negations and an anchored folder pattern, applied without git.
        var paths = FilePaths(walked.FileTree).ToList();
        Assert.Equal(FilePaths(listed.FileTree).Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("logs/debug.log", paths);
        Assert.DoesNotContain("web/generated/bundle.js", paths);
        Assert.Contains("logs/keep.log", paths);
        Assert.Contains("logs/important.tmp", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith(".git/", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.Contains("node_modules", StringComparison.Ordinal));
        Assert.DoesNotContain("leak.py", paths);
        Assert.DoesNotContain(".env", paths);
    }

    [Fact]
    public void Scan_PlainFolder_WalksItSkippingDependencyAndOutputFolders()
    {
        var root = _temp.Combine("plain-app");
        Directory.CreateDirectory(root);
        Write(root, "package.json", PackageJson);
        Write(root, "src/index.ts", "export const answer = 42;\n");
        Write(root, "src/App/App.csproj", ApiCsproj);
        Write(root, "src/App/Service.cs", "class Service { }\n");
        Write(root, "src/App/bin/Debug/net10.0/App.cs", SkippedMarker);
        Write(root, "src/App/obj/project.assets.json", SkippedMarker);
        Write(root, "bin/tool.sh", SkippedMarker);
        Write(root, "obj/x.cs", SkippedMarker);
        Write(root, "node_modules/left-pad/index.js", SkippedMarker);
        Write(root, "node_modules/left-pad/package.json", SkippedMarker);
        Write(root, "web/node_modules/react/index.js", SkippedMarker);
        Write(root, "dist/bundle.js", SkippedMarker);
        Write(root, "ui/Button.jsx", "export const Button = () => null;\n");
        Write(root, "spec/service.spec.ts", "it('works', () => {});\n");
        Write(root, ".env", SecretMarker);
        Write(root, "keys/deploy.key", SecretMarker);
        Write(root, ".gitignore", "*.log\n");
        Write(root, "debug.log", SkippedMarker); // not a repository, but its .gitignore still says what is noise
        File.CreateSymbolicLink(Path.Combine(root, "hosts.json"), "/etc/hosts");
        Directory.CreateSymbolicLink(Path.Combine(root, "etc-link"), "/etc");
        Directory.CreateSymbolicLink(Path.Combine(root, "src-link"), Path.Combine(root, "src"));

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal("plain-app", snapshot.WorkspaceName);
        Assert.Equal(
            [".gitignore", "package.json", "spec/service.spec.ts", "src/App/App.csproj", "src/App/Service.cs", "src/index.ts", "ui/Button.jsx"],
            FilePaths(snapshot.FileTree).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(SkippedMarker, AllText(snapshot), StringComparison.Ordinal);
        Assert.DoesNotContain(SecretMarker, AllText(snapshot), StringComparison.Ordinal);
        Assert.Equal(["package.json", "src/App/App.csproj"], snapshot.KeyConfigFiles.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(PackageJson, snapshot.KeyConfigFiles["package.json"]);
        Assert.Contains("Microsoft.NET.Sdk.Web", snapshot.KeyConfigFiles["src/App/App.csproj"], StringComparison.Ordinal);
        Assert.Equal(["src/App/Service.cs", "src/index.ts"], snapshot.BackendFiles.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["ui/Button.jsx"], snapshot.FrontendFiles.Select(f => f.Path));
        Assert.Equal(["spec/service.spec.ts"], snapshot.TestFiles.Select(f => f.Path));
        Assert.Equal(new StructureSummary(true, true, true), snapshot.StructureSummary);
    }

    [Fact]
    public void Scan_PlainFolder_ReportsNoBackendFrontendOrTestsWhenThereAreNone()
    {
        var root = _temp.Combine("docs-only");
        Write(root, "README.md", "# Docs\n");
        Write(root, "guide/intro.md", "Hello\n");

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal(new StructureSummary(false, false, false), snapshot.StructureSummary);
        Assert.Empty(snapshot.KeyConfigFiles);
        Assert.Equal(2, snapshot.FileCount);
        Assert.Equal(1, Find(snapshot.FileTree, "README.md").Lines);
    }

    [Fact]
    public void Scan_AppliesTreeSourceAndConfigCaps()
    {
        var root = _temp.Combine("capped");
        for (var i = 0; i < 5; i++)
        {
            Write(root, $"src/File{i}.cs", $"class C{i} {{ }}\n");
        }

        Write(root, "package.json", PackageJson);
        Write(root, "tests/test_a.py", "def test_a(): pass\n");
        Write(root, "go.mod", "module example.com/x\n");
        Write(root, "Makefile", "all:\n");

        var snapshot = new CodebaseScanner(new CodebaseScanOptions { MaxTreeEntries = 3, MaxSourceFiles = 2, MaxConfigFileChars = 10, MaxConfigFiles = 2 }).Scan(root);

        Assert.True(snapshot.TreeTruncated);
        Assert.Equal(3, FilePaths(snapshot.FileTree).Count());
        Assert.Equal(9, snapshot.FileCount);
        Assert.Equal(2, snapshot.BackendFiles.Count);
        Assert.Equal(5, snapshot.BackendFileCount);
        Assert.Equal((1, 1), (snapshot.TestFiles.Count, snapshot.TestFileCount));
        Assert.Equal(["Makefile", "go.mod"], snapshot.KeyConfigFiles.Keys);
        Assert.Equal(3, snapshot.KeyConfigFileCount);
        Assert.Equal(["go.mod"], snapshot.KeyConfigFilesCut);
        Assert.Equal("module exa", snapshot.KeyConfigFiles["go.mod"]);
    }

    [Fact]
    public void Scan_ThrowsForMissingWorkspace()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new CodebaseScanner().Scan(_temp.Combine("does-not-exist")));
    }

    [Fact]
    public void Scan_NeverReadsThroughDirectorySymlinksThatLeaveTheWorkspace()
    {
        var outside = _temp.Combine("outside");
        Write(outside, "secret.py", $"print('{SecretMarker}')\n");
        foreach (var useGit in (bool[])[false, true])
        {
            var root = _temp.Combine($"escape-{useGit}");
            Write(root, "main.py", "print('hi')\n");
            Directory.CreateSymbolicLink(Path.Combine(root, "escape"), outside);
            File.CreateSymbolicLink(Path.Combine(root, "inside.py"), "escape/secret.py");
            if (useGit)
            {
                // A folder committed for real, then replaced by a link: git still lists its file.
                Write(root, "moved/secret.py", "print('committed')\n");
                Git.Init(root);
                Git.CommitAll(root);
                Directory.Delete(Path.Combine(root, "moved"), recursive: true);
                Directory.CreateSymbolicLink(Path.Combine(root, "moved"), outside);
                Assert.Contains("moved/secret.py", Git.Run(root, "ls-files"), StringComparison.Ordinal);
            }

            var snapshot = new CodebaseScanner(new CodebaseScanOptions { UseGit = useGit }).Scan(root);

            Assert.Equal(["main.py"], FilePaths(snapshot.FileTree));
            Assert.DoesNotContain(SecretMarker, AllText(snapshot), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LinksWhoseTargetsBreakTheRules_AreNotListedReadOrSearched(bool useGit)
    {
        var root = _temp.Combine($"disguised-{useGit}");
        Write(root, "main.py", "print('hi')\n");
        Write(root, ".env", SecretMarker);
        Write(root, "keys/deploy.key", SecretMarker);
        Write(root, ".gitignore", "*.log\n");
        Write(root, "debug.log", IgnoredMarker);
        Write(root, ".buildloreignore", "drafts/\n");
        Write(root, "drafts/plan.md", IgnoredMarker);
        Write(root, "node_modules/lib/index.js", SkippedMarker);
        var disguised = new[] { ("env.py", ".env"), ("key.txt", "keys/deploy.key"), ("notes.txt", "debug.log"), ("plan.txt", "drafts/plan.md"), ("lib.js", "node_modules/lib/index.js"), ("chain.py", "env.py") };
        foreach (var (link, target) in disguised)
        {
            File.CreateSymbolicLink(Path.Combine(root, link), target);
        }

        File.CreateSymbolicLink(Path.Combine(root, "alias.py"), "main.py");
        if (useGit)
        {
            Git.Init(root);
            Git.CommitAll(root);
            File.AppendAllText(Path.Combine(root, ".git", "config"), $"# {SecretMarker}\n");
            File.CreateSymbolicLink(Path.Combine(root, "gitconfig.txt"), ".git/config");
        }

        var scanner = new CodebaseScanner(new CodebaseScanOptions { UseGit = useGit });
        var snapshot = scanner.Scan(root);
        var files = new WorkspaceFiles(root, scanner);

        Assert.Equal([".buildloreignore", ".gitignore", "alias.py", "main.py"], FilePaths(snapshot.FileTree).Order(StringComparer.Ordinal));
        Assert.Equal([".buildloreignore", ".gitignore", "alias.py", "main.py"], scanner.ListVisibleFiles(root));
        foreach (var link in disguised.Select(d => d.Item1).Append("gitconfig.txt"))
        {
            Assert.False(scanner.IsVisible(root, link), link);
            Assert.Throws<WorkspacePathException>(() => files.Read(link));
        }

        Assert.Empty(files.Search("MARKER", regex: false, maxHits: 10, context: 0).Hits);
        Assert.Equal("print('hi')\n", files.Read("alias.py").Content);
    }

    [Fact]
    public void Scan_FileCountCountsOnlyFilesInTheSnapshot()
    {
        var root = CreateGitWorkspace();

        var snapshot = new CodebaseScanner().Scan(root);

        Assert.Equal(FilePaths(snapshot.FileTree).Count(), snapshot.FileCount);
    }

    /// <summary>
    /// A git repository named shop-app with nested .gitignore files, secrets, noise folders,
    /// symlinks and a binary file; some files committed, some untracked.
    /// </summary>
    private string CreateGitWorkspace()
    {
        var root = _temp.Combine("shop-app");
        Directory.CreateDirectory(root);
        Git.Init(root);

        Write(root, ".gitignore", "*.log\n!keep.log\n/build-output/\n");
        Write(root, "package.json", PackageJson);
        Write(root, "src/Api/Api.csproj", ApiCsproj);
        Write(root, "src/Api/Program.cs", ProgramCs);
        Write(root, "src/Api/Big.cs", string.Concat(Enumerable.Range(1, 1000).Select(i => $"// line {i:D4} of a long generated file\n")));
        Write(root, "src/Api/appsettings.json", AppSettings);
        Write(root, "src/Api/appsettings.Development.json", $"{{ \"ConnectionStrings\": {{ \"Db\": \"{SecretMarker}\" }} }}");
        Write(root, "src/Api/Removed.cs", "class Removed { }\n");
        Write(root, "src/Api/obj/project.assets.json", SkippedMarker);
        Write(root, "src/Api/bin/Debug/net10.0/Api.deps.json", SkippedMarker);
        WriteBytes(root, "src/Api/Blob.cs", [.. Enumerable.Range(0, 2048).Select(i => (byte)(i % 7 == 0 ? 0 : 'A' + i % 26))]);
        File.CreateSymbolicLink(Path.Combine(root, "src", "Api", "ProgramAlias.cs"), "Program.cs");
        Write(root, "web/.gitignore", "generated/\n");
        Write(root, "web/src/App.tsx", "export default function App() { return <h1>Shop</h1>; }\n");
        Write(root, "web/src/api.ts", "export const get = (url: string) => fetch(url);\n");
        Write(root, "web/generated/bundle.js", IgnoredMarker);
        Write(root, "tests/Api.Tests/ApiTests.cs", "public class ApiTests { }\n");
        Write(root, "test_main.py", "def test_main():\n    assert True");
        Write(root, "server/index.js", "require('http').createServer().listen(3000);\n");
        Write(root, "logs/.gitignore", "*.tmp\n!important.tmp\n");
        Write(root, "logs/keep.log", "kept by the root negation\n");
        Write(root, "logs/debug.log", IgnoredMarker);
        Write(root, "logs/cache.tmp", IgnoredMarker);
        Write(root, "logs/important.tmp", "kept by the nested negation\n");
        Write(root, "logs/readme.txt", "logs live here\n");
        Write(root, "build-output/app.py", IgnoredMarker);
        Write(root, "docs/read me ü.md", "# Read me\n");
        Write(root, ".env", $"API_KEY={SecretMarker}\n");
        Write(root, ".env.local", $"API_KEY={SecretMarker}\n");
        Write(root, "certs/server.pem", $"-----BEGIN PRIVATE KEY-----\n{SecretMarker}\n");
        Write(root, "deploy/id_rsa", $"-----BEGIN OPENSSH PRIVATE KEY-----\n{SecretMarker}\n");
        WriteBytes(root, "assets/logo.png", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i % 256))]);
        File.CreateSymbolicLink(Path.Combine(root, "leak.py"), OutsideFile);
        Git.CommitAll(root);

        File.Delete(Path.Combine(root, "src", "Api", "Removed.cs"));
        Write(root, "notes/todo.md", "- untracked but not ignored\n");
        Write(root, "web/node_modules/react/index.js", SkippedMarker);
        Write(root, "web/node_modules/react/package.json", SkippedMarker);
        return root;
    }

    private static void Write(string root, string relative, string content)
    {
        var full = Path.Combine([root, .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private static void WriteBytes(string root, string relative, byte[] content)
    {
        var full = Path.Combine([root, .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    private static IEnumerable<string> FilePaths(FileTreeNode root)
    {
        return Walk(root, prefix: null);

        static IEnumerable<string> Walk(FileTreeNode node, string? prefix)
        {
            foreach (var child in node.Children ?? [])
            {
                var path = prefix is null ? child.Name : $"{prefix}/{child.Name}";
                if (child.Type == FileTreeNode.DirectoryType)
                {
                    foreach (var nested in Walk(child, path))
                    {
                        yield return nested;
                    }
                }
                else
                {
                    yield return path;
                }
            }
        }
    }

    private static FileTreeNode Find(FileTreeNode root, string path)
    {
        var node = root;
        foreach (var segment in path.Split('/'))
        {
            node = Assert.Single(node.Children ?? [], c => c.Name == segment);
        }

        return node;
    }

    /// <summary>Every name in the tree (files and folders) and every path in the lists.</summary>
    private static HashSet<string> AllNames(CodebaseSnapshot snapshot)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Collect(snapshot.FileTree);
        foreach (var path in snapshot.KeyConfigFiles.Keys.Concat(SourceFiles(snapshot).Select(f => f.Path)))
        {
            names.UnionWith(path.Split('/'));
        }

        return names;

        void Collect(FileTreeNode node)
        {
            names.Add(node.Name);
            foreach (var child in node.Children ?? [])
            {
                Collect(child);
            }
        }
    }

    /// <summary>All text the snapshot would hand to a client: paths, config contents and previews.</summary>
    private static string AllText(CodebaseSnapshot snapshot)
    {
        var text = new StringBuilder();
        text.AppendJoin('\n', AllNames(snapshot)).Append('\n');
        foreach (var (path, content) in snapshot.KeyConfigFiles)
        {
            text.Append(path).Append('\n').Append(content).Append('\n');
        }

        foreach (var file in SourceFiles(snapshot))
        {
            text.Append(file.Path).Append('\n').Append(file.Preview).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<SourceFile> SourceFiles(CodebaseSnapshot snapshot) =>
        snapshot.BackendFiles.Concat(snapshot.FrontendFiles).Concat(snapshot.TestFiles);
}
