using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuildLore.Client;

/// <summary>
/// The client's only JSON metadata, source-generated so it needs no reflection (trimming, native AOT).
/// Properties not listed here are skipped, so a newer server can add fields without breaking older clients.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(BuildPage))]
[JsonSerializable(typeof(BuildDetailResponse))]
[JsonSerializable(typeof(CodebaseResponse))]
[JsonSerializable(typeof(ReportSubmission))]
[JsonSerializable(typeof(ReportResult))]
[JsonSerializable(typeof(ReportPage))]
[JsonSerializable(typeof(ReportResponse))]
[JsonSerializable(typeof(BuildComparison))]
[JsonSerializable(typeof(CodebaseFile))]
[JsonSerializable(typeof(ProjectHealth))]
[JsonSerializable(typeof(Knowledge))]
[JsonSerializable(typeof(FinishedBuild))]
[JsonSerializable(typeof(RunBuildRequest))]
[JsonSerializable(typeof(RunBuildResult))]
[JsonSerializable(typeof(HealthInfo))]
[JsonSerializable(typeof(BuildCreation))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(AppendLogResult))]
[JsonSerializable(typeof(FinishRequest))]
[JsonSerializable(typeof(LogStreamData))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ClientJson : JsonSerializerContext
{
}

/// <summary>The envelope of <c>GET /llm/learning/build/{id}</c>; the client returns its <see cref="Build"/>.</summary>
internal sealed class BuildDetailResponse
{
    public string Status { get; init; } = "";

    public BuildDetail? Build { get; init; }
}

/// <summary>The envelope of <c>GET /llm/learning/report/{id}</c>; the client returns its <see cref="Report"/>.</summary>
internal sealed class ReportResponse
{
    public string Status { get; init; } = "";

    public ReportInfo? Report { get; init; }
}

/// <summary>The envelope of <c>GET /llm/learning/codebase</c>; the client returns its <see cref="Codebase"/>.</summary>
internal sealed class CodebaseResponse
{
    public string Status { get; init; } = "";

    public Codebase? Codebase { get; init; }
}

/// <summary>The body of <c>POST /build/run</c>: <c>{"profile":"name"}</c>, or <c>{}</c> for the default profile.</summary>
internal sealed class RunBuildRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Profile { get; init; }
}

/// <summary>
/// The server's error body, <c>{"status":"error","message":"...","field":"...","allowed":"..."}</c>.
/// <c>title</c> and <c>detail</c> are read too, for RFC 7807 problem details from a proxy or middleware.
/// </summary>
internal sealed class ErrorBody
{
    public string? Status { get; init; }

    public string? Message { get; init; }

    public string? Field { get; init; }

    public string? Allowed { get; init; }

    public string? Title { get; init; }

    public string? Detail { get; init; }
}
