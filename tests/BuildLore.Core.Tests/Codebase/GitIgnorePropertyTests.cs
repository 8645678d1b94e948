using System.Diagnostics;
using System.Text;
using BuildLore.Core.Codebase;
using BuildLore.Tests;

namespace BuildLore.Core.Tests.Codebase;

/// <summary>
/// The gitignore handling checked against the real git on generated trees: nested .gitignore files
/// with negations, folder-only patterns, <c>**</c>, anchored patterns, character classes, escapes and
/// <c>.git/info/exclude</c>. For every tree, the files BuildLore exposes (when it asks git, and when it
/// walks the folder itself as it does outside a repository) must be exactly those that
/// <c>git check-ignore</c> does not ignore.
/// </summary>
public sealed class GitIgnorePropertyTests
{
    private const int Seed = 20261125;
    private const int Cases = 300;

    private static readonly string[] FolderNames = ["a", "b", "src", "lib", "doc s", "x.d", "deep"];
    private static readonly string[] FileNames =
        ["a.txt", "b.log", "c.cs", "README", "x.d", "foo", "foo.bak", "!bang", "#hash", "sp ace.txt", "ünï.txt", "Main.CS", "a"];
    private static readonly string[] Globs =
        ["*", "**", "*.txt", "*.log", "*.cs", "?.txt", "[ab]*", "[!a]*", "[a-c].*", "*.[tl]*", "foo*", "*[[:digit:]]*", "[[:upper:]]*", "\\#hash", "\\!bang", "sp\\ ace.txt", "*.d"];

    [Fact]
    public void ExposedFiles_EqualWhatGitDoesNotIgnore_OnGeneratedTrees()
    {
        var random = new Random(Seed);
        using var temp = new TempDirectory("buildlore-gitignore");
        var failures = new List<string>();
        for (var n = 0; n < Cases && failures.Count < 3; n++)
        {
            var root = temp.Combine($"case{n}");
            var (files, ignoreFiles) = Generate(random, root);
            RunGit(root, "init", "--quiet", "--template=");
            if (random.NextDouble() < 0.4)
            {
                Directory.CreateDirectory(Path.Combine(root, ".git", "info"));
                var exclude = string.Join('\n', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pattern(random))) + "\n";
                File.WriteAllText(Path.Combine(root, ".git", "info", "exclude"), exclude);
                ignoreFiles[".git/info/exclude"] = exclude;
            }

            var ignored = RunGit(root, ["check-ignore", "--stdin", "-z"], string.Join('\0', files) + "\0")
                .Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var expected = files.Where(f => !ignored.Contains(f)).Order(StringComparer.Ordinal).ToList();

            var walked = new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).ListVisibleFiles(root);
            var listed = new CodebaseScanner().ListVisibleFiles(root);
            var walkedOne = files.Where(f => new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).IsVisible(root, f)).Order(StringComparer.Ordinal).ToList();

            foreach (var (mode, actual) in new[] { ("walk (no git)", walked), ("git ls-files", listed), ("walk, file by file", (IReadOnlyList<string>)walkedOne) })
            {
                if (!expected.SequenceEqual(actual))
                {
                    failures.Add(Describe(n, mode, files, ignoreFiles, expected, actual));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void BuildLoreIgnore_HidesExactlyWhatItMatchesAlone_InBothModes()
    {
        var random = new Random(Seed + 1);
        using var temp = new TempDirectory("buildlore-ignorefile");
        for (var n = 0; n < 60; n++)
        {
            var root = temp.Combine($"case{n}");
            var (files, _) = Generate(random, root);
            var rules = string.Join('\n', Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pattern(random))) + "\n";
            File.WriteAllText(Path.Combine(root, CodebaseScanner.IgnoreFileName), rules);
            files.Add(CodebaseScanner.IgnoreFileName);
            RunGit(root, "init", "--quiet", "--template=");

            // What git ignores, and what .buildloreignore alone ignores: without --exclude-standard,
            // ls-files reads no .gitignore file and no info/exclude, only the file it is given.
            var gitIgnored = RunGit(root, ["check-ignore", "--stdin", "-z"], string.Join('\0', files) + "\0").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var hidden = RunGit(root, "ls-files", "-z", "--others", "--ignored", $"--exclude-from={CodebaseScanner.IgnoreFileName}").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var expected = files.Except(gitIgnored).Except(hidden).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(expected, new CodebaseScanner(new CodebaseScanOptions { UseGit = false }).ListVisibleFiles(root));
            Assert.Equal(expected, new CodebaseScanner().ListVisibleFiles(root));
        }
    }

    /// <summary>Writes a random tree of files and .gitignore files; returns the files (relative) and the ignore files' text.</summary>
    private static (List<string> Files, SortedDictionary<string, string> IgnoreFiles) Generate(Random random, string root)
    {
        var files = new List<string>();
        var ignoreFiles = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Fill("", 0);
        return (files, ignoreFiles);

        void Fill(string folder, int depth)
        {
            var full = folder.Length == 0 ? root : Path.Combine(root, folder);
            Directory.CreateDirectory(full);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in FileNames.OrderBy(_ => random.Next()).Take(random.Next(1, 5)))
            {
                taken.Add(name);
                var relative = folder.Length == 0 ? name : $"{folder}/{name}";
                File.WriteAllText(Path.Combine(full, name), relative + "\n");
                files.Add(relative);
            }

            if (random.NextDouble() < (depth == 0 ? 0.9 : 0.45))
            {
                var lines = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.NextDouble() switch
                {
                    < 0.05 => "# a comment",
                    < 0.08 => "",
                    < 0.12 => Pattern(random) + "  ", // trailing spaces are dropped
                    _ => Pattern(random),
                });
                var text = string.Join(random.NextDouble() < 0.1 ? "\r\n" : "\n", lines) + (random.NextDouble() < 0.8 ? "\n" : "");
                File.WriteAllText(Path.Combine(full, GitIgnoreMatcher.GitIgnoreFileName), text);
                var relative = folder.Length == 0 ? GitIgnoreMatcher.GitIgnoreFileName : $"{folder}/{GitIgnoreMatcher.GitIgnoreFileName}";
                ignoreFiles[relative] = text;
                files.Add(relative);
            }

            if (depth < 3)
            {
                foreach (var name in FolderNames.Where(f => !taken.Contains(f)).OrderBy(_ => random.Next()).Take(random.Next(0, depth == 0 ? 4 : 3)))
                {
                    Fill(folder.Length == 0 ? name : $"{folder}/{name}", depth + 1);
                }
            }
        }
    }

    /// <summary>One ignore line: a name or glob, maybe negated, anchored, folder-only or with <c>**</c>.</summary>
    private static string Pattern(Random random)
    {
        string Segment() => random.NextDouble() switch
        {
            < 0.35 => FolderNames[random.Next(FolderNames.Length)],
            < 0.65 => Globs[random.Next(Globs.Length)],
            _ => FileNames[random.Next(FileNames.Length)].Replace("!", "\\!", StringComparison.Ordinal).Replace("#", "\\#", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal),
        };

        var segments = Enumerable.Range(0, random.NextDouble() < 0.6 ? 1 : random.Next(2, 4)).Select(_ => Segment()).ToList();
        if (random.NextDouble() < 0.15)
        {
            segments.Insert(random.Next(segments.Count + 1), "**");
        }

        var pattern = new StringBuilder();
        if (random.NextDouble() < 0.25)
        {
            pattern.Append('!');
        }

        if (random.NextDouble() < 0.2)
        {
            pattern.Append('/');
        }

        pattern.AppendJoin('/', segments);
        if (random.NextDouble() < 0.2)
        {
            pattern.Append('/');
        }

        return pattern.ToString();
    }

    private static string Describe(int n, string mode, List<string> files, SortedDictionary<string, string> ignoreFiles, List<string> expected, IReadOnlyList<string> actual)
    {
        var text = new StringBuilder($"case {n} ({mode}):\n");
        foreach (var (path, content) in ignoreFiles)
        {
            text.Append("  ").Append(path).Append(": ").Append(content.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("  files: ").AppendJoin(", ", files).Append('\n');
        text.Append("  git shows, BuildLore hides: ").AppendJoin(", ", expected.Except(actual)).Append('\n');
        text.Append("  git hides, BuildLore shows: ").AppendJoin(", ", actual.Except(expected));
        return text.ToString();
    }

    private static string RunGit(string root, params string[] arguments) => RunGit(root, arguments, null);

    /// <summary>Runs git without the machine's own configuration, so nothing but the tree decides.</summary>
    private static string RunGit(string root, string[] arguments, string? input)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = root,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        if (input is not null)
        {
            git.StandardInput.Write(input);
            git.StandardInput.Close();
        }

        var stderr = git.StandardError.ReadToEndAsync();
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        // check-ignore exits 1 when nothing is ignored.
        Assert.True(git.ExitCode is 0 or 1, $"git {string.Join(' ', arguments)} failed: {stderr.Result}");
        return output;
    }
}
