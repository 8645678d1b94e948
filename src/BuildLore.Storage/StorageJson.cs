using System.Text.Json.Serialization;
using BuildLore.Core.Analysis;
using BuildLore.Core.Logs;
using BuildLore.Core.Reports;

namespace BuildLore.Storage;

/// <summary>How JSON-valued columns (the log summary, a report's recommendations) are written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LogSummary))]
[JsonSerializable(typeof(LogAnalysis))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<AffectedFile>))]
internal sealed partial class StorageJson : JsonSerializerContext;
