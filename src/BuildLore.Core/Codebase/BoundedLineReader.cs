namespace BuildLore.Core.Codebase;

/// <summary>
/// Reads text line by line as <see cref="TextReader.ReadLine"/> does (<c>\n</c>, <c>\r\n</c> and a lone
/// <c>\r</c> end a line), but keeps at most a given number of characters of each line and only counts
/// the rest: a file that is one 500 MB line (minified code, a data dump) costs a bounded buffer, not a
/// string of its size.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;

    /// <summary>The next line without its end, or null at the end of the text.</summary>
    /// <param name="maxChars">Characters of the line to keep; 0 keeps none (the line is only counted).</param>
    /// <param name="fullLength">The line's whole length, however much of it was kept.</param>
    public string? ReadLine(int maxChars, out long fullLength)
    {
        fullLength = 0;
        System.Text.StringBuilder? kept = null;
        var any = false;
        while (true)
        {
            if (_position == _length && !Fill())
            {
                return any ? Keep(kept) : null;
            }

            any = true;
            var window = _buffer.AsSpan(_position, _length - _position);
            var end = window.IndexOfAny('\n', '\r');
            var piece = end < 0 ? window : window[..end];
            var room = (int)Math.Min(piece.Length, Math.Max(0, maxChars - fullLength));
            string? whole = null;
            if (end >= 0 && kept is null)
            {
                whole = piece[..room].ToString(); // the usual case: the line lies in one buffer, no builder needed
            }
            else if (room > 0)
            {
                (kept ??= new System.Text.StringBuilder()).Append(piece[..room]);
            }

            fullLength += piece.Length;
            _position += piece.Length;
            if (end < 0)
            {
                continue;
            }

            var carriageReturn = _buffer[_position] == '\r';
            _position++;
            if (carriageReturn && (_position < _length || Fill()) && _buffer[_position] == '\n')
            {
                _position++;
            }

            return whole ?? Keep(kept);
        }
    }

    private static string Keep(System.Text.StringBuilder? kept) => kept?.ToString() ?? "";

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
