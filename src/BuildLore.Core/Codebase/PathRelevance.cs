namespace BuildLore.Core.Codebase;

/// <summary>
/// How much a path is worth to an LLM reading the codebase, for deciding what a token budget leaves
/// out first: generated and vendored code, then tests, then whatever lies deepest.
/// </summary>
public static class PathRelevance
{
    private static readonly HashSet<string> VendoredFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "vendor", "vendors", "_vendor", "third_party", "third-party", "thirdparty", "external", "externals", "extern",
        "bower_components", "Pods", "Carthage", "jspm_packages",
    };

    private static readonly HashSet<string> GeneratedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "generated", "__generated__", ".generated", "gen", "autogen", "auto-generated", "codegen",
    };

    private static readonly string[] GeneratedSuffixes =
    [
        ".Designer.cs", ".g.cs", ".g.i.cs", ".generated.cs", ".min.js", ".min.css", ".bundle.js", ".pb.go", ".pb.cc", ".pb.h",
        "_pb2.py", "_pb2_grpc.py", "_pb2.pyi", ".pb.ts", "_generated.go", "_generated.ts",
    ];

    /// <summary>True for code nobody here wrote by hand: generated files and vendored copies of other projects.</summary>
    public static bool IsGeneratedOrVendored(string relative)
    {
        var segments = relative.Split('/');
        foreach (var segment in segments)
        {
            if (VendoredFolders.Contains(segment) || GeneratedFolders.Contains(segment))
            {
                return true;
            }
        }

        var name = segments[^1];
        foreach (var suffix in GeneratedSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for a test file, or a path inside a test folder (tests/, spec/, Foo.Tests/...).</summary>
    public static bool IsTest(string relative) =>
        CodebaseScanner.Classify(relative) == CodebaseScanner.FileKind.Test || relative.Split('/').Any(CodebaseScanner.IsTestFolder);

    /// <summary>How many folders deep the path lies: 0 for a file at the root.</summary>
    public static int Depth(string relative) => relative.AsSpan().Count('/');
}
