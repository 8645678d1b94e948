using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace BuildLore.Server;

/// <summary>Reads a request body up to a size limit without trusting Content-Length alone.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(8 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }
}
