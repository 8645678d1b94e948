using System.Net;
using System.Security.Cryptography;
using System.Text;
using BuildLore.Server.Hosting;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Auth;

/// <summary>
/// The API tokens the server accepts, by name (<c>BuildLore:Auth:Tokens:&lt;name&gt;</c>, or
/// <c>--token</c> / <c>BUILDLORE_TOKEN</c> for one named <c>default</c>). With none configured the
/// server is open, as it is on a loopback address by default.
/// </summary>
internal sealed class ApiTokens
{
    /// <summary>The name of the token given by <c>--token</c> or <c>BUILDLORE_TOKEN</c>.</summary>
    public const string DefaultName = "default";

    /// <summary>Shorter secrets are accepted, with a warning at start-up: they can be guessed.</summary>
    public const int RecommendedLength = 16;

    // Only SHA-256 digests are kept: every comparison is then between 32-byte values, so its time
    // says nothing about the secret's length or its first differing character.
    private readonly (string Name, byte[] Digest)[] _tokens;

    public ApiTokens(IOptions<BuildLoreOptions> options)
    {
        _tokens = [.. options.Value.Auth.Tokens
            .Where(t => !string.IsNullOrEmpty(t.Value))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => (t.Key, Digest(t.Value)))];
        Names = [.. _tokens.Select(t => t.Name)];
        WeakNames = [.. options.Value.Auth.Tokens.Where(t => t.Value.Length is > 0 and < RecommendedLength).Select(t => t.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>True when requests must carry one of the tokens.</summary>
    public bool Required => _tokens.Length > 0;

    public IReadOnlyList<string> Names { get; }

    /// <summary>Tokens shorter than <see cref="RecommendedLength"/>.</summary>
    public IReadOnlyList<string> WeakNames { get; }

    /// <summary>The name of the token <paramref name="presented"/> is, or null.</summary>
    public string? FindName(ReadOnlySpan<char> presented)
    {
        var digest = Digest(presented);
        string? found = null;
        // Every token is compared, in constant time each, whichever matches: the time taken does not
        // say which one did.
        foreach (var (name, expected) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, expected))
            {
                found = name;
            }
        }

        return found;
    }

    private static byte[] Digest(ReadOnlySpan<char> secret)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, bytes);
        var digest = SHA256.HashData(bytes.AsSpan(0, length));
        CryptographicOperations.ZeroMemory(bytes);
        return digest;
    }

    /// <summary>True when <paramref name="host"/> (the address the server binds) is reachable from this machine only.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}

/// <summary>Refuses token settings that would lock everyone out or make two names indistinguishable.</summary>
internal sealed class ApiTokensValidator : IValidateOptions<BuildLoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BuildLoreOptions options)
    {
        var failures = new List<string>();
        foreach (var (tokenName, secret) in options.Auth.Tokens)
        {
            if (string.IsNullOrWhiteSpace(secret))
            {
                failures.Add($"{BuildLoreOptions.Section}:Auth:Tokens:{tokenName} is empty; give it a secret (at least {ApiTokens.RecommendedLength} characters) or remove it.");
            }
            else if (secret.Trim().Length != secret.Length)
            {
                failures.Add($"{BuildLoreOptions.Section}:Auth:Tokens:{tokenName} starts or ends with white space, which an Authorization header cannot carry.");
            }
        }

        foreach (var shared in options.Auth.Tokens.Where(t => !string.IsNullOrEmpty(t.Value)).GroupBy(t => t.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"The API tokens {string.Join(" and ", shared.Select(t => t.Key))} have the same secret, so requests could not say which one they use; give each its own.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
