using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using BuildLore.Server.Builds;
using BuildLore.Server.Codebase;
using BuildLore.Server.Health;
using BuildLore.Server.Reports;
using BuildLore.Server.Runner;

namespace BuildLore.Server;

/// <summary>Every type the server writes or reads as JSON, in the seed's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(BuildListResponse))]
[JsonSerializable(typeof(BuildDetailResponse))]
[JsonSerializable(typeof(BuildDetailDto))]
[JsonSerializable(typeof(PatternsResponse))]
[JsonSerializable(typeof(ReportListResponse))]
[JsonSerializable(typeof(ReportResponse))]
[JsonSerializable(typeof(ProjectHealthResponse))]
[JsonSerializable(typeof(ClaimResponse))]
[JsonSerializable(typeof(KnowledgeResponse))]
[JsonSerializable(typeof(LogResponse))]
[JsonSerializable(typeof(BuildLore.Server.TestResults.TestUploadResponse))]
[JsonSerializable(typeof(BuildLore.Server.TestResults.FlakyTestsResponse))]
[JsonSerializable(typeof(CompareResponse))]
[JsonSerializable(typeof(BuildFinishedEvent))]
[JsonSerializable(typeof(IngestBuildResponse))]
[JsonSerializable(typeof(AppendLogResponse))]
[JsonSerializable(typeof(ReportRequest))]
[JsonSerializable(typeof(ReportStoredResponse))]
[JsonSerializable(typeof(CodebaseResponse))]
[JsonSerializable(typeof(CodebaseDto))]
[JsonSerializable(typeof(CodebaseFileResponse))]
[JsonSerializable(typeof(CodebaseSearchResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(RunBuildRequest))]
[JsonSerializable(typeof(RunBuildResponse))]
[JsonSerializable(typeof(CancelBuildResponse))]
[JsonSerializable(typeof(ProfilesResponse))]
internal sealed partial class ServerJson : JsonSerializerContext
{
    /// <summary>
    /// The options every response is written with: snake_case, and quotes or apostrophes in log text
    /// left readable (responses are JSON documents, never inlined into HTML).
    /// </summary>
    public static ServerJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
