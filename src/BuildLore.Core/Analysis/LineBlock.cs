using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BuildLore.Core.Analysis;

/// <summary>What the cheap scan of a line found; the analyzer reads a line fully only when it says so.</summary>
[Flags]
internal enum LineFlags : byte
{
    None = 0,

    /// <summary>A word tools label problems with, a marker or a test reporter's failure mark.</summary>
    Keyword = 1,

    /// <summary>A crash or full-disk marker ("Killed", "No space left"...), which needs no label.</summary>
    Marker = 2,

    /// <summary>A line that may open a multi-line block without a keyword (eslint's file header, pytest's sections...).</summary>
    MayStartBlock = 4,

    /// <summary>The line needs the general path: escape sequences, control characters, a CI timestamp, or a cut.</summary>
    Raw = 8,
}

/// <summary>Where a line of a block is: its start, its length (without <c>\r\n</c> unless it is raw) and its flags.</summary>
internal struct LineInfo
{
    public int Start;
    public int Length;
    public LineFlags Flags;
}

/// <summary>
/// Whole lines of a log in one pooled buffer, scanned: the unit the analyzer consumes. Scanning is
/// stateless, so one thread can scan the next block while another analyzes this one.
/// </summary>
internal sealed class LineBlock : IDisposable
{
    // A line with none of these cannot start a diagnostic, so most lines of a log cost two vectorized
    // searches and nothing else. SearchValues stays vectorized up to about eight values, hence two
    // sets: the words tools label problems with, and markers of formats that use no such word.
    private static readonly string[] LabelWords = ["error", "warning", "fail", "fatal", "panic", "exception", "traceback", "timeout"];

    internal static readonly SearchValues<string> Labels = SearchValues.Create(LabelWords, StringComparison.OrdinalIgnoreCase);

    // "ERR" stands for npm's "ERR!" and pnpm's "ERR_PNPM_...", whose lines hold no label word.
    internal static readonly SearchValues<string> Markers = SearchValues.Create(
        ["undefined reference", "multiple definition", ".go:", "Killed", "Segmentation fault", "No space left", "timed out", "not ok", "ERR"], StringComparison.Ordinal);

    // Test reporters' failure marks and yarn berry's report arrow; kept apart because non-ASCII values
    // make a string search slow.
    internal static readonly SearchValues<char> Symbols = SearchValues.Create("✖●➤");

    // Control characters that make a line need cleaning, except a line's own end.
    private static readonly SearchValues<char> LineControlCharacters = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private LineInfo[] _lines;
    private int[] _flagged; // indices of the lines whose flags are not None, in order
    private int _flaggedCount;

    /// <param name="capacity">Characters the block can hold.</param>
    public LineBlock(int capacity)
    {
        Text = ArrayPool<char>.Shared.Rent(capacity);
        _lines = ArrayPool<LineInfo>.Shared.Rent(Math.Max(16, capacity / 32));
        _flagged = ArrayPool<int>.Shared.Rent(64);
    }

    /// <summary>The text: whole lines, each ending with <c>\n</c>.</summary>
    public char[] Text { get; private set; }

    /// <summary>Characters of <see cref="Text"/> in use.</summary>
    public int Length { get; set; }

    public int Count { get; private set; }

    public ref readonly LineInfo this[int index] => ref _lines[index];

    public ReadOnlySpan<char> LineText(int index) => Text.AsSpan(_lines[index].Start, _lines[index].Length);

    /// <summary>The first line at or after <paramref name="index"/> with any flag, or <see cref="Count"/>.</summary>
    /// <param name="index">The line to start from.</param>
    /// <param name="cursor">Where the previous search stopped; searches only move forward.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextFlagged(int index, ref int cursor)
    {
        while (cursor < _flaggedCount && _flagged[cursor] < index)
        {
            cursor++;
        }

        return cursor < _flaggedCount ? _flagged[cursor] : Count;
    }

    /// <summary>Finds the lines and flags each; lines longer than <paramref name="maxLineLength"/> are cut.</summary>
    public void Scan(int maxLineLength)
    {
        var block = Text.AsSpan(0, Length);
        var hits = new Hits(block);
        var newlines = new Newlines(block);
        var start = 0;
        Count = 0;
        _flaggedCount = 0;
        while (start < block.Length)
        {
            var end = newlines.Next();
            var line = block[start..end];
            var length = line.Length;
            if (length > 0 && line[^1] == '\r')
            {
                length--;
            }

            LineFlags flags;
            if (line.Length > maxLineLength || hits.Control(start, length))
            {
                // Rare lines take the general path; a long one is cut first, as whatever way it arrived.
                length = Math.Min(line.Length, maxLineLength);
                flags = LineFlags.Raw;
            }
            else
            {
                if (LineCleaner.HasTimestamp(line))
                {
                    // A CI timestamp and nothing else to clean: the line is what follows it.
                    var stamp = LineCleaner.TimestampLength(line[..length]);
                    start += stamp;
                    length -= stamp;
                    line = block[start..end];
                }

                flags = (hits.Keyword(start, length) ? LineFlags.Keyword : 0)
                        | (hits.Marker(start, length) ? LineFlags.Marker : 0)
                        | (MayStartBlock(line[..length]) ? LineFlags.MayStartBlock : 0);
            }

            if (Count == _lines.Length)
            {
                Grow(ref _lines, Count);
            }

            if (flags != LineFlags.None)
            {
                if (_flaggedCount == _flagged.Length)
                {
                    Grow(ref _flagged, _flaggedCount);
                }

                _flagged[_flaggedCount++] = Count;
            }

            _lines[Count++] = new LineInfo { Start = start, Length = length, Flags = flags };
            start = end + 1;
        }
    }

    private static void Grow<T>(ref T[] array, int used)
    {
        var larger = ArrayPool<T>.Shared.Rent(array.Length * 2);
        array.AsSpan(0, used).CopyTo(larger);
        ArrayPool<T>.Shared.Return(array);
        array = larger;
    }

    /// <summary>True when a line has a keyword; the general path asks this of a cleaned line.</summary>
    public static bool HasKeyword(ReadOnlySpan<char> line) =>
        HasLabel(line) || line.IndexOfAny(Markers) >= 0 || line.IndexOfAny(Symbols) >= 0;

    /// <summary>True when a label word stands in the line as a label can, not only inside an identifier or a flag.</summary>
    public static bool HasLabel(ReadOnlySpan<char> line)
    {
        var from = 0;
        while (from < line.Length)
        {
            var found = line[from..].IndexOfAny(Labels);
            if (found < 0)
            {
                return false;
            }

            if (IsLabelAt(line, from + found))
            {
                return true;
            }

            from += found + 1;
        }

        return false;
    }

    /// <summary>
    /// Whether the label word found at <paramref name="index"/> can label a problem. It cannot when it
    /// is only part of a longer name: after a letter or digit in lower case (<c>-Werror=format</c>,
    /// <c>noerror</c>), between underscores (<c>test_error_handling</c>), or as the capitalized first
    /// word of a PascalCase name (<c>ErrorHandler.cs</c>). A capitalized word after letters still counts
    /// (<c>TypeError</c>, <c>NullPointerException</c>, <c>ComparisonFailure</c>): that is how
    /// exceptions are named.
    /// </summary>
    internal static bool IsLabelAt(ReadOnlySpan<char> line, int index)
    {
        var length = 0;
        foreach (var word in LabelWords)
        {
            if (line[index..].StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                length = word.Length;
                break;
            }
        }

        var before = index > 0 ? line[index - 1] : ' ';
        var after = index + length < line.Length ? line[index + length] : ' ';
        var first = line[index];
        if (char.IsAsciiLetterOrDigit(before) && char.IsAsciiLetterLower(first))
        {
            return false;
        }

        if (before == '_' && after == '_')
        {
            return false;
        }

        return !(char.IsAsciiLetterUpper(first) && char.IsAsciiLetterUpper(after) && IsLower(line.Slice(index + 1, length - 1)));
    }

    private static bool IsLower(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('a', 'z');

    /// <summary>Lines without a keyword that can still open a block: eslint's file header, gfortran's location, pytest's sections, Gradle's report.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MayStartBlock(ReadOnlySpan<char> line)
    {
        if (line.Length < 3)
        {
            return false;
        }

        return line[^1] == ':'
               || line.StartsWith("==", StringComparison.Ordinal)
               || line.StartsWith("* ", StringComparison.Ordinal)
               || line[0] != ' ' && line.IndexOf(' ') < 0 && line.IndexOfAny('/', '\\') >= 0 && line.IndexOf('.') >= 0;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(Text);
        ArrayPool<LineInfo>.Shared.Return(_lines);
        ArrayPool<int>.Shared.Return(_flagged);
        Text = [];
        _lines = [];
        _flagged = [];
    }

    /// <summary>
    /// Where the next keyword, marker and control character of a block are. Each is searched for over
    /// the rest of the block — vectorized searches are fastest on long inputs — and again only once a
    /// line has passed it, so a line without any costs no search of its own.
    /// </summary>
    private ref struct Hits(ReadOnlySpan<char> block)
    {
        private readonly ReadOnlySpan<char> _block = block;
        private int _label = -1;
        private int _marker = -1;
        private int _symbol = -1;
        private int _control = -1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Keyword(int start, int length) =>
            Label(start, length) | Marker(start, length) | Within(ref _symbol, Symbols, start, length);

        /// <summary>A label word in the line that stands as a label (see <see cref="IsLabelAt"/>); those inside names are passed over.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Label(int start, int length)
        {
            while (Within(ref _label, Labels, start, length))
            {
                if (IsLabelAt(_block.Slice(start, length), _label - start))
                {
                    return true;
                }

                var found = _block[(_label + 1)..].IndexOfAny(Labels);
                _label = found < 0 ? int.MaxValue : _label + 1 + found;
            }

            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Marker(int start, int length) => Within(ref _marker, Markers, start, length);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Control(int start, int length) => Within(ref _control, LineControlCharacters, start, length);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly bool Within(ref int next, SearchValues<string> values, int start, int length)
        {
            if (next < start)
            {
                var found = _block[start..].IndexOfAny(values);
                next = found < 0 ? int.MaxValue : start + found;
            }

            return next < start + length;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly bool Within(ref int next, SearchValues<char> values, int start, int length)
        {
            if (next < start)
            {
                var found = _block[start..].IndexOfAny(values);
                next = found < 0 ? int.MaxValue : start + found;
            }

            return next < start + length;
        }
    }
}

/// <summary>
/// Cuts text arriving in pieces of any size into <see cref="LineBlock"/>s of whole lines. A line
/// longer than the longest kept is cut to that length and the rest of it dropped, so memory stays
/// bounded whatever the input (a 50 MB line included).
/// </summary>
internal sealed class LineBlockBuilder(int maxLineLength, int blockSize = LineBlockBuilder.DefaultBlockSize)
{
    public const int DefaultBlockSize = 256 * 1024;

    private readonly char[] _carry = new char[maxLineLength];
    private int _carried;
    private bool _dropping; // the current line passed the longest kept: drop until its end

    /// <summary>Adds text; each block of whole lines it completes goes to <paramref name="emit"/>, which owns it.</summary>
    public void Append(ReadOnlySpan<char> text, Action<LineBlock> emit)
    {
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                Carry(text);
                return;
            }

            if (_carried > 0 || _dropping)
            {
                // The unfinished line ends here: it goes out alone, so a block never starts mid-line.
                Carry(text[..newline]);
                text = text[(newline + 1)..];
                emit(TakeCarried());
                continue;
            }

            // Whole lines, up to about a block's size.
            var take = text.Length <= blockSize ? text : text[..blockSize];
            var end = take.LastIndexOf('\n') + 1;
            if (end == 0)
            {
                end = newline + 1; // one line longer than a block
            }

            var whole = new LineBlock(end);
            text[..end].CopyTo(whole.Text);
            whole.Length = end;
            text = text[end..];
            emit(whole);
        }
    }

    /// <summary>The last line when the text ends without a newline, or null.</summary>
    public LineBlock? Finish() => _carried == 0 && !_dropping ? null : TakeCarried();

    private LineBlock TakeCarried()
    {
        var block = new LineBlock(_carried + 1);
        _carry.AsSpan(0, _carried).CopyTo(block.Text);
        block.Text[_carried] = '\n';
        block.Length = _carried + 1;
        _carried = 0;
        _dropping = false;
        return block;
    }

    private void Carry(ReadOnlySpan<char> text)
    {
        var room = _carry.Length - _carried;
        if (text.Length > room)
        {
            _dropping = true;
            text = text[..room];
        }

        text.CopyTo(_carry.AsSpan(_carried));
        _carried += text.Length;
    }
}

/// <summary>
/// The newlines of a block in order, found 64 characters at a time with vector compares whose bits are
/// then walked: cheaper than one <c>IndexOf('\n')</c> call per line when most lines are short.
/// </summary>
internal ref struct Newlines(ReadOnlySpan<char> text)
{
    private const int Width = 64;
    private readonly ReadOnlySpan<char> _text = text;
    private ulong _mask;
    private int _base = -Width;

    /// <summary>The index of the next newline, or the text's length when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next()
    {
        while (_mask == 0)
        {
            _base += Width;
            if (_base >= _text.Length)
            {
                return _text.Length;
            }

            _mask = MaskAt(_base);
        }

        var index = _base + BitOperations.TrailingZeroCount(_mask);
        _mask &= _mask - 1;
        return index;
    }

    private readonly ulong MaskAt(int at)
    {
        ulong mask = 0;
        if (at + Width <= _text.Length && Vector128.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_text), at));
            if (Vector256.IsHardwareAccelerated)
            {
                var newline = Vector256.Create((ushort)'\n');
                for (var i = 0; i < Width; i += Vector256<ushort>.Count)
                {
                    mask |= (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)i), newline).ExtractMostSignificantBits() << i;
                }
            }
            else
            {
                var newline = Vector128.Create((ushort)'\n');
                for (var i = 0; i < Width; i += Vector128<ushort>.Count)
                {
                    mask |= (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)i), newline).ExtractMostSignificantBits() << i;
                }
            }

            return mask;
        }

        var end = Math.Min(at + Width, _text.Length);
        for (var i = at; i < end; i++)
        {
            if (_text[i] == '\n')
            {
                mask |= 1UL << (i - at);
            }
        }

        return mask;
    }
}
