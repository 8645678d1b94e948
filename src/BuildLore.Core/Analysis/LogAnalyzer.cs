using System.Buffers;
using System.Text;
using BuildLore.Core.Analysis.Causes;
using BuildLore.Core.Analysis.Matchers;
using BuildLore.Core.Analysis.Parsers;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Reads a build log as it arrives, in pieces of any size, and finds its diagnostics, its failure
/// category and the excerpt that explains the failure. Memory stays bounded whatever the log's size:
/// lines longer than <see cref="MaxLineLength"/> are cut, and at most <see cref="MaxDiagnostics"/>
/// diagnostics are kept (counts go on).
/// </summary>
public sealed class LogAnalyzer : IDiagnosticSink
{
    public const int MaxLineLength = 8 * 1024;
    public const int MaxDiagnostics = 1000;
    private const int MaxRemembered = 20_000;
    private const int RecentLines = 64;
    private const int ContextBefore = 2;
    private const int ContextAfter = 2;
    private const int MaxExcerptSegments = 40;
    private const int MaxContextChars = 4096;

    // How many of the last lines are also read for failure causes: how a build died is said at its end.
    private const int TailSignalLines = 20;

    private readonly ToolParser[] _parsers =
    [
        new MsBuildParser(), new GccParser(), new RustParser(), new PythonTracebackParser(), new PytestParser(), new JsTestParser(), new TapParser(),
        new TscParser(), new EslintParser(), new NpmParser(), new YarnParser(), new PnpmParser(), new GoParser(), new JavaParser(), new NodeExceptionParser(), new GenericParser(),
    ];

    private readonly PathNormalizer _paths;
    private readonly CategoryClassifier _classifier = new();
    private readonly LineBlockBuilder _blocks = new(MaxLineLength);
    private readonly Action<LineBlock> _consume;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<(Diagnostic Diagnostic, bool Secondary)> _diagnostics = [];
    // The last lines, copied into reused buffers: most lines are never turned into strings.
    private readonly long[] _recentNumbers = new long[RecentLines];
    private readonly char[][] _recentText = Enumerable.Range(0, RecentLines).Select(_ => new char[128]).ToArray();
    private readonly int[] _recentLength = new int[RecentLines];
    private readonly List<Segment> _segments = [];
    private readonly List<Segment> _open = [];
    private long _lines;
    private long _errors;
    private long _warnings;
    private long _secondaryErrors;
    private bool _completed;
    private bool _secondaryClassified;
    private bool _causesClassified;
    private bool _inBlock;
    // The block being analyzed: its lines are recalled from it rather than copied one by one.
    private LineBlock? _block;
    private long _blockFirst;
    private readonly Dictionary<int, string> _cleaned = [];

    private sealed class Segment(long start, long end, bool secondary)
    {
        public long Start { get; } = start;
        public bool Secondary { get; } = secondary;
        public long End { get; set; } = end;
        public List<string> Lines { get; } = [];
        public long FirstLine { get; set; }
    }

    private readonly ProblemMatcherRunner? _matchers;
    private readonly FailureCauseMatcher? _causes;

    // The built-in causes (disk full, out of memory, segfault, network, runner lost, timeout) go through the
    // same matcher as the workspace's, but only where the category's signals are looked for: lines with a
    // marker, the lines and messages of diagnostics, and the tail; and only when one of their words is
    // there. Every other line costs them nothing.
    private readonly FailureCauseMatcher _builtInCauses = new(FailureCauseLoader.BuiltIn);
    private bool _builtInClassified;

    private static readonly SearchValues<string> BuiltInCauseWords = SearchValues.Create(
    [
        "space", "enospc", "quota", "killed", "memory", "bad_alloc", "segmentation", "sigsegv", "exit code", "exited with code", "error 13", "0xc0000005",
        "resolve", "getaddrinfo", "name resolution", "not known", "no such host", "econn", "refused", "failed to connect", "service index", "runner",
        "lost communication", "hearing from agent", "exceeded", "timed out",
    ], StringComparison.OrdinalIgnoreCase);

    /// <param name="root">The workspace root absolute paths under it are made relative to; CI checkout roots detected in the log apply as well.</param>
    /// <param name="rules">The workspace's own problem matchers and failure causes, read on every line (the built-in failure causes always apply, where the category's signals are read).</param>
    public LogAnalyzer(string? root = null, AnalysisRules? rules = null)
    {
        _paths = new PathNormalizer(root);
        _consume = Consume;
        if (rules is { ProblemMatchers.Count: > 0 })
        {
            _matchers = new ProblemMatcherRunner(rules.ProblemMatchers);
        }

        if (rules is { FailureCauses.Count: > 0 })
        {
            _causes = new FailureCauseMatcher(rules.FailureCauses);
        }
    }

    /// <summary>Lines read so far.</summary>
    public long TotalLines => _lines;

    private int _taken;

    /// <summary>
    /// Diagnostics found since the last call, for following a log live. Lines that only repeat that a
    /// step failed are left out; a block still open (a traceback, a rustc span) comes once it ends.
    /// </summary>
    public IReadOnlyList<Diagnostic> TakeNewDiagnostics()
    {
        var fresh = _diagnostics.Skip(_taken).Where(d => !d.Secondary).Select(d => d.Diagnostic).ToList();
        _taken = _diagnostics.Count;
        return fresh;
    }

    /// <summary>Feeds the next piece of the log; pieces may split lines anywhere.</summary>
    public void Append(ReadOnlySpan<char> text) => _blocks.Append(text, _consume);

    /// <summary>
    /// Reads a whole log from a stream (UTF-8; invalid bytes become U+FFFD). Decoding and the cheap
    /// scan of each block run on a second thread while this one analyzes the block before: on two
    /// cores the analysis of a large file takes about as long as the slower of the two.
    /// </summary>
    public void Read(Stream input, CancellationToken cancellationToken = default) =>
        LineBlockPipeline.Run(input, MaxLineLength, _consume, cancellationToken);

    /// <summary>Analyzes the lines of a block, scanning it first unless that was done already.</summary>
    private void Consume(LineBlock block)
    {
        using (block)
        {
            if (block.Count == 0 && block.Length > 0)
            {
                block.Scan(MaxLineLength);
            }

            _block = block;
            _blockFirst = _lines + 1;
            _cleaned.Clear();
            var cursor = 0;
            for (var i = 0; i < block.Count; i++)
            {
                if (!_inBlock && _open.Count == 0 && _matchers is null && _causes is null)
                {
                    // Nothing is open and no rule reads every line: go straight to the next line the scan flagged.
                    var next = block.NextFlagged(i, ref cursor);
                    _lines += next - i;
                    i = next;
                    if (i == block.Count)
                    {
                        break;
                    }
                }

                if ((block[i].Flags & LineFlags.Raw) != 0)
                {
                    ProcessLine(block.LineText(i));
                }
                else
                {
                    ProcessCleanLine(block.LineText(i), block[i].Flags);
                }
            }

            // Lines of this block that may still be asked for move to the ring of recent lines.
            _block = null;
            for (var n = Math.Max(_blockFirst, _lines - RecentLines + 1); n <= _lines; n++)
            {
                var index = (int)(n - _blockFirst);
                Remember(n, _cleaned.TryGetValue(index, out var cleaned) ? cleaned : block.LineText(index));
            }
        }
    }

    /// <summary>Reads a line that may still need cleaning (escape sequences, CI timestamps, progress bars).</summary>
    private void ProcessLine(ReadOnlySpan<char> raw)
    {
        if (!LineCleaner.NeedsCleaning(raw))
        {
            ProcessCleanLine(raw, FlagsOf(raw));
            return;
        }

        var text = LineCleaner.Clean(raw.ToString());
        if (_block is not null)
        {
            _cleaned[(int)(_lines + 1 - _blockFirst)] = text;
        }

        ProcessCleanLine(text, FlagsOf(text), text);
    }

    private static LineFlags FlagsOf(ReadOnlySpan<char> line) =>
        (LineBlock.HasKeyword(line) ? LineFlags.Keyword : 0)
        | (line.IndexOfAny(LineBlock.Markers) >= 0 ? LineFlags.Marker : 0)
        | (LineBlock.MayStartBlock(line) ? LineFlags.MayStartBlock : 0);

    private void ProcessCleanLine(ReadOnlySpan<char> line, LineFlags flags, string? text = null)
    {
        var number = ++_lines;
        if (_block is null)
        {
            Remember(number, line);
        }

        if (_open.Count > 0)
        {
            text ??= line.ToString();
            FeedOpenSegments(number, text);
        }

        if (line.StartsWith("[Pipeline]", StringComparison.Ordinal))
        {
            return; // Jenkins' step markers
        }

        if ((_matchers is not null || _causes is not null) && ApplyWorkspaceRules(text ??= line.ToString(), number))
        {
            return;
        }

        var hasKeyword = (flags & LineFlags.Keyword) != 0;
        if (!hasKeyword && !_inBlock && (flags & LineFlags.MayStartBlock) == 0)
        {
            return; // a line no parser can use
        }

        text ??= line.ToString();
        if ((flags & LineFlags.Marker) != 0)
        {
            _classifier.Observe(text, number); // a crash or a full disk says so without a label
            ObserveBuiltInCauses(text, number);
        }

        foreach (var parser in _parsers)
        {
            if (parser.Process(text, number, hasKeyword, this))
            {
                break;
            }
        }

        _inBlock = AnyParserInBlock();
    }

    /// <summary>The owner's rules see every line; a line their problem matcher reports is not read again by the built-in parsers.</summary>
    private bool ApplyWorkspaceRules(string line, long number)
    {
        _causes?.ProcessLine(line, number);
        if (_matchers is null)
        {
            return false;
        }

        var problems = _matchers.ProcessLine(line, number);
        foreach (var problem in problems)
        {
            if (problem.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            {
                ((IDiagnosticSink)this).Emit(new RawDiagnostic(problem.Severity, problem.File, problem.Line, problem.Column, problem.Code, problem.Message,
                    problem.Owner, problem.StartLogLine, problem.EndLogLine));
            }
        }

        return problems.Count > 0;
    }

    private bool AnyParserInBlock()
    {
        foreach (var parser in _parsers)
        {
            if (parser.InBlock)
            {
                return true;
            }
        }

        return false;
    }

    private void Remember(long number, ReadOnlySpan<char> line)
    {
        var slot = (int)(number % RecentLines);
        if (_recentText[slot].Length < line.Length)
        {
            _recentText[slot] = new char[Math.Max(line.Length, _recentText[slot].Length * 2)];
        }

        line.CopyTo(_recentText[slot]);
        _recentLength[slot] = line.Length;
        _recentNumbers[slot] = number;
    }

    private bool TryRecall(long number, out string text)
    {
        if (_block is not null && number >= _blockFirst && number <= _lines)
        {
            var index = (int)(number - _blockFirst);
            text = _cleaned.TryGetValue(index, out var cleaned) ? cleaned : _block.LineText(index).ToString();
            return true;
        }

        var slot = (int)(number % RecentLines);
        if (number > 0 && _recentNumbers[slot] == number)
        {
            text = new string(_recentText[slot], 0, _recentLength[slot]);
            return true;
        }

        text = "";
        return false;
    }

    void IDiagnosticSink.Signal(string category, long line, string text, double weight) => _classifier.Add(category, line, text, weight);

    void IDiagnosticSink.Emit(RawDiagnostic raw)
    {
        // Causes (a full disk, a DNS failure) and the CI root are looked for in what tools reported, not in every line.
        _classifier.Observe(raw.Message, raw.StartLine);
        ObserveBuiltInCauses(raw.Message, raw.StartLine);
        if (TryRecall(raw.StartLine, out var first))
        {
            ObserveBuiltInCauses(first, raw.StartLine);
            if (_paths.DetectedRoot is null)
            {
                _paths.Observe(first);
            }
        }

        var file = _paths.Relativize(raw.File);
        var message = raw.Message.Length > 2000 ? raw.Message[..2000] : raw.Message;
        var key = $"{raw.Severity}\u001f{raw.Tool}\u001f{file}\u001f{raw.Line}\u001f{raw.Column}\u001f{raw.Code}\u001f{message}";
        if (_seen.Count < MaxRemembered ? !_seen.Add(key) : _seen.Contains(key))
        {
            return; // MSBuild's summary, a test reporter's recap: the same problem said again
        }

        var template = Fingerprint.Template(message);
        var diagnostic = new Diagnostic
        {
            Severity = raw.Severity,
            File = file,
            Line = raw.Line,
            Column = raw.Column,
            Code = raw.Code,
            Message = message,
            Tool = raw.Tool,
            LogLine = raw.StartLine,
            EndLogLine = Math.Max(raw.StartLine, raw.EndLine),
            Template = template,
            Fingerprint = Fingerprint.Compute(raw.Tool, raw.Code, template),
            Context = ContextOf(raw.StartLine, raw.EndLine),
        };

        if (raw.Severity == DiagnosticSeverity.Error)
        {
            if (raw.Secondary)
            {
                _secondaryErrors++;
            }
            else
            {
                _errors++;
            }
        }
        else
        {
            _warnings++;
        }

        if (_diagnostics.Count < MaxDiagnostics)
        {
            _diagnostics.Add((diagnostic, raw.Secondary));
        }

        if (!raw.Secondary)
        {
            _classifier.AddDiagnostic(diagnostic);
        }

        if (raw.Severity == DiagnosticSeverity.Error && _segments.Count < MaxExcerptSegments)
        {
            OpenSegment(Math.Max(1, raw.StartLine - ContextBefore), Math.Max(raw.StartLine, raw.EndLine) + ContextAfter, raw.Secondary);
        }
    }

    /// <summary>The lines of a diagnostic's block still remembered, one per line, at most <see cref="MaxContextChars"/> characters.</summary>
    private string ContextOf(long start, long end)
    {
        var builder = new StringBuilder();
        for (var n = Math.Max(start, _lines - RecentLines + 1); n <= Math.Min(end, _lines); n++)
        {
            if (TryRecall(n, out var text))
            {
                var separator = builder.Length > 0 ? 1 : 0;
                if (builder.Length + separator + text.Length > MaxContextChars)
                {
                    if (builder.Length == 0)
                    {
                        builder.Append(text.AsSpan(0, MaxContextChars)); // one long line: its start rather than nothing
                    }

                    break;
                }

                if (separator > 0)
                {
                    builder.Append('\n');
                }

                builder.Append(text);
            }
        }

        return builder.ToString();
    }

    private void OpenSegment(long start, long end, bool secondary)
    {
        var segment = new Segment(start, end, secondary);
        for (var n = Math.Max(start, _lines - RecentLines + 1); n <= _lines; n++)
        {
            if (TryRecall(n, out var text))
            {
                if (segment.FirstLine == 0)
                {
                    segment.FirstLine = n;
                }

                segment.Lines.Add(text);
            }
        }

        _segments.Add(segment);
        if (end > _lines)
        {
            _open.Add(segment);
        }
    }

    private void FeedOpenSegments(long number, string line)
    {
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            var segment = _open[i];
            if (number <= segment.End)
            {
                if (segment.FirstLine == 0)
                {
                    segment.FirstLine = number;
                }

                segment.Lines.Add(line);
            }

            if (number >= segment.End)
            {
                _open.RemoveAt(i);
            }
        }
    }

    /// <summary>Ends the log (flushing any unfinished line and block) and returns the analysis.</summary>
    /// <param name="succeeded">Whether the build succeeded; a successful build gets no failure category.</param>
    /// <param name="excerptTokens">Token budget of the failure excerpt (about 4 characters a token).</param>
    public LogAnalysis Complete(bool? succeeded = null, int excerptTokens = 2000)
    {
        if (!_completed)
        {
            _completed = true;
            if (_blocks.Finish() is { } last)
            {
                Consume(last);
            }

            foreach (var parser in _parsers)
            {
                parser.Flush(this);
            }

            // Lines without a label were not read for causes as they passed; the end of the log is.
            for (var n = Math.Max(1, _lines - TailSignalLines + 1); n <= _lines; n++)
            {
                if (TryRecall(n, out var text))
                {
                    _classifier.Observe(text, n);
                    ObserveBuiltInCauses(text, n);
                }
            }
        }

        var causes = new List<FoundFailureCause>();
        if (_causes is not null)
        {
            foreach (var found in _causes.Results)
            {
                causes.Add(new FoundFailureCause(found.Name, found.Description, found.Categories, [.. found.Indications.Select(i => i.LogLine).Distinct()]));
                if (!_causesClassified && found.Categories.Count > 0)
                {
                    // The owner named this cause: it outweighs what the generic rules infer.
                    _classifier.Add(found.Categories[0], found.FirstLogLine, $"{found.Name}: {found.Description}", 10);
                }
            }

            _causesClassified = true;
        }

        // "make: *** Error 1" and friends count only when nothing better explains the failure.
        var keepSecondary = _errors == 0;
        var diagnostics = _diagnostics
            .Where(d => keepSecondary || !d.Secondary)
            .Select(d => d.Diagnostic)
            .OrderBy(d => d.LogLine)
            .ToList();
        if (keepSecondary && !_secondaryClassified)
        {
            _secondaryClassified = true;
            foreach (var (d, _) in _diagnostics.Where(d => d.Secondary))
            {
                _classifier.AddDiagnostic(d);
            }
        }

        var errorCount = _errors + (keepSecondary ? _secondaryErrors : 0);
        var failed = succeeded is false || succeeded is null && errorCount > 0;
        string? category = null;
        double confidence = 0;
        IReadOnlyList<CategoryEvidence> evidence = [];
        if (failed)
        {
            AddBuiltInCauses(causes);
            (category, confidence, evidence) = _classifier.Decide(errorCount > 0);
        }

        return new LogAnalysis
        {
            TotalLines = _lines,
            ErrorCount = errorCount,
            WarningCount = _warnings,
            Diagnostics = diagnostics,
            Category = category,
            CategoryConfidence = confidence,
            Evidence = evidence,
            FailureExcerpt = failed ? BuildExcerpt(keepSecondary, excerptTokens) : [],
            Causes = causes,
            Root = _paths.Root,
        };
    }

    private void ObserveBuiltInCauses(string text, long number)
    {
        if (text.AsSpan().IndexOfAny(BuiltInCauseWords) >= 0)
        {
            _builtInCauses.ProcessLine(text, number);
        }
    }

    /// <summary>
    /// The built-in causes found in a failed log, after the workspace's (whose cause of the same name wins).
    /// They corroborate the category the generic rules infer from the same lines rather than outweigh it.
    /// </summary>
    private void AddBuiltInCauses(List<FoundFailureCause> causes)
    {
        foreach (var found in _builtInCauses.Results)
        {
            if (causes.Exists(c => string.Equals(c.Name, found.Name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            causes.Add(new FoundFailureCause(found.Name, found.Description, found.Categories, [.. found.Indications.Select(i => i.LogLine).Distinct()]));
            if (!_builtInClassified && found.Categories.Count > 0)
            {
                _classifier.Add(found.Categories[0], found.FirstLogLine, found.Indications[0].MatchingLine, 1);
            }
        }

        _builtInClassified = true;
    }

    private List<ExcerptRange> BuildExcerpt(bool keepSecondary, int tokens)
    {
        var budget = Math.Max(200, tokens) * 4;
        var candidates = _segments
            .Where(s => s.Lines.Count > 0 && (keepSecondary || !s.Secondary))
            .Select(s => (Start: s.FirstLine, s.Lines))
            .ToList();

        // The last lines of a failed log usually say how it ended (exit code, summary, kill).
        var tail = new List<string>();
        var tailStart = Math.Max(1, _lines - 5);
        for (var n = tailStart; n <= _lines; n++)
        {
            if (TryRecall(n, out var text))
            {
                tail.Add(text);
            }
        }

        var chosen = new List<(long Start, List<string> Lines)>();
        var used = 0;
        foreach (var candidate in candidates)
        {
            var size = candidate.Lines.Sum(l => l.Length + 1);
            if (used + size > budget)
            {
                // Keep what fits of a first, long block rather than nothing.
                if (chosen.Count == 0)
                {
                    var lines = new List<string>();
                    foreach (var line in candidate.Lines)
                    {
                        if (used + line.Length + 1 > budget)
                        {
                            break;
                        }

                        lines.Add(line);
                        used += line.Length + 1;
                    }

                    chosen.Add((candidate.Start, lines));
                }

                continue;
            }

            chosen.Add(candidate);
            used += size;
        }

        var tailSize = tail.Sum(l => l.Length + 1);
        if (tail.Count > 0 && used + tailSize <= budget)
        {
            chosen.Add((tailStart, tail));
        }

        // Merge overlapping or touching ranges into one, in log order.
        var merged = new List<(long Start, long End, List<string> Lines)>();
        foreach (var (start, lines) in chosen.OrderBy(c => c.Start))
        {
            var end = start + lines.Count - 1;
            if (merged.Count > 0 && start <= merged[^1].End + 1)
            {
                var last = merged[^1];
                var skip = (int)(last.End - start + 1);
                if (skip < lines.Count)
                {
                    last.Lines.AddRange(lines.Skip(Math.Max(0, skip)));
                    merged[^1] = (last.Start, end, last.Lines);
                }

                continue;
            }

            merged.Add((start, end, [.. lines]));
        }

        return [.. merged.Select(m => new ExcerptRange(m.Start, m.Start + m.Lines.Count - 1, string.Join('\n', m.Lines)))];
    }

    /// <summary>Analyzes a whole text at once.</summary>
    public static LogAnalysis Analyze(string text, string? root = null, bool? succeeded = null)
    {
        var analyzer = new LogAnalyzer(root);
        analyzer.Append(text);
        return analyzer.Complete(succeeded);
    }
}
