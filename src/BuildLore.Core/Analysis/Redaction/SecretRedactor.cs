using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace BuildLore.Core.Analysis.Redaction;

/// <summary>
/// Replaces secrets in single log lines with <see cref="Mask"/> before a log is stored or analyzed.
/// </summary>
/// <remarks>
/// <para>
/// Detected: AWS access key ids (<c>AKIA</c>/<c>ASIA</c>…) and <c>aws_secret_access_key</c> values;
/// GitHub tokens (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>, <c>github_pat_</c>);
/// GitLab <c>glpat-</c> tokens; Slack <c>xox?-</c> tokens and <c>hooks.slack.com</c> webhook paths; JWTs;
/// private key BEGIN lines (the whole line; see <see cref="StreamingRedactor"/> for the key body);
/// <c>key=value</c> / <c>key: value</c> assignments whose key ends in password, passwd, pwd, secret,
/// secret_key, token, api_key, apikey, api-key, _auth, accountkey or sharedaccesskey (this covers ADO.NET
/// <c>Password=…;</c>, npm <c>_authToken=</c> and Azure <c>AccountKey=</c>); the password of
/// <c>scheme://user:password@host</c> URLs; <c>Authorization:</c> header credentials and long
/// <c>Bearer</c> tokens; the <c>sig=</c> signature of Azure SAS URLs; and the owner's literal secrets.
/// </para>
/// <para>
/// Assignments keep their key (<c>password=***</c>). A key must END with one of the words above, so
/// <c>token_count=5</c> or <c>max_tokens=5</c> are left alone while <c>GITHUB_TOKEN=…</c> and
/// <c>client_secret=…</c> are redacted. A quoted value is masked up to its closing quote, an unquoted
/// one up to whitespace, <c>;</c>, <c>&amp;</c> or a quote. Values that cannot be secrets are kept: empty values, values
/// already masked (<c>***</c>), comparisons (<c>password == null</c>), type names
/// (<c>token: string</c>) and, for <c>pwd</c> keys only, directory paths (<c>PWD=/home/runner</c>).
/// Hex strings such as git SHAs and ordinary build output are never matched.
/// </para>
/// <para>
/// Every pattern runs on the non-backtracking engine, so matching is linear in the line length. A
/// match timeout is still set as a backstop; if it ever fires the whole line becomes <see cref="Mask"/>
/// rather than risk a leak. Lines with none of the trigger substrings return untouched without running
/// any pattern. Redacting an already redacted line changes nothing (one known exception: a URL whose
/// query holds a raw '@' after a masked password, <c>https://u:***@h?a=b@c</c>, is masked again).
/// </para>
/// </remarks>
public sealed partial class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Literal secrets shorter than this are ignored: they would mask ordinary text.</summary>
    public const int MinimumLiteralLength = 4;

    private const int MatchTimeoutMilliseconds = 2000;

    // Values of an assignment that are clearly not secrets (type annotations, literals).
    private static readonly HashSet<string> NonSecretValues = new(StringComparer.OrdinalIgnoreCase)
    {
        "string", "number", "boolean", "bool", "int", "str", "any", "object",
        "null", "none", "nil", "undefined", "true", "false",
    };

    private static readonly Rule[] Rules =
    [
        new(["AKIA", "ASIA"], AwsAccessKeyIdRegex, WholeMatch),
        new(["aws_secret_access_key"], AwsSecretAccessKeyRegex, AssignedValue),
        new(["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], GitHubTokenRegex, WholeMatch),
        new(["glpat-"], GitLabTokenRegex, WholeMatch),
        new(["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"], SlackTokenRegex, WholeMatch),
        new(["hooks.slack.com"], SlackWebhookRegex, SlackWebhookPath),
        new(["eyJ"], JwtRegex, WholeMatch),
        new(
            ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "_auth", "accountkey", "sharedaccesskey"],
            AssignmentRegex,
            Assignment),
        new(["://"], UrlCredentialsRegex, UrlPassword) { MayMatch = static line => line.Contains('@') }, // credentials end at an '@'
        new(["authorization"], AuthorizationHeaderRegex, AuthorizationCredentials),
        new(["bearer"], BearerTokenRegex, BearerToken),
        new(["sig="], SasSignatureRegex, SasSignature),
    ];

    // Union of every rule's triggers plus the private key marker: the cheap pre-check.
    private static readonly SearchValues<string> Triggers = SearchValues.Create(
        [.. Rules.SelectMany(r => r.TriggerStrings), "PRIVATE KEY"],
        StringComparison.OrdinalIgnoreCase);

    // For the search across many lines, rarer pieces of the triggers: each trigger holds one (a test
    // checks it), so a line with none has no trigger, and a line with one is then checked exactly.
    // "api" alone, "pass", "sec" and "tok" are everywhere in build logs (test_api.py, PASSED, 1.2 sec,
    // Compiling tokio), and each would be a false start.
    internal static readonly string[] TriggerPieces =
    [
        "akia", "asia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "b_pat_", "glpat-", "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-",
        "hooks.slack", "eyj", "ssword", "sswd", "pwd", "ecret", "oken", "pi_key", "pikey", "pi-key", "_auth", "ntkey", "daccesskey",
        "://", "rization", "bearer", "sig=", "vate key",
    ];

    private static readonly SearchValues<string> TriggerPieceValues = SearchValues.Create(TriggerPieces, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every trigger word of the detectors, for tests.</summary>
    internal static IEnumerable<string> AllTriggers => [.. Rules.SelectMany(r => r.TriggerStrings), "PRIVATE KEY"];

    private readonly string[] _literals;
    private readonly SearchValues<string>? _literalTriggers;

    /// <summary>Creates a redactor that also masks the given literal values (ordinal, anywhere in a line).</summary>
    /// <param name="literalSecrets">Values configured by the owner; those shorter than
    /// <see cref="MinimumLiteralLength"/>, or made only of <c>*</c>, are ignored.</param>
    public SecretRedactor(IEnumerable<string>? literalSecrets = null)
    {
        _literals = (literalSecrets ?? [])
            .Where(s => s is not null && s.Length >= MinimumLiteralLength && s.AsSpan().ContainsAnyExcept('*'))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToArray();
        _literalTriggers = _literals.Length > 0 ? SearchValues.Create(_literals, StringComparison.Ordinal) : null;
    }

    /// <summary>A redactor with the built-in detectors and no literal secrets.</summary>
    public static SecretRedactor Default { get; } = new();

    /// <summary>
    /// Redacts one line (which must not contain a newline). Returns <paramref name="line"/> itself when
    /// nothing matched.
    /// </summary>
    /// <param name="line">The line.</param>
    /// <param name="redactions">How many separate regions were masked (overlapping detections of one
    /// secret count once; a whole-line redaction counts one).</param>
    public string Redact(string line, out int redactions)
    {
        ArgumentNullException.ThrowIfNull(line);
        redactions = 0;
        var span = line.AsSpan();
        var hasTrigger = span.IndexOfAny(Triggers) >= 0;
        var hasLiteral = _literalTriggers is not null && span.IndexOfAny(_literalTriggers) >= 0;
        if (!hasTrigger && !hasLiteral)
        {
            return line;
        }

        try
        {
            if (hasTrigger && IsPrivateKeyBegin(line))
            {
                redactions = 1;
                return Mask;
            }

            List<(int Start, int End)>? spans = null;
            if (hasTrigger)
            {
                foreach (var rule in Rules)
                {
                    if (span.IndexOfAny(rule.Triggers) >= 0 && (rule.MayMatch is null || rule.MayMatch(span)))
                    {
                        CollectRuleSpans(rule, line, ref spans);
                    }
                }
            }

            if (hasLiteral)
            {
                CollectLiteralSpans(line, ref spans);
            }

            return spans is null ? line : Apply(line, spans, out redactions);
        }
        catch (RegexMatchTimeoutException)
        {
            // Never leak: if a pattern could not finish, the whole line goes.
            redactions = 1;
            return Mask;
        }
    }

    /// <summary>
    /// Where the first thing that may be part of a secret is (a piece of a detector's trigger or a literal
    /// secret), or -1: lines before it need no redaction. One vectorized search over many lines.
    /// </summary>
    internal int IndexOfTrigger(ReadOnlySpan<char> text)
    {
        var at = text.IndexOfAny(TriggerPieceValues);
        if (_literalTriggers is not null)
        {
            var literal = (at < 0 ? text : text[..at]).IndexOfAny(_literalTriggers);
            if (literal >= 0)
            {
                at = literal;
            }
        }

        return at;
    }

    /// <summary>Whether the line holds a detector's trigger or a literal secret; <see cref="Redact(string, out int)"/> returns any other line as it is.</summary>
    internal bool MayHoldSecret(ReadOnlySpan<char> line)
    {
        if (_literalTriggers is not null && line.IndexOfAny(_literalTriggers) >= 0)
        {
            return true;
        }

        // URLs are in every build log; only one with an '@' can carry credentials.
        var noAt = !line.Contains('@');
        for (var from = 0; from < line.Length;)
        {
            var at = line[from..].IndexOfAny(Triggers);
            if (at < 0)
            {
                return false;
            }

            at += from;
            if (!noAt || !line[at..].StartsWith("://", StringComparison.Ordinal))
            {
                return true;
            }

            from = at + 3;
        }

        return false;
    }

    /// <summary>Redacts one line, discarding the count.</summary>
    public string Redact(string line) => Redact(line, out _);

    /// <summary>Whether the line opens a private key block (<c>-----BEGIN … PRIVATE KEY-----</c>).</summary>
    internal static bool IsPrivateKeyBegin(string line) =>
        line.Contains("PRIVATE KEY", StringComparison.Ordinal) && PrivateKeyBeginRegex().IsMatch(line);

    /// <summary>Whether the line closes a private key block (<c>-----END … PRIVATE KEY-----</c>).</summary>
    internal static bool IsPrivateKeyEnd(string line) =>
        line.Contains("PRIVATE KEY", StringComparison.Ordinal) && PrivateKeyEndRegex().IsMatch(line);

    private static void CollectRuleSpans(Rule rule, string line, ref List<(int Start, int End)>? spans)
    {
        var regex = rule.Regex();
        var from = 0;
        while (from < line.Length)
        {
            var match = regex.Match(line, from);
            if (!match.Success)
            {
                return;
            }

            var located = rule.Locate(match, line);
            if (located.Mask)
            {
                (spans ??= []).Add((located.Start, located.End));
            }

            // Resume past everything the locator scanned, masked or not: rescanning one long value for
            // every key repeated inside it (password=password=..., PWD=/a/PWD=/b...) would be quadratic.
            from = Math.Max(Math.Max(match.Index + match.Length, located.ScannedEnd), match.Index + 1);
        }
    }

    private void CollectLiteralSpans(string line, ref List<(int Start, int End)>? spans)
    {
        foreach (var literal in _literals)
        {
            var from = 0;
            while (from <= line.Length - literal.Length)
            {
                var at = line.IndexOf(literal, from, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                (spans ??= []).Add((at, at + literal.Length));
                from = at + literal.Length;
            }
        }
    }

    private static string Apply(string line, List<(int Start, int End)> spans, out int redactions)
    {
        spans.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var builder = new StringBuilder(line.Length);
        var position = 0;
        var count = 0;
        var index = 0;
        while (index < spans.Count)
        {
            var (start, end) = spans[index++];
            // Merge every span that overlaps or touches this one: one secret, one mask.
            while (index < spans.Count && spans[index].Start <= end)
            {
                end = Math.Max(end, spans[index++].End);
            }

            builder.Append(line, position, start - position).Append(Mask);
            position = end;
            count++;
        }

        builder.Append(line, position, line.Length - position);
        redactions = count;
        return builder.ToString();
    }

    private static bool IsMasked(ReadOnlySpan<char> value) => !value.ContainsAnyExcept('*');

    private static Located WholeMatch(Match match, string line) => new(match.Index, match.Index + match.Length, Mask: true);

    private static Located AssignedValue(Match match, string line)
    {
        var value = ScanValue(line, match.Index + match.Length);
        return value with { Mask = value.Mask && !IsMasked(value.Text(line)) };
    }

    private static Located Assignment(Match match, string line)
    {
        var value = ScanValue(line, match.Index + match.Length);
        if (!value.Mask)
        {
            return value;
        }

        var text = value.Text(line);
        var keep = IsMasked(text)
            || IsNonSecretWord(text.TrimEnd("),]}>:;."))
            // PWD/OLDPWD hold the working directory, which analysis needs and which is no secret.
            // (The match starts with the key; no capture group, so the engine skips its capture phase.)
            || (match.ValueSpan.StartsWith("pwd", StringComparison.OrdinalIgnoreCase) && LooksLikePath(text));
        return value with { Mask = !keep };
    }

    private static Located AuthorizationCredentials(Match match, string line)
    {
        var value = Run(line, match.Index + match.Length, ValueTerminatorsNoSeparators);
        var text = value.Text(line);
        return value with { Mask = !text.IsEmpty && !IsMasked(text) && !IsNonSecretWord(text) && !IsAuthScheme(text) };
    }

    private static Located BearerToken(Match match, string line)
    {
        var start = match.Index + match.Length;
        var end = line.AsSpan(start).IndexOfAnyExcept(TokenCharacters);
        end = end < 0 ? line.Length : start + end;
        return new(start, end, Mask: end - start >= 20);
    }

    private static Located SlackWebhookPath(Match match, string line)
    {
        var start = match.Index + match.Length;
        var end = line.AsSpan(start).IndexOfAnyExcept(WebhookPathCharacters);
        end = end < 0 ? line.Length : start + end;
        return new(start, end, Mask: end > start);
    }

    private static Located SasSignature(Match match, string line)
    {
        var value = Run(line, match.Index + match.Length, SasTerminators);
        return value with { Mask = value.End > value.Start && !IsMasked(value.Text(line)) };
    }

    private static Located UrlPassword(Match match, string line)
    {
        // The match ends after "scheme://user:"; the password runs to the LAST '@' of the authority
        // (passwords with a raw '@' do occur), which ends at whitespace or '/'. No URL can start inside
        // the authority (that needs "://"), so all of it counts as scanned.
        var authority = Run(line, match.Index + match.Length, UrlAuthorityTerminators);
        var at = authority.Text(line).LastIndexOf('@');
        if (at <= 0 || IsMasked(line.AsSpan(authority.Start, at)))
        {
            return authority with { Mask = false };
        }

        return new(authority.Start, authority.Start + at, Mask: true) { ScannedEnd = authority.End };
    }

    /// <summary>The run of characters from <paramref name="start"/> up to the first terminator.</summary>
    private static Located Run(string line, int start, SearchValues<char> terminators)
    {
        var length = line.AsSpan(start).IndexOfAny(terminators);
        return new(start, length < 0 ? line.Length : start + length, Mask: true);
    }

    /// <summary>The value starting at <paramref name="start"/>: quoted up to its closing quote (or the end
    /// of the line), else up to whitespace, ';', '&amp;' or a quote. Not masked when empty or a comparison ('=').</summary>
    private static Located ScanValue(string line, int start)
    {
        if (start >= line.Length)
        {
            return new(start, start, Mask: false);
        }

        var quote = line[start];
        if (quote is '"' or '\'')
        {
            var close = line.AsSpan(start + 1).IndexOf(quote);
            var end = close < 0 ? line.Length : start + 1 + close;
            return new(start + 1, end, Mask: end > start + 1);
        }

        if (quote == '=')
        {
            return new(start, start, Mask: false); // password == null
        }

        var value = Run(line, start, ValueTerminators);
        return value with { Mask = value.End > value.Start };
    }

    private static readonly SearchValues<char> ValueTerminators = SearchValues.Create(" \t\r\n\f\v;&\"'");
    private static readonly SearchValues<char> ValueTerminatorsNoSeparators = SearchValues.Create(" \t\r\n\f\v\"'");
    private static readonly SearchValues<char> SasTerminators = SearchValues.Create(" \t\r\n\f\v&\"'");
    private static readonly SearchValues<char> UrlAuthorityTerminators = SearchValues.Create(" \t\r\n\f\v/\"'");
    private static readonly SearchValues<char> TokenCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=-");
    private static readonly SearchValues<char> WebhookPathCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/-");

    private static bool IsNonSecretWord(ReadOnlySpan<char> value) =>
        NonSecretValues.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value);

    private static bool IsAuthScheme(ReadOnlySpan<char> value) =>
        AuthSchemes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value);

    private static readonly HashSet<string> AuthSchemes = new(StringComparer.OrdinalIgnoreCase)
    {
        "bearer", "basic", "token", "digest", "negotiate", "ntlm",
    };

    private static bool LooksLikePath(ReadOnlySpan<char> value) =>
        value[0] is '/' or '~' or '.' || (value.Length > 2 && char.IsAsciiLetter(value[0]) && value[1] == ':' && value[2] is '\\' or '/');

    /// <summary>A detector: trigger substrings (pre-check), a regex locating the secret or the text just
    /// before it, and a locator returning the span found and whether to mask it.</summary>
    /// <summary>A span a locator examined: [Start, End) is masked when <see cref="Mask"/>; scanning
    /// resumes after <see cref="ScannedEnd"/> (End unless set).</summary>
    private readonly record struct Located(int Start, int End, bool Mask)
    {
        private readonly int _scannedEnd = -1;

        public int ScannedEnd
        {
            get => _scannedEnd < 0 ? End : _scannedEnd;
            init => _scannedEnd = value;
        }

        public ReadOnlySpan<char> Text(string line) => line.AsSpan(Start, End - Start);
    }

    private sealed record Rule(string[] TriggerStrings, Func<Regex> Regex, Func<Match, string, Located> Locate)
    {
        public SearchValues<string> Triggers { get; } = SearchValues.Create(TriggerStrings, StringComparison.OrdinalIgnoreCase);

        /// <summary>A cheap test a line must pass before the rule's pattern runs on it (URLs are common; credentials in them are not).</summary>
        public ReadOnlySpanPredicate? MayMatch { get; init; }
    }

    private delegate bool ReadOnlySpanPredicate(ReadOnlySpan<char> line);

    // All patterns are NonBacktracking (linear time; no lookarounds or backreferences). Those for
    // key/value shapes match only up to where the value starts; ScanValue and friends find its end in
    // linear time, which keeps the engine's capture phase off megabyte-long values.

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeoutMilliseconds)]
    private static partial Regex AwsAccessKeyIdRegex();

    [GeneratedRegex(
        @"aws_secret_access_key[""']?\s*[:=]\s*",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex AwsSecretAccessKeyRegex();

    [GeneratedRegex(
        @"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{20,})",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex GitHubTokenRegex();

    [GeneratedRegex(@"\bglpat-[A-Za-z0-9_-]{20,}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeoutMilliseconds)]
    private static partial Regex GitLabTokenRegex();

    [GeneratedRegex(@"\bxox[baprs]-[A-Za-z0-9-]{10,}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeoutMilliseconds)]
    private static partial Regex SlackTokenRegex();

    [GeneratedRegex(
        @"hooks\.slack\.com/(?:services|workflows|triggers)/",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex SlackWebhookRegex();

    [GeneratedRegex(
        @"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex JwtRegex();

    [GeneratedRegex(
        @"(?:password|passwd|pwd|secret|secret_?key|token|api_?key|api-key|_auth|accountkey|sharedaccesskey)[""']?\s*[:=]\s*",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex AssignmentRegex();

    [GeneratedRegex(
        @"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex UrlCredentialsRegex();

    [GeneratedRegex(
        @"authorization[""']?\s*[:=]\s*[""']?(?:(?:bearer|basic|token|digest|negotiate|ntlm)\s+)?",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex AuthorizationHeaderRegex();

    [GeneratedRegex(
        @"\bbearer\s+",
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex BearerTokenRegex();

    [GeneratedRegex(@"[?&]sig=", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeoutMilliseconds)]
    private static partial Regex SasSignatureRegex();

    [GeneratedRegex(
        @"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex PrivateKeyBeginRegex();

    [GeneratedRegex(
        @"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant,
        MatchTimeoutMilliseconds)]
    private static partial Regex PrivateKeyEndRegex();
}
