using BenchmarkDotNet.Attributes;
using BuildLore.Core.Analysis;
using BuildLore.Core.Analysis.Redaction;

namespace BuildLore.Bench;

/// <summary>The analyzer's throughput on a 20 MB realistic log held in memory, and the redactor's per line.</summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private string[] _chunks = [];
    private string[] _lines = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "buildlore-bench-20mb.log");
        if (!File.Exists(path))
        {
            LogGenerator.Write(path, 20L * 1024 * 1024);
        }

        var text = File.ReadAllText(path);
        _chunks = Enumerable.Range(0, (text.Length + 65535) / 65536)
            .Select(i => text.Substring(i * 65536, Math.Min(65536, text.Length - i * 65536)))
            .ToArray();
        _lines = text.Split('\n').Take(100_000).ToArray();
    }

    /// <summary>20 MB through the analyzer in 64 K-character pieces, as the server feeds it.</summary>
    [Benchmark]
    public LogAnalysis Analyze20MB()
    {
        var analyzer = new LogAnalyzer();
        foreach (var chunk in _chunks)
        {
            analyzer.Append(chunk);
        }

        return analyzer.Complete(succeeded: false);
    }

    /// <summary>100,000 ordinary log lines through the secret redactor.</summary>
    [Benchmark]
    public int Redact100kLines()
    {
        var count = 0;
        var redactor = new StreamingRedactor();
        foreach (var line in _lines)
        {
            redactor.Redact(line, out var n);
            count += n;
        }

        return count;
    }
}
