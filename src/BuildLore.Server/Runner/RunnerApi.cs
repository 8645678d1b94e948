using System.Text.Json;
using BuildLore.Core.Analysis;
using BuildLore.Core.Builds;
using BuildLore.Core.Runner;
using BuildLore.Core.Storage;
using BuildLore.Server.Builds;
using BuildLore.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace BuildLore.Server.Runner;

/// <summary>
/// <c>POST /build/run</c> and friends. A request may name a configured profile; it can never pass a
/// command: what runs is decided by the workspace owner's <c>buildlore.json</c> or the workspace's
/// build files.
/// </summary>
internal static class RunnerApi
{
    private static readonly string[] CommandLikeFields = ["command", "cmd", "args", "arguments", "script", "shell", "exec"];
    private static readonly string[] AllowedFields = ["profile", "session_id"];

    public static IEndpointRouteBuilder MapRunner(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/build").WithTags("Runner");

        group.MapPost("/run", RunBuild)
            .WithName("RunBuild")
            .WithSummary("Queue a build of the workspace; returns its id at once (202).")
            .WithDescription(
                "Optional body {\"profile\": \"name\"} (or ?profile=) picks a profile from the workspace's buildlore.json; without one the " +
                "default profile runs, or a command detected from the build files (*.sln/*.csproj → dotnet build, package.json → npm run build, " +
                "Cargo.toml → cargo build, go.mod, Makefile, CMakeLists.txt, pom.xml, build.gradle). Commands are never accepted from requests.")
            .Produces<RunBuildResponse>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/{id}/cancel", CancelBuild)
            .WithName("CancelBuild")
            .WithSummary("Stop a queued or running build; its whole process tree is killed.");

        group.MapGet("/profiles", ListProfiles)
            .WithName("ListProfiles")
            .WithSummary("The build profiles a request may name.");

        return app;
    }

    private static async Task<Results<Accepted<RunBuildResponse>, JsonHttpResult<ErrorResponse>>> RunBuild(
        HttpRequest request,
        IBuildStore store,
        BuildQueue queue,
        IOptions<BuildLoreOptions> options,
        string? profile,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, 64 * 1024, cancellationToken);
        if (body is null)
        {
            return ApiErrors.Create(StatusCodes.Status413PayloadTooLarge, "The body of /build/run is larger than 64 KiB.", "body");
        }

        if (body.Value.Length > 0)
        {
            var (bodyProfile, error) = ParseBody(body.Value);
            if (error is not null)
            {
                return error;
            }

            if (bodyProfile is not null && profile is not null && bodyProfile != profile)
            {
                return ApiErrors.BadRequest($"The query names profile '{profile}' and the body '{bodyProfile}'; name one.", "profile");
            }

            profile ??= bodyProfile;
        }

        var workspace = options.Value.ResolveWorkspace();
        BuildProfile chosen;
        try
        {
            chosen = ProfileResolver.Resolve(workspace, profile);
        }
        catch (ProfileNotFoundException e) when (profile is not null)
        {
            return ApiErrors.BadRequest(e.Message, "profile", e.AvailableProfiles.Count == 0 ? "no profiles are configured" : string.Join(", ", e.AvailableProfiles));
        }
        catch (ProfileNotFoundException e)
        {
            return ApiErrors.Create(StatusCodes.Status422UnprocessableEntity, e.Message);
        }
        catch (WorkspaceConfigException e)
        {
            return ApiErrors.Create(StatusCodes.Status422UnprocessableEntity, $"The workspace's configuration is invalid: {e.Message}", "buildlore.json");
        }

        // Asked for through the API (by a person, a script or an LLM): the trigger is "api".
        var build = await store.CreateBuildAsync(
            new NewBuild(options.Value.DefaultProject(), "runner", chosen.Name, chosen.Command, Branch: GitInfo.CurrentBranch(workspace))
            {
                Origin = new BuildOrigin(CommitSha: GitInfo.CurrentCommit(workspace), Trigger: BuildTrigger.Api),
            },
            cancellationToken);
        await queue.EnqueueAsync(new QueuedBuild(build.Id, chosen), cancellationToken);
        return TypedResults.Accepted($"/llm/learning/build/{build.Id}", new RunBuildResponse(build.Id, build.ToDto(null, false)));
    }

    private static (string? Profile, JsonHttpResult<ErrorResponse>? Error) ParseBody(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiErrors.BadRequest("The body must be a JSON object such as {\"profile\": \"build\"}, or empty.", "body", "a JSON object"));
            }

            string? profile = null;
            foreach (var field in root.EnumerateObject())
            {
                if (CommandLikeFields.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
                {
                    return (null, ApiErrors.BadRequest(
                        $"'{field.Name}' is not accepted: a request cannot choose what command runs. Define a profile in buildlore.json at the workspace root and pass its name as 'profile'.",
                        field.Name,
                        string.Join(", ", AllowedFields)));
                }

                if (!AllowedFields.Contains(field.Name, StringComparer.Ordinal))
                {
                    return (null, ApiErrors.BadRequest($"Unknown field '{field.Name}'.", field.Name, string.Join(", ", AllowedFields)));
                }

                if (field.Name == "profile")
                {
                    if (field.Value.ValueKind != JsonValueKind.String && field.Value.ValueKind != JsonValueKind.Null)
                    {
                        return (null, ApiErrors.BadRequest("profile must be a string naming a configured profile.", "profile", "a profile name"));
                    }

                    profile = field.Value.GetString();
                }
            }

            return (profile, null);
        }
        catch (JsonException e)
        {
            return (null, ApiErrors.BadRequest($"The body is not valid JSON: {e.Message}", "body", "a JSON object"));
        }
    }

    private static async Task<Results<Accepted<CancelBuildResponse>, JsonHttpResult<ErrorResponse>>> CancelBuild(
        string id,
        IBuildStore store,
        BuildQueue queue,
        CancellationToken cancellationToken)
    {
        var build = await store.GetBuildAsync(id, cancellationToken);
        if (build is null)
        {
            return ApiErrors.NotFound($"No build with id '{id}'.", "id");
        }

        if (BuildStatus.IsFinished(build.Status))
        {
            return ApiErrors.Create(StatusCodes.Status409Conflict, $"Build '{id}' has already finished ({build.Status}).", "id");
        }

        // The worker tracks a build before it marks it running and until it has finished it, so:
        // tracked here → it stops it; still queued → finished here (the worker then skips it); running but not
        // tracked here → another server's build, or a pushed one: nothing here can stop it, so it is ended.
        if (queue.TryCancelRunning(id))
        {
            return TypedResults.Accepted($"/llm/learning/build/{id}", new CancelBuildResponse(id, "cancellation requested"));
        }

        var analysis = await AnalysisSummary.AnalyzeAsync(store.ReadLogAsync(id, cancellationToken), succeeded: true, cancellationToken: cancellationToken);
        var completion = new BuildCompletion(BuildStatus.Cancelled, null, "cancelled on request", analysis.ToLogSummary(), DateTimeOffset.UtcNow) { Analysis = analysis };
        if (await store.FinishQueuedBuildAsync(id, completion, cancellationToken))
        {
            return TypedResults.Accepted($"/llm/learning/build/{id}", new CancelBuildResponse(id, "build cancelled"));
        }

        if (queue.TryCancelRunning(id))
        {
            return TypedResults.Accepted($"/llm/learning/build/{id}", new CancelBuildResponse(id, "cancellation requested")); // it started meanwhile
        }

        if (await store.FinishBuildAsync(id, completion, cancellationToken))
        {
            return TypedResults.Accepted($"/llm/learning/build/{id}", new CancelBuildResponse(id, "build cancelled"));
        }

        return ApiErrors.Create(StatusCodes.Status409Conflict, $"Build '{id}' has already finished.", "id");
    }

    private static Results<Ok<ProfilesResponse>, JsonHttpResult<ErrorResponse>> ListProfiles(IOptions<BuildLoreOptions> options)
    {
        var workspace = options.Value.ResolveWorkspace();
        try
        {
            var config = WorkspaceConfig.Load(workspace);
            var profiles = config.Profiles.Values.ToList();
            if (ProfileResolver.Detect(workspace) is { } detected)
            {
                profiles.Add(detected);
            }

            return TypedResults.Ok(new ProfilesResponse(
                [.. profiles.Select(p => new ProfileDto(p.Name, p.Command, p.WorkingDirectory, p.Timeout?.TotalSeconds, p.Detected))],
                config.DefaultProfile));
        }
        catch (WorkspaceConfigException e)
        {
            return ApiErrors.Create(StatusCodes.Status422UnprocessableEntity, $"The workspace's configuration is invalid: {e.Message}", "buildlore.json");
        }
    }
}

public sealed record RunBuildRequest(string? Profile);

public sealed record RunBuildResponse(string BuildId, BuildDto Build)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
    public string Message => "build queued";
}

public sealed record CancelBuildResponse(string BuildId, string Message)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}

public sealed record ProfileDto(string Name, string Command, string WorkingDir, double? TimeoutSeconds, bool Detected);

public sealed record ProfilesResponse(IReadOnlyList<ProfileDto> Profiles, string? DefaultProfile)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status => "ok";
}
