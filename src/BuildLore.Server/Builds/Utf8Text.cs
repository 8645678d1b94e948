namespace BuildLore.Server.Builds;

/// <summary>Checks on UTF-8 bodies that arrive in pieces.</summary>
internal static class Utf8Text
{
    /// <summary>
    /// True when the bytes end with the beginning of a multi-byte character and not all of it: a lead
    /// byte among the last three whose sequence runs past the end. Invalid bytes elsewhere are not this
    /// method's business (they decode as U+FFFD).
    /// </summary>
    public static bool EndsInsideCharacter(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: its lead is further back
            }

            var length = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return length > back;
        }

        return false;
    }
}
