using BenchmarkDotNet.Running;
using BuildLore.Bench;

// bench: dotnet run -c Release --project bench/BuildLore.Bench -- [BenchmarkDotNet args]
// log generator: dotnet run -c Release --project bench/BuildLore.Bench -- generate-log OUT.log SIZE_MB
if (args is ["generate-log", var path, var size])
{
    LogGenerator.Write(path, long.Parse(size, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(AnalyzerBenchmarks).Assembly).Run(args);
return 0;
