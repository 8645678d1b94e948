using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using BuildLore.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace BuildLore.Server.Tests;

/// <summary>Builds pushed by a CI job: create, numbered chunks (retries stored once), finish; or one upload.</summary>
public sealed class IngestApiTests
{
    private static async Task<(int Status, System.Text.Json.JsonElement Body)> PostTextAsync(TestServer server, string path, byte[] body, bool gzip = false)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await server.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, System.Text.Json.JsonDocument.Parse(text).RootElement.Clone());
    }

    private static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task PushedBuild_ChunksRetriesAndFinish_KeepEveryLineOnceAndAnalyzeIt()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (created, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds",
            """{"project":"shop","branch":"main","commit":"3f2a9c1","author":"Ada","ci_provider":"github-actions","job_name":"build","job_url":"https://ci.example/run/1"}""");
        Assert.Equal(201, created);
        var id = body.GetProperty("build_id").GetString()!;
        Assert.Equal("running", body.GetProperty("build").GetProperty("status").GetString());

        var (first, _) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("Compiling shop\n"));
        var (retry, retried) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("Compiling shop\n"));
        var (gap, gapError) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=3", Encoding.UTF8.GetBytes("too early\n"));
        var (second, _) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=2",
            Gzip("src/cart.c:12:5: error: 'total' undeclared (first use in this function)\nexport TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"), gzip: true);
        var (finished, final) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed","exit_code":2}""");

        Assert.Equal(200, first);
        Assert.Equal(200, retry);
        Assert.Equal("duplicate", retried.GetProperty("result").GetString());
        Assert.Equal(409, gap);
        Assert.Equal("2", gapError.GetProperty("allowed").GetString());
        Assert.Equal(200, second);
        Assert.Equal(200, finished);
        Assert.Equal("failed", final.GetProperty("build").GetProperty("status").GetString());

        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("Compiling shop\nsrc/cart.c:12:5: error: 'total' undeclared (first use in this function)\nexport TOKEN=***\n", build.GetProperty("log").GetString());
        Assert.Equal(2, build.GetProperty("exit_code").GetInt32());
        Assert.Equal("compile_error", build.GetProperty("category").GetString());
        Assert.Equal("src/cart.c", build.GetProperty("diagnostics")[0].GetProperty("file").GetString());
        Assert.Equal("shop", build.GetProperty("project").GetString());
        Assert.Equal("3f2a9c1", build.GetProperty("commit").GetString());
        Assert.Equal("github-actions", build.GetProperty("ci_provider").GetString());
        Assert.Equal("https://ci.example/run/1", build.GetProperty("job_url").GetString());

        var (late, _) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=3", Encoding.UTF8.GetBytes("late\n"));
        var (again, _) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"success"}""");
        Assert.Equal(409, late);
        Assert.Equal(409, again);
    }

    [Theory]
    [InlineData("llm/learning/build/nope/log?seq=1", 404, "id")]
    [InlineData("llm/learning/build/BUILD/log", 400, "seq")]
    [InlineData("llm/learning/build/BUILD/log?seq=0", 400, "seq")]
    [InlineData("llm/learning/build/BUILD/log?seq=x", 400, "seq")]
    public async Task AppendLog_BadRequests_AreRefusedWithTheField(string path, int expected, string field)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var id = body.GetProperty("build_id").GetString()!;

        var (status, error) = await PostTextAsync(server, path.Replace("BUILD", id, StringComparison.Ordinal), Encoding.UTF8.GetBytes("x\n"));

        Assert.Equal(expected, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("""{"status":"running"}""", "status")]
    [InlineData("""{"status":"failed","exit_code":"one"}""", "exit_code")]
    [InlineData("""{}""", "status")]
    public async Task FinishBuild_WithoutAFinalStatus_IsRefused(string json, string field)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var (_, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var id = body.GetProperty("build_id").GetString()!;

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", json);

        Assert.Equal(400, status);
        Assert.Equal(field, error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task CreateBuild_UnknownField_IsRefused()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (status, error) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", """{"comit":"abc"}""");

        Assert.Equal(400, status);
        Assert.Equal("comit", error.GetProperty("field").GetString());
        Assert.Contains("commit", error.GetProperty("allowed").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_StoresAWholeLogByteForByteAndInfersTheStatus()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var log = new StringBuilder();
        for (var i = 0; log.Length < 3_000_000; i++)
        {
            log.Append("step ").Append(i).Append(" ünïcødé ✓ ok\n");
        }

        log.Append("Program.cs(3,1): error CS0103: The name 'x' does not exist in the current context\n");
        var text = log.ToString();

        var (status, body) = await PostTextAsync(server, "llm/learning/builds/upload?project=api&branch=dev&ci_provider=jenkins", Gzip(text), gzip: true);

        Assert.Equal(201, status);
        var id = body.GetProperty("build_id").GetString()!;
        Assert.Equal("failed", body.GetProperty("build").GetProperty("status").GetString());
        var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))), Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(build.GetProperty("log").GetString()!))));
        Assert.Equal("CS0103", build.GetProperty("diagnostics")[0].GetProperty("code").GetString());
        Assert.Equal("dev", build.GetProperty("branch").GetString());
    }

    [Fact]
    public async Task Upload_ExplicitStatusWins_AndABadGzipBodyIsRefused()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);

        var (ok, body) = await PostTextAsync(server, "llm/learning/builds/upload?status=success&exit_code=0", Encoding.UTF8.GetBytes("error: flaky but passed\n"));
        var (bad, error) = await PostTextAsync(server, "llm/learning/builds/upload", Encoding.UTF8.GetBytes("not gzip at all"), gzip: true);
        var (wrong, statusError) = await PostTextAsync(server, "llm/learning/builds/upload?status=maybe", Encoding.UTF8.GetBytes("x\n"));

        Assert.Equal(201, ok);
        Assert.Equal("success", body.GetProperty("build").GetProperty("status").GetString());
        Assert.Equal(400, bad);
        Assert.Equal("body", error.GetProperty("field").GetString());
        Assert.Equal(400, wrong);
        Assert.Equal("status", statusError.GetProperty("field").GetString());
    }

    [Fact]
    public async Task PushedBuild_ThatGoesSilent_EndsAsAnIdleTimeout()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:IngestIdleTimeoutSeconds"] = "2" });
        var (_, created) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", "{}");
        var id = created.GetProperty("build_id").GetString()!;
        await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("last words\n"));

        var build = await server.WaitForBuildAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal("error", build.GetProperty("status").GetString());
        Assert.Equal("idle timeout", build.GetProperty("reason").GetString());
        Assert.Equal("last words\n", build.GetProperty("log").GetString());
    }

    private static async Task<string> CreatePushedBuildAsync(TestServer server)
    {
        var (status, body) = await server.SendJsonAsync(HttpMethod.Post, "llm/learning/builds", """{"project":"shop"}""");
        Assert.Equal(201, status);
        return body.GetProperty("build_id").GetString()!;
    }

    [Fact]
    public async Task PushedChunks_MaskConfiguredSecretsAndPrivateKeysAcrossChunks_AndCountEachRedactionOnce()
    {
        using var workspace = new TempDirectory();
        var variable = $"BUILDLORE_TEST_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "env-secret-value-42");
        try
        {
            await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?>
            {
                ["BuildLore:Redaction:Literals:0"] = "hunter2-literal",
                ["BuildLore:Redaction:EnvironmentVariables:0"] = variable,
            });
            var id = await CreatePushedBuildAsync(server);

            // The key's BEGIN line ends chunk 1; its body and END line come in chunk 2.
            var first = "login with hunter2-literal\nuploading env-secret-value-42\n-----BEGIN RSA PRIVATE KEY-----\n";
            var second = "MIIEowIBAAKCAQEA7bq1UbodyLineThatLooksLikeNothing0123456789abcdef\nQ2hhbmdlbWVwbGVhc2VzZWNvbmRib2R5bGluZQ==\n-----END RSA PRIVATE KEY-----\ndone\n";
            Assert.Equal(200, (await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes(first))).Status);
            Assert.Equal(200, (await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=2", Encoding.UTF8.GetBytes(second))).Status);
            var (_, retried) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=2", Encoding.UTF8.GetBytes(second));
            var running = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");
            await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"success","exit_code":0}""");

            var build = (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
            Assert.Equal("duplicate", retried.GetProperty("result").GetString());
            Assert.Equal("login with ***\nuploading ***\n***\n***\n***\n***\ndone\n", build.GetProperty("log").GetString());
            // Two literals, the BEGIN line, two body lines, the END line; the retry counted nothing.
            Assert.Equal(6, running.GetProperty("redactions").GetInt32());
            Assert.Equal(6, build.GetProperty("redactions").GetInt32());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Upload_MasksTheConfiguredLiterals()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:Redaction:Literals:0"] = "hunter2-literal" });

        var (status, body) = await PostTextAsync(server, "llm/learning/builds/upload?exit_code=0", Encoding.UTF8.GetBytes("deploying with hunter2-literal\nok\n"));

        Assert.Equal(201, status);
        var build = (await server.GetJsonAsync($"llm/learning/build/{body.GetProperty("build_id").GetString()}")).GetProperty("build");
        Assert.Equal("deploying with ***\nok\n", build.GetProperty("log").GetString());
        Assert.Equal(1, build.GetProperty("redactions").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AppendLog_AChunkEndingInsideAUtf8Character_IsRefusedAndNothingIsStored(bool gzip)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await CreatePushedBuildAsync(server);
        var whole = Encoding.UTF8.GetBytes("größe ✓\n");
        var cut = whole[..^3]; // "größe " and the first two of the three bytes of ✓

        var (status, error) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", gzip ? Gzip(cut) : cut, gzip);
        var (again, _) = await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", gzip ? Gzip(Encoding.UTF8.GetString(whole)) : whole, gzip);

        Assert.Equal(400, status);
        Assert.Equal("body", error.GetProperty("field").GetString());
        Assert.Contains("newlines", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, again);
        Assert.Equal("größe ✓\n", (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("log").GetString());
    }

    [Fact]
    public async Task PushedBuild_ChunksSpreadOverTwoServersOfOneStore_AreAllRedactedAndTheFinishAnalyzesTheStoredLog()
    {
        using var workspace = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["BuildLore:Store:ConnectionString"] = await PostgresServer.Shared.CreateDatabaseAsync() };
        await using var a = await TestServer.StartAsync(workspace.Path, workspace.Combine("a"), settings);
        await using var b = await TestServer.StartAsync(workspace.Path, workspace.Combine("b"), settings);
        var id = await CreatePushedBuildAsync(a);

        await PostTextAsync(a, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("src/cart.c:3:1: error: 'x' undeclared (first use in this function)\n"));
        await PostTextAsync(b, $"llm/learning/build/{id}/log?seq=2", Encoding.UTF8.GetBytes("export TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"));
        // Server a expected chunk 2 next: chunk 3 is redacted on its own, and a's state is dropped.
        await PostTextAsync(a, $"llm/learning/build/{id}/log?seq=3", Encoding.UTF8.GetBytes("src/cart.c:9:1: error: 'y' undeclared (first use in this function)\npassword=swordfish99\n"));
        var (finished, _) = await a.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed","exit_code":1}""");

        Assert.Equal(200, finished);
        var build = (await a.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build");
        Assert.Equal("src/cart.c:3:1: error: 'x' undeclared (first use in this function)\nexport TOKEN=***\nsrc/cart.c:9:1: error: 'y' undeclared (first use in this function)\npassword=***\n",
            build.GetProperty("log").GetString());
        Assert.Equal(2, build.GetProperty("diagnostics").GetArrayLength());
        Assert.Equal(2, build.GetProperty("redactions").GetInt32());
        Assert.Equal(0, a.Services.GetRequiredService<BuildLore.Server.Builds.PushedBuilds>().Count);
    }

    [Fact]
    public async Task PushedBuild_WhileRunning_HasDiagnosticsInItsDetail_AndItsFinishUsesTheLiveAnalysis()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var id = await CreatePushedBuildAsync(server);
        var pushed = server.Services.GetRequiredService<BuildLore.Server.Builds.PushedBuilds>();

        await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("Program.cs(3,1): error CS0103: The name 'x' does not exist in the current context\n"));
        var running = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");
        var statesWhileRunning = pushed.Count;
        await server.SendJsonAsync(HttpMethod.Post, $"llm/learning/build/{id}/finish", """{"status":"failed","exit_code":1}""");
        var finished = (await server.GetJsonAsync($"llm/learning/build/{id}?log=none")).GetProperty("build");

        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal("CS0103", running.GetProperty("diagnostics")[0].GetProperty("code").GetString());
        Assert.Equal(1, statesWhileRunning);
        Assert.Equal(0, pushed.Count);
        Assert.Equal("CS0103", finished.GetProperty("diagnostics")[0].GetProperty("code").GetString());
        Assert.Equal("compile_error", finished.GetProperty("category").GetString());
    }

    [Fact]
    public async Task PushedBuild_EndedByTheIdleTimeout_GetsItsAnalysisStored()
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path, settings: new Dictionary<string, string?> { ["BuildLore:IngestIdleTimeoutSeconds"] = "2" });
        var id = await CreatePushedBuildAsync(server);
        await PostTextAsync(server, $"llm/learning/build/{id}/log?seq=1", Encoding.UTF8.GetBytes("src/cart.c:12:5: error: 'total' undeclared (first use in this function)\n"));

        await server.WaitForBuildAsync(id, TimeSpan.FromSeconds(20));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        BuildLore.Core.Builds.Build? stored;
        while ((stored = await server.Store.GetBuildAsync(id))!.Analysis is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the idle build's analysis was never stored");
            await Task.Delay(100);
        }

        Assert.Equal("idle timeout", stored.Reason);
        Assert.Equal("compile_error", stored.Category);
        Assert.Equal(1, stored.Summary!.ErrorCount);
        Assert.Single(await server.Store.ListErrorFingerprintsAsync(id));
    }

    /// <summary>A body of unknown length, so HttpClient sends it with Transfer-Encoding: chunked, in small writes.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < body.Length; i += 1000)
            {
                await stream.WriteAsync(body.AsMemory(i, Math.Min(1000, body.Length - i)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static async Task<(int Status, System.Text.Json.JsonElement Body)> PostChunkedAsync(TestServer server, string path, byte[] body, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ChunkedContent(body) };
        request.Headers.TransferEncodingChunked = true;
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await server.Http.SendAsync(request);
        return ((int)response.StatusCode, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChunkedTransferEncodingBodies_AreReadWhole_ForChunksAndUploads(bool gzip)
    {
        using var workspace = new TempDirectory();
        await using var server = await TestServer.StartAsync(workspace.Path);
        var text = string.Concat(Enumerable.Range(1, 5000).Select(i => $"line {i} ✓\n"));
        var body = gzip ? Gzip(text) : Encoding.UTF8.GetBytes(text);
        var id = await CreatePushedBuildAsync(server);

        var (appended, ack) = await PostChunkedAsync(server, $"llm/learning/build/{id}/log?seq=1", body, gzip);
        var (uploaded, upload) = await PostChunkedAsync(server, "llm/learning/builds/upload?exit_code=0", body, gzip);

        Assert.Equal(200, appended);
        Assert.Equal(text.Length, ack.GetProperty("chars").GetInt32());
        Assert.Equal(201, uploaded);
        Assert.Equal(text, (await server.GetJsonAsync($"llm/learning/build/{id}")).GetProperty("build").GetProperty("log").GetString());
        Assert.Equal(text, (await server.GetJsonAsync($"llm/learning/build/{upload.GetProperty("build_id").GetString()}")).GetProperty("build").GetProperty("log").GetString());
    }
}
