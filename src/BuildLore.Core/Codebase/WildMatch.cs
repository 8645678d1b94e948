namespace BuildLore.Core.Codebase;

/// <summary>
/// git's <c>wildmatch</c> (wildmatch.c), the glob engine behind <c>.gitignore</c>, on UTF-8 bytes as git
/// matches them. Ported rule for rule so that a workspace without git hides what git would hide:
/// <c>*</c>, <c>?</c>, <c>[...]</c> with ranges, <c>!</c>/<c>^</c> negation and <c>[:class:]</c>,
/// backslash escapes, and <c>**</c> that crosses folders only as a whole path segment.
/// </summary>
internal static class WildMatch
{
    private const int Match = 0;
    private const int NoMatch = 1;
    private const int AbortAll = -1;
    private const int AbortToStarStar = -2;

    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The glob, as written in the ignore file (without its "!" and trailing "/").</param>
    /// <param name="text">The path or name to test.</param>
    /// <param name="pathname">git's WM_PATHNAME: wildcards other than <c>/**/</c> do not match '/'.</param>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool pathname) =>
        DoWild(pattern, 0, text, 0, pathname) == Match;

    // The C original walks NUL-terminated strings; reading past the end here yields that NUL.
    private static byte At(ReadOnlySpan<byte> s, int i) => i < s.Length ? s[i] : (byte)0;

    private static bool IsGlobSpecial(byte c) => c is (byte)'*' or (byte)'?' or (byte)'[' or (byte)'\\';

    private static int DoWild(ReadOnlySpan<byte> pattern, int p, ReadOnlySpan<byte> text, int t, bool pathname)
    {
        for (; p < pattern.Length; t++, p++)
        {
            var pCh = pattern[p];
            var tCh = At(text, t);
            if (tCh == 0 && pCh != '*')
            {
                return AbortAll;
            }

            switch (pCh)
            {
                case (byte)'\\':
                    // A literal match with the next character; a trailing backslash matches nothing.
                    pCh = At(pattern, ++p);
                    if (tCh != pCh)
                    {
                        return NoMatch;
                    }

                    continue;
                case (byte)'?':
                    if (pathname && tCh == '/')
                    {
                        return NoMatch;
                    }

                    continue;
                case (byte)'*':
                    bool matchSlash;
                    if (At(pattern, ++p) == '*')
                    {
                        var prev = p - 2;
                        while (At(pattern, ++p) == '*')
                        {
                        }

                        if ((prev < 0 || pattern[prev] == '/')
                            && (At(pattern, p) == 0 || At(pattern, p) == '/' || (At(pattern, p) == '\\' && At(pattern, p + 1) == '/')))
                        {
                            // "foo/**/bar" also matches "foo/bar": try "**/" as matching nothing first.
                            if (At(pattern, p) == '/' && DoWild(pattern, p + 1, text, t, pathname) == Match)
                            {
                                return Match;
                            }

                            matchSlash = true;
                        }
                        else
                        {
                            matchSlash = !pathname;
                        }
                    }
                    else
                    {
                        matchSlash = !pathname;
                    }

                    if (p >= pattern.Length)
                    {
                        // A trailing "**" matches everything; a trailing "*" only what has no more slashes.
                        return !matchSlash && text[t..].Contains((byte)'/') ? NoMatch : Match;
                    }

                    if (!matchSlash && pattern[p] == '/')
                    {
                        // One star then a slash matches up to the next folder separator.
                        var slash = text[t..].IndexOf((byte)'/');
                        if (slash < 0)
                        {
                            return NoMatch;
                        }

                        t += slash;
                        break; // the loop's increments consume both slashes
                    }

                    while (true)
                    {
                        if (tCh == 0)
                        {
                            break;
                        }

                        // When a literal follows the star, skip ahead to its next occurrence.
                        if (!IsGlobSpecial(pattern[p]))
                        {
                            var literal = pattern[p];
                            while ((tCh = At(text, t)) != 0 && (matchSlash || tCh != '/'))
                            {
                                if (tCh == literal)
                                {
                                    break;
                                }

                                t++;
                            }

                            if (tCh != literal)
                            {
                                return NoMatch;
                            }
                        }

                        var matched = DoWild(pattern, p, text, t, pathname);
                        if (matched != NoMatch)
                        {
                            if (!matchSlash || matched != AbortToStarStar)
                            {
                                return matched;
                            }
                        }
                        else if (!matchSlash && tCh == '/')
                        {
                            return AbortToStarStar;
                        }

                        tCh = At(text, ++t);
                    }

                    return AbortAll;
                case (byte)'[':
                    {
                        pCh = At(pattern, ++p);
                        if (pCh == '^')
                        {
                            pCh = (byte)'!';
                        }

                        var negated = pCh == '!';
                        if (negated)
                        {
                            pCh = At(pattern, ++p);
                        }

                        byte prevCh = 0;
                        var matchedClass = false;
                        do
                        {
                            if (pCh == 0)
                            {
                                return AbortAll;
                            }

                            if (pCh == '\\')
                            {
                                pCh = At(pattern, ++p);
                                if (pCh == 0)
                                {
                                    return AbortAll;
                                }

                                if (tCh == pCh)
                                {
                                    matchedClass = true;
                                }
                            }
                            else if (pCh == '-' && prevCh != 0 && At(pattern, p + 1) != 0 && At(pattern, p + 1) != ']')
                            {
                                pCh = At(pattern, ++p);
                                if (pCh == '\\')
                                {
                                    pCh = At(pattern, ++p);
                                    if (pCh == 0)
                                    {
                                        return AbortAll;
                                    }
                                }

                                if (tCh <= pCh && tCh >= prevCh)
                                {
                                    matchedClass = true;
                                }

                                pCh = 0; // a range cannot start another range
                            }
                            else if (pCh == '[' && At(pattern, p + 1) == ':')
                            {
                                var start = p += 2;
                                while ((pCh = At(pattern, p)) != 0 && pCh != ']')
                                {
                                    p++;
                                }

                                if (pCh == 0)
                                {
                                    return AbortAll;
                                }

                                var length = p - start - 1;
                                if (length < 0 || pattern[p - 1] != ':')
                                {
                                    // No ":]": a plain '[' in the set after all.
                                    p = start - 2;
                                    pCh = (byte)'[';
                                    if (tCh == pCh)
                                    {
                                        matchedClass = true;
                                    }

                                    continue;
                                }

                                switch (InClass(pattern.Slice(start, length), tCh))
                                {
                                    case null:
                                        return AbortAll; // an unknown [:class:]
                                    case true:
                                        matchedClass = true;
                                        break;
                                }

                                pCh = 0;
                            }
                            else if (tCh == pCh)
                            {
                                matchedClass = true;
                            }
                        }
                        while (Advance(ref prevCh, ref pCh, pattern, ref p) != ']');

                        if (matchedClass == negated || (pathname && tCh == '/'))
                        {
                            return NoMatch;
                        }

                        continue;
                    }

                default:
                    if (tCh != pCh)
                    {
                        return NoMatch;
                    }

                    continue;
            }
        }

        return t < text.Length ? NoMatch : Match;
    }

    // The "prev_ch = p_ch, (p_ch = *++p)" step of the character-class loop.
    private static byte Advance(ref byte prevCh, ref byte pCh, ReadOnlySpan<byte> pattern, ref int p)
    {
        prevCh = pCh;
        pCh = At(pattern, ++p);
        return pCh;
    }

    /// <summary>Whether <paramref name="c"/> is in the POSIX class; null for a name git does not know.</summary>
    private static bool? InClass(ReadOnlySpan<byte> name, byte c)
    {
        var ch = (char)c;
        var ascii = c < 128;
        return name switch
        {
            _ when name.SequenceEqual("alnum"u8) => ascii && char.IsAsciiLetterOrDigit(ch),
            _ when name.SequenceEqual("alpha"u8) => ascii && char.IsAsciiLetter(ch),
            _ when name.SequenceEqual("blank"u8) => c is (byte)' ' or (byte)'\t',
            _ when name.SequenceEqual("cntrl"u8) => c < 32 || c == 127,
            _ when name.SequenceEqual("digit"u8) => char.IsAsciiDigit(ch),
            _ when name.SequenceEqual("graph"u8) => c > 32 && c < 127,
            _ when name.SequenceEqual("lower"u8) => char.IsAsciiLetterLower(ch),
            _ when name.SequenceEqual("print"u8) => c >= 32 && c < 127,
            _ when name.SequenceEqual("punct"u8) => c > 32 && c < 127 && !char.IsAsciiLetterOrDigit(ch),
            _ when name.SequenceEqual("space"u8) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v',
            _ when name.SequenceEqual("upper"u8) => char.IsAsciiLetterUpper(ch),
            _ when name.SequenceEqual("xdigit"u8) => char.IsAsciiHexDigit(ch),
            _ => null,
        };
    }
}
