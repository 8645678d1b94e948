using System.Buffers;

namespace BuildLore.Core.Analysis.Redaction;

/// <summary>
/// Redacts a log line by line, remembering state across lines: every line from a
/// <c>-----BEGIN … PRIVATE KEY-----</c> marker through the matching <c>-----END … PRIVATE KEY-----</c>
/// marker becomes <see cref="SecretRedactor.Mask"/>, since the base64 body lines of a key cannot be
/// recognized on their own. Other lines go through the wrapped <see cref="SecretRedactor"/>.
/// Use one instance per log; not thread-safe.
/// </summary>
/// <remarks>
/// A block whose END marker never comes (a truncated log) is closed after
/// <see cref="MaxPrivateKeyBlockLines"/> lines, so one stray BEGIN line cannot mask the rest of a log.
/// A BEGIN and END marker on the same line (an escaped key in a JSON value) mask only that line.
/// </remarks>
public sealed class StreamingRedactor
{
    /// <summary>The most lines, markers included, masked for one private key block.</summary>
    public const int MaxPrivateKeyBlockLines = 1000;

    private readonly SecretRedactor _redactor;
    private int _blockLines;

    /// <summary>Wraps <paramref name="redactor"/>, or <see cref="SecretRedactor.Default"/> when null.</summary>
    public StreamingRedactor(SecretRedactor? redactor = null)
    {
        _redactor = redactor ?? SecretRedactor.Default;
    }

    /// <summary>Whether the last line seen opened (and did not yet close) a private key block.</summary>
    public bool InPrivateKeyBlock { get; private set; }

    /// <summary>Redacts the next line of the log (without its newline).</summary>
    /// <param name="line">The line.</param>
    /// <param name="redactions">How many regions were masked; a masked whole line counts one.</param>
    public string Redact(string line, out int redactions)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (InPrivateKeyBlock)
        {
            _blockLines++;
            if (SecretRedactor.IsPrivateKeyEnd(line) || _blockLines >= MaxPrivateKeyBlockLines)
            {
                InPrivateKeyBlock = false;
            }

            redactions = 1;
            return SecretRedactor.Mask;
        }

        if (SecretRedactor.IsPrivateKeyBegin(line))
        {
            InPrivateKeyBlock = !SecretRedactor.IsPrivateKeyEnd(line);
            _blockLines = 1;
            redactions = 1;
            return SecretRedactor.Mask;
        }

        return _redactor.Redact(line, out redactions);
    }

    /// <summary>
    /// Redacts whole lines (text that ends with a newline) into <paramref name="output"/>, exactly as
    /// redacting them one by one would. Lines before the next possible secret are copied as they are,
    /// so a block of ordinary output costs one vectorized search.
    /// </summary>
    /// <returns>How many regions were masked.</returns>
    public int RedactLines(ReadOnlySpan<char> lines, IBufferWriter<char> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var redactions = 0;
        while (!lines.IsEmpty)
        {
            int lineStart;
            if (InPrivateKeyBlock)
            {
                lineStart = 0;
            }
            else
            {
                var trigger = _redactor.IndexOfTrigger(lines);
                if (trigger < 0)
                {
                    output.Write(lines);
                    return redactions;
                }

                lineStart = lines[..trigger].LastIndexOf('\n') + 1;
                output.Write(lines[..lineStart]);
            }

            var length = lines[lineStart..].IndexOf('\n');
            var end = length < 0 ? lines.Length : lineStart + length;
            var line = lines[lineStart..end];
            if (InPrivateKeyBlock || _redactor.MayHoldSecret(line))
            {
                output.Write(Redact(line.ToString(), out var count).AsSpan());
                redactions += count;
            }
            else
            {
                output.Write(line); // only a piece of a trigger, inside another word
            }
            if (end < lines.Length)
            {
                output.Write("\n".AsSpan());
                end++;
            }

            lines = lines[end..];
        }

        return redactions;
    }

    /// <summary>Redacts the next line, discarding the count.</summary>
    public string Redact(string line) => Redact(line, out _);

    /// <summary>Forgets any open private key block, to start a new log.</summary>
    public void Reset()
    {
        InPrivateKeyBlock = false;
        _blockLines = 0;
    }
}
