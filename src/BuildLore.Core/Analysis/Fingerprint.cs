using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Groups the same error across builds: the message becomes a template (paths, numbers, hex ids,
/// GUIDs, temp names and quoted identifiers masked) and the fingerprint is a hash of tool, code and
/// template. Line numbers and the file a diagnostic points at are not part of it.
/// </summary>
public static partial class Fingerprint
{
    public static string Template(string message)
    {
        var text = message.Length > 512 ? message[..512] : message;
        text = MsBuildProject().Replace(text, string.Empty);
        text = Quoted().Replace(text, "<q>");
        text = Guid().Replace(text, "<guid>");
        text = PathToken().Replace(text, "<path>");
        text = Hex().Replace(text, "<hex>");
        text = Number().Replace(text, "<n>");
        text = Spaces().Replace(text, " ");
        return text.Trim();
    }

    public static string Compute(string? tool, string? code, string template)
    {
        Span<byte> hash = stackalloc byte[32];
        var input = Encoding.UTF8.GetBytes($"{tool}\u001f{code}\u001f{template}");
        SHA256.HashData(input, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    [GeneratedRegex(@"\s\[[^\]]+\.(?:csproj|fsproj|vbproj|vcxproj|proj|sln|slnx)\]\s*$")]
    private static partial Regex MsBuildProject();

    [GeneratedRegex("""'[^'\n]{0,200}'|"[^"\n]{0,200}"|`[^`\n]{0,200}`|‘[^’\n]{0,200}’|“[^”\n]{0,200}”""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    // Anything that looks like a path: has a separator, or a file name with an extension.
    [GeneratedRegex(@"(?:[A-Za-z]:)?(?:[\w.\-~@+]*[/\\])+[\w.\-~@+]*|\b[\w\-]+\.(?:cs|fs|c|h|cc|cpp|hpp|cxx|py|js|mjs|cjs|ts|tsx|jsx|rs|go|java|kt|rb|php|swift|f90|f|o|obj|so|dll|exe|json|xml|toml|yaml|yml|csproj|sln)\b")]
    private static partial Regex PathToken();

    [GeneratedRegex(@"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{7,}\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\d+(?:\.\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
