using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BuildLore.Bench;

/// <summary>
/// SSE fan-out: starts a real <c>buildlore serve</c> (its own process, so its peak RSS is its own),
/// creates one pushed build, attaches followers to <c>/log/stream</c>, pushes a log through the
/// ingestion API in numbered chunks as fast as the server acknowledges them, finishes the build, and
/// waits for every follower's <c>end</c> event. Checks that every follower received every line: each
/// hashes the raw bytes of the log events it got (they must all be equal), and the first one also
/// decodes them and compares line count and SHA-256 with the file's.
/// </summary>
internal static class SseFanout
{
    private const int DefaultChunkChars = 256 * 1024; // as `buildlore ingest` sends

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var serverExe = Option("--server") ?? throw new ArgumentException("--server PATH (the buildlore executable) is required");
        var logFile = Option("--log") ?? throw new ArgumentException("--log FILE is required");
        var followerCounts = (Option("--followers") ?? "0,100").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var runs = int.Parse(Option("--runs") ?? "3", CultureInfo.InvariantCulture);
        var chunkChars = int.Parse(Option("--chunk-kb") ?? "256", CultureInfo.InvariantCulture) * 1024;

        var text = await File.ReadAllTextAsync(logFile);
        var chunks = ReadChunks(text, chunkChars);
        // The server stores NUL as U+FFFD (PostgreSQL text cannot hold NUL); the generated log has a few.
        var stored = text.Replace('\0', '\uFFFD');
        var expected = new Expected(SHA256.HashData(Encoding.UTF8.GetBytes(stored)), stored.Count(c => c == '\n'), Encoding.UTF8.GetByteCount(text));
        Console.WriteLine($"log: {expected.Bytes / 1048576.0:0.0} MB, {expected.Lines:N0} lines, {chunks.Count} chunks of up to {chunkChars / 1024} K characters");

        var results = new List<RunResult>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var followers in followerCounts)
            {
                var result = await RunOnceAsync(serverExe, chunks, expected, followers);
                results.Add(result);
                Console.WriteLine($"run {run}, {followers} followers: {result}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| followers | ingestion (median of {runs}) | last follower done after finish | total time | lines/s per follower | server peak RSS | server CPU | bench client CPU | every line delivered |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => r.Followers))
        {
            var r = group.ToList();
            var mb = expected.Bytes / 1048576.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {Median(r, x => x.IngestSeconds):0.00} s ({mb / Median(r, x => x.IngestSeconds):0.0} MB/s) | " +
                $"{(group.Key == 0 ? "-" : $"{Median(r, x => x.LagSeconds):0.00} s")} | {Median(r, x => x.TotalSeconds):0.00} s | " +
                $"{(group.Key == 0 ? "-" : $"{Median(r, x => x.LinesPerSecondPerFollower):N0}")} | {Median(r, x => x.PeakRssMb):0} MB | {Median(r, x => x.ServerCpuSeconds):0.0} s | {Median(r, x => x.ClientCpuSeconds):0.0} s | {(r.All(x => x.Verified) ? "yes" : "**no**")} |"));
        }

        return results.All(r => r.Verified) ? 0 : 1;
    }

    private static double Median(List<RunResult> results, Func<RunResult, double> value)
    {
        var sorted = results.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Expected(byte[] Sha256, long Lines, long Bytes);

    private sealed record RunResult(int Followers, double IngestSeconds, double LagSeconds, double TotalSeconds, double LinesPerSecondPerFollower, double PeakRssMb, double ServerCpuSeconds, double ClientCpuSeconds, bool Verified, string Detail)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"ingest {IngestSeconds:0.00} s, last follower {LagSeconds:0.00} s after finish, total {TotalSeconds:0.00} s, {LinesPerSecondPerFollower:N0} lines/s per follower, " +
            $"server peak RSS {PeakRssMb:0} MB, server CPU {ServerCpuSeconds:0.0} s, followers' and pusher's CPU {ClientCpuSeconds:0.0} s, verified: {Verified} {Detail}");
    }

    /// <summary>The log in chunks of whole lines (cut after a '\n', so a '\r' stays as it is), as the CLI sends them.</summary>
    private static List<string> ReadChunks(string text, int chunkChars)
    {
        var chunks = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + chunkChars);
            if (end < text.Length && text.IndexOf('\n', end) is var newline and >= 0)
            {
                end = newline + 1;
            }
            else
            {
                end = text.Length;
            }

            chunks.Add(text[start..end]);
            start = end;
        }

        return chunks;
    }

    private static async Task<RunResult> RunOnceAsync(string serverExe, List<string> chunks, Expected expected, int followerCount)
    {
        var work = Directory.CreateTempSubdirectory("buildlore-fanout-");
        using var server = StartServer(serverExe, work.FullName, out var address);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            using var created = await http.PostAsync("llm/learning/builds", new StringContent("""{"project":"bench"}""", Encoding.UTF8, "application/json"));
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("build_id").GetString()!;

            var followers = Enumerable.Range(0, followerCount).Select(i => new Follower(http, $"llm/learning/build/{id}/log/stream", decode: i == 0)).ToList();
            var following = followers.Select(f => f.RunAsync()).ToList();
            // Every follower attached (its response has started) before the first line is pushed.
            using (var attach = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await Task.WhenAll(followers.Select(f => f.Connected.WaitAsync(attach.Token)));
            }

            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < chunks.Count; i++)
            {
                using var content = new StringContent(chunks[i], Encoding.UTF8, "text/plain");
                using var response = await http.PostAsync($"llm/learning/build/{id}/log?seq={(i + 1).ToString(CultureInfo.InvariantCulture)}", content);
                response.EnsureSuccessStatusCode();
            }

            var ingested = watch.Elapsed;
            using (var finish = await http.PostAsync($"llm/learning/build/{id}/finish", new StringContent("""{"status":"failed","exit_code":1}""", Encoding.UTF8, "application/json")))
            {
                finish.EnsureSuccessStatusCode();
            }

            var finishedAt = DateTime.UtcNow;
            await Task.WhenAll(following);
            var total = watch.Elapsed;
            var peakRss = PeakRssMb(server);
            var cpu = CpuSeconds(server);
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds;

            var verified = true;
            var detail = "";
            if (followers.Count > 0)
            {
                var first = followers[0];
                var sameBytes = followers.All(f => f.RawHash.SequenceEqual(first.RawHash) && f.Ended);
                var decodedOk = first.DecodedSha256!.SequenceEqual(expected.Sha256) && first.Lines == expected.Lines;
                verified = sameBytes && decodedOk;
                detail = string.Create(CultureInfo.InvariantCulture, $"(follower 0: {first.Lines:N0} lines, sha-256 {(decodedOk ? "matches" : "DIFFERS")}; all followers' bytes {(sameBytes ? "identical" : "DIFFER")})");
            }

            var delivered = followers.Select(f => (f.EndedAt - f.FirstLogAt).TotalSeconds).DefaultIfEmpty(0).ToList();
            return new RunResult(
                followerCount,
                ingested.TotalSeconds,
                followers.Count == 0 ? 0 : (followers.Max(f => f.EndedAt) - finishedAt).TotalSeconds,
                total.TotalSeconds,
                followers.Count == 0 ? 0 : expected.Lines / Median(delivered),
                peakRss,
                cpu,
                benchCpu,
                verified,
                detail);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            work.Delete(recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static Process StartServer(string exe, string work, out Uri address)
    {
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["serve", "--port", "0", "--workspace", work, "--data-dir", Path.Combine(work, "data")])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("BuildLore listening on ", StringComparison.Ordinal))
            {
                address = new Uri(line["BuildLore listening on ".Length..].Trim() + "/");
                // Keep reading so the server never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync();
                return process;
            }
        }

        throw new InvalidOperationException("the server printed no address");
    }

    /// <summary>The server's peak resident set size (VmHWM), in MB.</summary>
    private static double PeakRssMb(Process process)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>CPU time the server has used (user + system), in seconds, from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(Process process)
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        // Fields after the command name (which may hold spaces, so start after its closing parenthesis).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>One SSE client: reads events as bytes and hashes the data of the log events.</summary>
    private sealed class Follower(HttpClient http, string path, bool decode)
    {
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly XxHash128 _raw = new();
        private readonly IncrementalHash? _decoded = decode ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;

        public Task Connected => _connected.Task;

        public byte[] RawHash { get; private set; } = [];

        public byte[]? DecodedSha256 { get; private set; }

        public long Lines { get; private set; }

        public bool Ended { get; private set; }

        public DateTime FirstLogAt { get; private set; }

        public DateTime EndedAt { get; private set; }

        public async Task RunAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            _connected.TrySetResult();
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 16];
            var line = new MemoryStream();
            string? eventName = null;
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                int newline;
                while ((newline = span.IndexOf((byte)'\n')) >= 0)
                {
                    line.Write(span[..newline]);
                    if (OnLine(line.GetBuffer().AsSpan(0, (int)line.Length), ref eventName))
                    {
                        Finish();
                        return;
                    }

                    line.SetLength(0);
                    span = span[(newline + 1)..];
                }

                line.Write(span);
            }

            Finish();
        }

        private void Finish()
        {
            RawHash = _raw.GetCurrentHash();
            DecodedSha256 = _decoded?.GetHashAndReset();
            EndedAt = DateTime.UtcNow;
        }

        /// <summary>Handles one line of the event stream; true at the end event.</summary>
        private bool OnLine(ReadOnlySpan<byte> line, ref string? eventName)
        {
            if (line.StartsWith("event: "u8))
            {
                eventName = Encoding.ASCII.GetString(line["event: "u8.Length..]);
                return false;
            }

            if (!line.StartsWith("data: "u8))
            {
                return false;
            }

            var data = line["data: "u8.Length..];
            switch (eventName)
            {
                case "log":
                    if (FirstLogAt == default)
                    {
                        FirstLogAt = DateTime.UtcNow;
                    }

                    _raw.Append(data);
                    if (_decoded is not null)
                    {
                        var reader = new Utf8JsonReader(data);
                        while (reader.Read())
                        {
                            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("text"u8) && reader.Read())
                            {
                                var text = reader.GetString()!;
                                _decoded.AppendData(Encoding.UTF8.GetBytes(text));
                                Lines += text.AsSpan().Count('\n');
                                break;
                            }
                        }
                    }

                    return false;
                case "end":
                    Ended = true;
                    return true;
                default:
                    return false;
            }
        }
    }
}
