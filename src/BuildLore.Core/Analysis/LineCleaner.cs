using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Takes the noise CI systems and terminals add off a log line: ANSI escape sequences, GitHub Actions
/// timestamps, GitLab section markers, carriage-return progress bars and stray control characters.
/// Lines with none of these are returned as they are, without allocating.
/// </summary>
public static partial class LineCleaner
{
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    /// <summary>True when <see cref="Clean"/> would change the line; cheap enough to ask of every line.</summary>
    public static bool NeedsCleaning(ReadOnlySpan<char> line) => line.IndexOfAny(ControlCharacters) >= 0 || HasTimestamp(line);

    /// <summary>True when the line may start with a CI timestamp (<c>2026-01-01T00:00:00...</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasTimestamp(ReadOnlySpan<char> line) =>
        line.Length > 28 && line[4] == '-' && line[10] == 'T' && char.IsAsciiDigit(line[0]);

    /// <summary>The length of the CI timestamp (and the space after it) that starts the line; 0 when none does.</summary>
    public static int TimestampLength(ReadOnlySpan<char> line)
    {
        foreach (var match in Timestamp().EnumerateMatches(line))
        {
            return match.Length;
        }

        return 0;
    }

    public static string Clean(string line)
    {
        if (line.Length == 0)
        {
            return line;
        }

        if (line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (line.Contains('\u001b', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal))
        {
            if (line.Contains("section_", StringComparison.Ordinal))
            {
                line = GitLabSection().Replace(line, string.Empty);
            }

            line = AnsiEscape().Replace(line, string.Empty);
            // A progress bar rewrites its line with '\r': what is left after the last one is what showed.
            var lastReturn = line.LastIndexOf('\r');
            if (lastReturn >= 0)
            {
                var after = line[(lastReturn + 1)..];
                line = after.Length > 0 ? after : line[..lastReturn];
                lastReturn = line.LastIndexOf('\r');
                if (lastReturn >= 0)
                {
                    line = line[(lastReturn + 1)..];
                }
            }
        }

        if (line.Length > 28 && line[4] == '-' && line[10] == 'T' && char.IsAsciiDigit(line[0]))
        {
            var match = Timestamp().Match(line);
            if (match.Success)
            {
                line = line[match.Length..];
            }
        }

        return HasControl(line) ? StripControl(line) : line;
    }

    private static bool HasControl(string line)
    {
        foreach (var c in line)
        {
            if (c < ' ' && c != '\t')
            {
                return true;
            }
        }

        return false;
    }

    private static string StripControl(string line)
    {
        var builder = new StringBuilder(line.Length);
        foreach (var c in line)
        {
            if (c >= ' ' || c == '\t')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // CSI sequences (colours, cursor moves), OSC sequences (titles, hyperlinks) and lone two-character escapes.
    [GeneratedRegex(@"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"section_(?:start|end):\d+:[A-Za-z0-9_.\-\[\]=,]+\r?(?:\x1b\[0K)?")]
    private static partial Regex GitLabSection();

    // GitHub Actions: "2026-01-01T00:00:00.0000000Z "; also offsets and the short forms other CI systems print.
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? ?")]
    private static partial Regex Timestamp();
}
