namespace BuildLore.Core.Builds;

/// <summary>
/// When each line of one stored piece of a log began, kept beside the piece so that the log text
/// itself stays the raw output. A line begins in a piece at its first character when the piece
/// before ended with a newline (or there is none), and after each newline that more text follows.
/// </summary>
/// <remarks>
/// Encoded compactly, since a log has many lines: kind <c>1</c> then one time (Unix milliseconds,
/// varint) for every line of the piece, when only the piece's arrival is known; kind <c>2</c>, the
/// number of times, the first time, then the difference from the previous line's (zig-zag varint),
/// usually one byte a line.
/// </remarks>
public sealed class LineTimes
{
    private const byte UniformKind = 1;
    private const byte PerLineKind = 2;

    private readonly byte[] _encoded;

    private LineTimes(byte[] encoded) => _encoded = encoded;

    /// <summary>The stored form.</summary>
    public byte[] ToArray() => (byte[])_encoded.Clone();

    /// <summary>Every line of the piece began at <paramref name="at"/> (as far as anyone knows).</summary>
    public static LineTimes Uniform(DateTimeOffset at)
    {
        var buffer = new List<byte>(10) { UniformKind };
        WriteVarint(buffer, (ulong)Math.Max(0, at.ToUnixTimeMilliseconds()));
        return new LineTimes([.. buffer]);
    }

    /// <summary>One time per line, in Unix milliseconds, in the order the lines begin.</summary>
    public static LineTimes PerLine(IReadOnlyList<long> unixMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(unixMilliseconds);
        var buffer = new List<byte>(unixMilliseconds.Count + 16) { PerLineKind };
        WriteVarint(buffer, (ulong)unixMilliseconds.Count);
        long previous = 0;
        for (var i = 0; i < unixMilliseconds.Count; i++)
        {
            var value = unixMilliseconds[i];
            if (i == 0)
            {
                WriteVarint(buffer, (ulong)Math.Max(0, value));
            }
            else
            {
                var delta = value - previous;
                WriteVarint(buffer, (ulong)((delta << 1) ^ (delta >> 63)));
            }

            previous = i == 0 ? Math.Max(0, value) : value;
        }

        return new LineTimes([.. buffer]);
    }

    /// <summary>Reads the stored form; null when there is none (pieces stored before times were kept) or it is not understood.</summary>
    public static LineTimes? FromStored(byte[]? encoded) =>
        encoded is { Length: > 1 } && encoded[0] is UniformKind or PerLineKind ? new LineTimes(encoded) : null;

    /// <summary>Reads the times in order, one per line that begins in the piece.</summary>
    public Cursor GetCursor() => new(_encoded);

    /// <summary>Sequential reader of the times of a piece's lines.</summary>
    public struct Cursor
    {
        private readonly byte[] _encoded;
        private int _position;
        private long _remaining;
        private long _previous;
        private bool _started;

        internal Cursor(byte[] encoded)
        {
            _encoded = encoded;
            _position = 1;
            _remaining = encoded[0] == UniformKind ? long.MaxValue : -1;
            _previous = 0;
            _started = false;
        }

        /// <summary>The time the next line began, or null when the piece says no more.</summary>
        public DateTimeOffset? Next()
        {
            if (_encoded[0] == UniformKind)
            {
                if (!_started)
                {
                    _previous = TryReadVarint(out var at) ? (long)Math.Min(at, (ulong)long.MaxValue) : -1;
                    _started = true;
                }

                return _previous >= 0 ? FromMilliseconds(_previous) : null;
            }

            if (_remaining < 0)
            {
                _remaining = TryReadVarint(out var count) ? (long)Math.Min(count, int.MaxValue) : 0;
            }

            if (_remaining == 0 || !TryReadVarint(out var raw))
            {
                _remaining = 0;
                return null;
            }

            _remaining--;
            if (!_started)
            {
                _previous = (long)Math.Min(raw, (ulong)long.MaxValue);
                _started = true;
            }
            else
            {
                _previous += (long)(raw >> 1) ^ -(long)(raw & 1);
            }

            return FromMilliseconds(_previous);
        }

        private bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 64 && _position < _encoded.Length; shift += 7)
            {
                var b = _encoded[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static DateTimeOffset? FromMilliseconds(long ms) =>
            ms is >= 0 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }
}
