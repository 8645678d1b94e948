using BenchmarkDotNet.Running;
using BuildLore.Bench;

// bench: dotnet run -c Release --project bench/BuildLore.Bench -- [BenchmarkDotNet args]
// log generator: dotnet run -c Release --project bench/BuildLore.Bench -- generate-log OUT.log SIZE_MB
// SSE fan-out against a real server: ... -- sse-fanout --server BUILDLORE_EXE --log FILE [--followers 0,100] [--runs 3] [--chunk-kb 256]
if (args is ["generate-log", var path, var size])
{
    LogGenerator.Write(path, long.Parse(size, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
    return 0;
}

if (args is ["sse-fanout", ..])
{
    return await SseFanout.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(AnalyzerBenchmarks).Assembly).Run(args);
return 0;
