using System.Security.Cryptography;
using System.Text;
using BuildLore.Tests;

namespace BuildLore.Server.Tests;

/// <summary>Many CI jobs pushing at once, with retries: every byte arrives once.</summary>
public sealed class ConcurrentIngestTests
{
    [Fact]
    public async Task TwentyConcurrentTenMegabyteLogs_WithRetriedChunks_ArriveByteForByte()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        async Task<(string Id, string Hash)> PushAsync(int job)
        {
            var random = new Random(job);
            var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", $$"""{"project":"load","job_name":"job-{{job}}"}""");
            var id = created.GetProperty("build_id").GetString()!;
            var log = new StringBuilder();
            for (var i = 0; log.Length < 10 * 1024 * 1024; i++)
            {
                log.Append("job ").Append(job).Append(" line ").Append(i).Append(' ').Append(random.Next()).Append(" ✓ données\n");
            }

            var text = log.ToString();
            var seq = 0;
            for (var offset = 0; offset < text.Length; offset += 512 * 1024)
            {
                var chunk = Encoding.UTF8.GetBytes(text.Substring(offset, Math.Min(512 * 1024, text.Length - offset)));
                seq++;
                // Every chunk is sent once, and some twice, as a retrying uploader would.
                for (var attempt = 0; attempt < (random.Next(4) == 0 ? 2 : 1); attempt++)
                {
                    using var content = new ByteArrayContent(chunk);
                    using var response = await server.Http.PostAsync($"llm/learning/build/{id}/log?seq={seq}", content);
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                }
            }

            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"success"}""");
            return (id, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        }

        var pushed = await Task.WhenAll(Enumerable.Range(1, 20).Select(PushAsync));

        foreach (var (id, hash) in pushed)
        {
            var log = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("log").GetString()!;
            Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(log))));
        }
    }
}
