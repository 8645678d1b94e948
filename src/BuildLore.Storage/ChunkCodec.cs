using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace BuildLore.Storage;

/// <summary>
/// How log chunks are kept: compressed (raw deflate of their UTF-8), since build logs repeat
/// themselves and shrink ten times or more, which makes them cheaper to write than to keep as text.
/// Small chunks, a live build's few lines, stay plain text, where compression would gain nothing.
/// </summary>
internal static class ChunkCodec
{
    /// <summary>Chunks shorter than this (characters) are stored as plain text.</summary>
    public const int MinPackedChars = 4096;

    /// <summary>The compressed form of <paramref name="text"/>, or null when it is stored as text.</summary>
    public static byte[]? Pack(string text)
    {
        if (text.Length < MinPackedChars)
        {
            return null;
        }

        // The UTF-8 form is only an intermediate: a pooled buffer keeps megabyte chunks off the large object heap.
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, utf8);
            using var packed = new MemoryStream(length / 8);
            using (var deflate = new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(utf8, 0, length);
            }

            return packed.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>The chunk's text: <paramref name="text"/> itself, or <paramref name="packed"/> decompressed.</summary>
    public static string Unpack(string? text, byte[]? packed)
    {
        if (packed is null)
        {
            return text ?? "";
        }

        using var deflate = new DeflateStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var utf8 = new MemoryStream(packed.Length * 8);
        deflate.CopyTo(utf8);
        return Encoding.UTF8.GetString(utf8.GetBuffer(), 0, (int)utf8.Length);
    }
}
