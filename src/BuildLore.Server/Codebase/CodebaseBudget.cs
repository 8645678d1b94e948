using System.Text.Json;
using BuildLore.Core.Codebase;

namespace BuildLore.Server.Codebase;

/// <summary>
/// Fits a codebase response into a token budget, giving up the least relevant parts first:
/// <list type="number">
/// <item>previews cut to 200 characters;</item>
/// <item>source entries of generated or vendored code, deepest first;</item>
/// <item>test entries, deepest first;</item>
/// <item>the contents of generated, vendored and test folders in the tree, deepest first;</item>
/// <item>the other source entries, deepest first (the end of a list before its start);</item>
/// <item>configuration files, deepest first, larger before smaller (root manifests go last);</item>
/// <item>the tree's folders emptied level by level from the deepest, larger folders first.</item>
/// </list>
/// Dependencies and the structure summary always stay. Each part's cost is estimated once (previews and
/// configuration text through the tokenizer, tree and list entries from their JSON size at a rate measured
/// on this tree), so a 20,000-entry view is planned without re-serializing it per step; the planned response
/// is then counted exactly, and planned again tighter in the rare case the estimate was short.
/// <c>omitted</c> counts what went and <c>left_out</c> names it (bounded).
/// </summary>
internal static class CodebaseBudget
{
    private const int ShortPreview = 200;
    private const int RateSampleBytes = 64 * 1024;
    private const int ConfigSampleChars = 4096;

    public static CodebaseDto Fit(CodebaseDto dto, int budget)
    {
        var plan = new Plan(dto, budget);
        var target = (double)budget;
        (CodebaseDto Dto, long Tokens)? best = null, last = null;
        for (var round = 0; round < 4 && target > 0; round++)
        {
            var fitted = plan.Make(target);
            var tokens = Count(fitted, budget);
            last = (fitted, tokens);
            if (tokens <= budget && (best is null || tokens > best.Value.Tokens))
            {
                best = last;
            }

            // Estimates are a few percent off either way: tighten when over, loosen when well under
            // after giving something up, and keep the fullest response that fits.
            if (tokens > budget && plan.CanDropMore)
            {
                target -= tokens - budget + budget / 50.0 + 10;
            }
            else if (tokens < budget * 0.95 && plan.DroppedAny)
            {
                target += (budget - tokens) * 0.9;
            }
            else
            {
                break;
            }
        }

        var (response, count) = best ?? last!.Value;
        return response with { ResponseTokens = count };
    }

    /// <summary>The response's exact size in tokens, its own response_tokens figure included.</summary>
    private static long Count(CodebaseDto fitted, long guess)
    {
        var tokens = TokenCounter.Count(JsonSerializer.Serialize(fitted with { ResponseTokens = guess }, ServerJson.Web.CodebaseDto));
        // A number's tokens depend on its digits; only a different length can change the total.
        return Digits(tokens) == Digits(guess) ? tokens : TokenCounter.Count(JsonSerializer.Serialize(fitted with { ResponseTokens = tokens }, ServerJson.Web.CodebaseDto));
    }

    private static int Digits(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    /// <summary>The tree with folders below <paramref name="depth"/> levels left empty.</summary>
    internal static FileTreeNodeDto Cut(FileTreeNodeDto node, int depth) =>
        node.Children is null ? node
        : depth <= 0 ? node with { Children = [] }
        : node with { Children = [.. node.Children.Select(c => Cut(c, depth - 1))] };

    private enum ListKind { Backend, Frontend, Test }

    private sealed class Entry(ListKind list, int index, SourceFileDto dto, double full, double shortened)
    {
        public ListKind List { get; } = list;
        public int Index { get; } = index;
        public SourceFileDto Dto { get; } = dto;
        public double Full { get; } = full;
        public double Short { get; } = shortened;
        public int Tier { get; } = PathRelevance.IsGeneratedOrVendored(dto.Path) ? 0 : list == ListKind.Test || PathRelevance.IsTest(dto.Path) ? 1 : 2;
        public int Depth { get; } = PathRelevance.Depth(dto.Path);
        public bool Dropped { get; set; }
    }

    private sealed class Folder(FileTreeNodeDto dto, string path, int depth, double own)
    {
        public FileTreeNodeDto Dto { get; } = dto;
        public string Path { get; } = path;
        public int Depth { get; } = depth;
        public double Own { get; set; } = own;
        public List<Folder> Folders { get; } = [];
        /// <summary>Estimated tokens of the files directly inside.</summary>
        public double Files { get; set; }
        public bool LowValue { get; } = depth > 0 && (PathRelevance.IsGeneratedOrVendored(path) || PathRelevance.IsTest(path));
        public bool Emptied { get; set; }

        /// <summary>What emptying this folder would save now, given what is already emptied below it.</summary>
        public double Inside() => Files + Folders.Sum(f => f.Own + (f.Emptied ? 0 : f.Inside()));
    }

    /// <summary>The parts of one response with their estimated costs; <see cref="Make"/> builds the response for a target.</summary>
    private sealed class Plan
    {
        private readonly CodebaseDto _dto;
        private readonly double _rate;
        private readonly double _base;
        private readonly int _maxNamed;
        private readonly List<Entry> _entries = [];
        private readonly List<(string Path, string Text, double Tokens)> _configs;
        private readonly Folder _root;
        private readonly List<Folder> _folders = [];
        private readonly Dictionary<string, Folder> _byPath;

        public Plan(CodebaseDto dto, int budget)
        {
            _dto = dto;
            _maxNamed = Math.Clamp(budget / 100, 5, 200);

            // Tokens per byte of this tree's JSON, measured on a slice of it; node sizes come from a formula
            // scaled to the real serialization, so per-node costs need no per-node serializing.
            var treeJson = JsonSerializer.SerializeToUtf8Bytes(dto.FileTree, ServerJson.Web.FileTreeNodeDto);
            var slice = System.Text.Encoding.UTF8.GetString(treeJson, 0, Math.Min(treeJson.Length, RateSampleBytes));
            _rate = slice.Length == 0 ? 0.3 : (double)TokenCounter.Count(slice) / System.Text.Encoding.UTF8.GetByteCount(slice);
            var formulaBytes = 0.0;
            _root = Mirror(dto.FileTree, "", 0, ref formulaBytes);
            var scale = formulaBytes > 0 ? treeJson.Length / formulaBytes : 1;
            Scale(_root, scale);
            _byPath = _folders.ToDictionary(f => f.Path, StringComparer.Ordinal);

            foreach (var (list, files) in (ReadOnlySpan<(ListKind, IReadOnlyList<SourceFileDto>)>)[(ListKind.Backend, dto.BackendFiles), (ListKind.Frontend, dto.FrontendFiles), (ListKind.Test, dto.TestFiles)])
            {
                for (var i = 0; i < files.Count; i++)
                {
                    var file = files[i];
                    var overhead = (40 + file.Name.Length + file.Path.Length + 6) * _rate;
                    var preview = (double)TokenCounter.Count(file.Preview);
                    var shortened = file.Preview.Length > ShortPreview ? preview * ShortPreview / file.Preview.Length : preview;
                    _entries.Add(new Entry(list, i, file, overhead + preview, overhead + shortened));
                }
            }

            _configs = [.. dto.KeyConfigFiles.Select(c => (c.Key, c.Value, (c.Key.Length + 6) * _rate + SampledTokens(c.Value)))];

            // Everything that always stays, and room for what left_out will name.
            var kept = dto with
            {
                FileTree = dto.FileTree with { Children = [] },
                BackendFiles = [],
                FrontendFiles = [],
                TestFiles = [],
                KeyConfigFiles = new Dictionary<string, string>(),
                Omitted = new Dictionary<string, int> { ["preview_chars_over"] = 0, ["backend_files"] = 0, ["test_files"] = 0, ["key_config_files"] = 0, ["tree_folders"] = 0, ["tree_depth"] = 0 },
                LeftOut = new LeftOutDto([], [], [], 0),
                ResponseTokens = budget,
            };
            var averageName = _entries.Select(e => (double)e.Dto.Path.Length).DefaultIfEmpty(30).Average();
            _base = TokenCounter.Count(JsonSerializer.Serialize(kept, ServerJson.Web.CodebaseDto)) + _maxNamed * 1.5 * (averageName + 3) * _rate;
        }

        /// <summary>False when the last response made had nothing left to give up.</summary>
        public bool CanDropMore { get; private set; } = true;

        /// <summary>True when the last response made gave something up.</summary>
        public bool DroppedAny { get; private set; }

        private static double SampledTokens(string text) =>
            text.Length <= ConfigSampleChars ? TokenCounter.Count(text) : TokenCounter.Count(text[..ConfigSampleChars]) * ((double)text.Length / ConfigSampleChars);

        private Folder Mirror(FileTreeNodeDto node, string path, int depth, ref double formulaBytes)
        {
            var folder = new Folder(node, path, depth, NodeBytes(node));
            formulaBytes += folder.Own;
            foreach (var child in node.Children ?? [])
            {
                var childPath = path.Length == 0 ? child.Name : $"{path}/{child.Name}";
                if (child.Children is null)
                {
                    var bytes = NodeBytes(child);
                    formulaBytes += bytes;
                    folder.Files += bytes;
                }
                else
                {
                    folder.Folders.Add(Mirror(child, childPath, depth + 1, ref formulaBytes));
                }
            }

            if (depth > 0)
            {
                _folders.Add(folder);
            }

            return folder;
        }

        private void Scale(Folder folder, double scale)
        {
            // Own and Files were bytes by the formula; from here on they are tokens.
            folder.Own *= scale * _rate;
            folder.Files *= scale * _rate;
            foreach (var child in folder.Folders)
            {
                Scale(child, scale);
            }
        }

        private static double NodeBytes(FileTreeNodeDto node) =>
            (node.Children is null ? 42 : 50) + node.Name.Length + Digits(node.Size ?? 0) + Digits(node.Lines ?? 0) + Digits(node.Tokens ?? 0);

        public CodebaseDto Make(double target)
        {
            foreach (var entry in _entries)
            {
                entry.Dropped = false;
            }

            foreach (var folder in _folders)
            {
                folder.Emptied = false;
            }

            var omitted = new Dictionary<string, int>(StringComparer.Ordinal);
            var leftFiles = new List<string>();
            var leftConfigs = new List<string>();
            var leftFolders = new List<string>();
            var unnamed = 0;
            void Name(List<string> list, string path)
            {
                // Folders get half as many names as files: each stands for many files already.
                if (list.Count < (list == leftFolders ? Math.Max(3, _maxNamed / 2) : _maxNamed))
                {
                    list.Add(path);
                }
                else
                {
                    unnamed++;
                }
            }

            var current = _base + FolderTokens(_root) + _entries.Sum(e => e.Full) + _configs.Sum(c => c.Tokens);
            var previewsShort = false;
            if (current > target && _entries.Any(e => e.Short < e.Full))
            {
                previewsShort = true;
                current -= _entries.Sum(e => e.Full - e.Short);
                omitted["preview_chars_over"] = ShortPreview;
            }

            void DropEntries(IEnumerable<Entry> entries)
            {
                foreach (var entry in entries.OrderByDescending(e => e.Depth).ThenByDescending(e => e.Index))
                {
                    if (current <= target)
                    {
                        return;
                    }

                    entry.Dropped = true;
                    current -= entry.Short;
                    var key = entry.List switch { ListKind.Backend => "backend_files", ListKind.Frontend => "frontend_files", _ => "test_files" };
                    omitted[key] = omitted.GetValueOrDefault(key) + 1;
                    Name(leftFiles, entry.Dto.Path);
                }
            }

            void EmptyFolders(IEnumerable<Folder> folders)
            {
                foreach (var folder in folders)
                {
                    if (current <= target)
                    {
                        return;
                    }

                    if (folder.Emptied || IsInsideEmptied(folder))
                    {
                        continue;
                    }

                    current -= folder.Inside();
                    folder.Emptied = true;
                    omitted["tree_folders"] = omitted.GetValueOrDefault("tree_folders") + 1;
                    omitted["tree_depth"] = omitted.TryGetValue("tree_depth", out var depth) ? Math.Min(depth, folder.Depth) : folder.Depth;
                    Name(leftFolders, folder.Path + "/");
                }
            }

            DropEntries(_entries.Where(e => e.Tier == 0));
            DropEntries(_entries.Where(e => e.Tier == 1));
            EmptyFolders(_folders.Where(f => f.LowValue).OrderByDescending(f => f.Depth));
            DropEntries(_entries.Where(e => e.Tier == 2));
            foreach (var config in _configs.OrderByDescending(c => PathRelevance.Depth(c.Path)).ThenByDescending(c => c.Tokens))
            {
                if (current <= target)
                {
                    break;
                }

                // Named apart from the bound on names: there are at most 100.
                current -= config.Tokens;
                leftConfigs.Add(config.Path);
                omitted["key_config_files"] = omitted.GetValueOrDefault("key_config_files") + 1;
            }

            foreach (var level in _folders.GroupBy(f => f.Depth).OrderByDescending(g => g.Key))
            {
                EmptyFolders(level.OrderByDescending(f => f.Inside()));
            }

            CanDropMore = (_entries.Any(e => !e.Dropped) || leftConfigs.Count < _configs.Count || _folders.Any(f => !f.Emptied && !IsInsideEmptied(f)));
            DroppedAny = omitted.Count > 0;
            var droppedConfigs = leftConfigs.ToHashSet(StringComparer.Ordinal);
            IReadOnlyList<SourceFileDto> Kept(ListKind list) =>
                [.. _entries.Where(e => e.List == list && !e.Dropped)
                    .Select(e => previewsShort && e.Dto.Preview.Length > ShortPreview ? e.Dto with { Preview = e.Dto.Preview[..ShortPreview] } : e.Dto)];

            var backend = Kept(ListKind.Backend);
            var frontend = Kept(ListKind.Frontend);
            var tests = Kept(ListKind.Test);
            return _dto with
            {
                FileTree = Build(_root),
                FileTreeTruncated = _dto.FileTreeTruncated || _folders.Any(f => f.Emptied),
                BackendFiles = backend,
                BackendFilesTruncated = backend.Count < _dto.BackendFilesTotal,
                FrontendFiles = frontend,
                FrontendFilesTruncated = frontend.Count < _dto.FrontendFilesTotal,
                TestFiles = tests,
                TestFilesTruncated = tests.Count < _dto.TestFilesTotal,
                KeyConfigFiles = _dto.KeyConfigFiles.Where(c => !droppedConfigs.Contains(c.Key)).ToDictionary(),
                KeyConfigFilesTruncated = _dto.KeyConfigFilesTruncated || droppedConfigs.Count > 0,
                Omitted = omitted,
                LeftOut = new LeftOutDto(leftFiles, leftConfigs, leftFolders, unnamed),
            };
        }

        private static double FolderTokens(Folder folder) => folder.Own + folder.Inside();

        private bool IsInsideEmptied(Folder folder)
        {
            for (var path = folder.Path; path.LastIndexOf('/') is var slash and > 0;)
            {
                path = path[..slash];
                if (_byPath.TryGetValue(path, out var parent) && parent.Emptied)
                {
                    return true;
                }
            }

            return false;
        }

        private static FileTreeNodeDto Build(Folder folder)
        {
            if (folder.Emptied)
            {
                return folder.Dto with { Children = [] };
            }

            if (!HasEmptied(folder))
            {
                return folder.Dto;
            }

            var byName = folder.Folders.ToDictionary(f => f.Dto.Name, StringComparer.Ordinal);
            return folder.Dto with { Children = [.. folder.Dto.Children!.Select(c => c.Children is not null && byName.TryGetValue(c.Name, out var sub) ? Build(sub) : c)] };
        }

        private static bool HasEmptied(Folder folder) => folder.Folders.Any(f => f.Emptied || HasEmptied(f));
    }
}
