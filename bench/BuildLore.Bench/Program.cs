using BenchmarkDotNet.Running;
using BuildLore.Bench;

// bench: dotnet run -c Release --project bench/BuildLore.Bench -- [BenchmarkDotNet args]
// log generator: dotnet run -c Release --project bench/BuildLore.Bench -- generate-log OUT.log SIZE_MB
// codebase scan in a warm process: ... -- scan-codebase DIR [RUNS]   (prints each scan's seconds, one per line)
// token estimate against an exact count: ... -- count-tokens DIR   (the sampled total, every file counted, the difference)
// SSE fan-out against a real server: ... -- sse-fanout --server BUILDLORE_EXE --log FILE [--followers 0,100] [--runs 3] [--chunk-kb 256]
if (args is ["generate-log", var path, var size])
{
    LogGenerator.Write(path, long.Parse(size, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
    return 0;
}

if (args is ["scan-codebase", var repo, .. var rest])
{
    // Index (list, read, measure, sample tokens) and the whole-workspace view, as the server's cache
    // builds them on a full scan, after five scans that bring the JIT to its final tier and load the tokenizer's vocabulary.
    var runs = rest is [var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 5;
    var scanner = new BuildLore.Core.Codebase.CodebaseScanner();
    for (var i = -5; i < runs; i++)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        _ = scanner.Index(repo).Snapshot(null);
        if (i >= 0)
        {
            Console.WriteLine(watch.Elapsed.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    return 0;
}

if (args is ["count-tokens", var workspace])
{
    // How far the sampled estimate of a large workspace lies from tokenizing every text file (the first 64 KiB of each).
    var sampled = new BuildLore.Core.Codebase.CodebaseScanner().Index(workspace);
    var exact = new BuildLore.Core.Codebase.CodebaseScanner(new() { MaxBytesForExactTokens = long.MaxValue }).Index(workspace);
    static long Total(BuildLore.Core.Codebase.CodebaseIndex index) => index.Files.Sum(f => f.Tokens ?? 0);
    Console.WriteLine(FormattableString.Invariant(
        $"{sampled.Tokens.Method}: {Total(sampled)} tokens from {sampled.Tokens.FilesCounted} files; {exact.Tokens.Method}: {Total(exact)} from {exact.Tokens.FilesCounted}; {(Total(sampled) - Total(exact)) * 100.0 / Total(exact):F1}%"));
    return 0;
}

if (args is ["sse-fanout", ..])
{
    return await SseFanout.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(AnalyzerBenchmarks).Assembly).Run(args);
return 0;
