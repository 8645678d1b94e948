using System.Text.Json;
using BuildLore.Client;

namespace BuildLore.Cli.Commands;

/// <summary>
/// What the CI running <c>buildlore ingest</c> says about the build in its environment variables
/// (GitHub Actions, GitLab CI, Jenkins, CircleCI), for the fields not given as flags.
/// </summary>
internal static class CiEnvironment
{
    public static BuildCreation Describe(Func<string, string?> variable)
    {
        string? Env(params string[] names) => names.Select(variable).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var provider = Env("GITHUB_ACTIONS") is not null ? "github-actions"
            : Env("GITLAB_CI") is not null ? "gitlab"
            : Env("JENKINS_URL") is not null ? "jenkins"
            : Env("CIRCLECI") is not null ? "circleci"
            : "local";
        var githubRun = Env("GITHUB_RUN_ID") is { } run ? $"{Env("GITHUB_SERVER_URL")}/{Env("GITHUB_REPOSITORY")}/actions/runs/{run}" : null;
        return new BuildCreation
        {
            Branch = Env("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "GIT_BRANCH", "CIRCLE_BRANCH"),
            Commit = Env("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "CIRCLE_SHA1"),
            CommitMessage = Env("CI_COMMIT_TITLE") ?? GitHubCommitMessage(Env("GITHUB_EVENT_PATH")),
            Author = Env("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "CIRCLE_USERNAME", "CHANGE_AUTHOR"),
            CiProvider = provider,
            JobName = Env("GITHUB_JOB", "CI_JOB_NAME", "JOB_NAME", "CIRCLE_JOB"),
            JobUrl = githubRun ?? Env("CI_JOB_URL", "BUILD_URL", "CIRCLE_BUILD_URL"),
            Trigger = provider switch
            {
                "github-actions" => Normalize(Env("GITHUB_EVENT_NAME")),
                "gitlab" => Normalize(Env("CI_PIPELINE_SOURCE")),
                "jenkins" or "circleci" => Env("CHANGE_ID", "CIRCLE_PULL_REQUEST") is not null ? "pull_request" : null,
                _ => "manual",
            },
        };
    }

    /// <summary>The CI's event name in the common words where there is one (push, pull_request, schedule, manual, api), else as the CI says it.</summary>
    private static string? Normalize(string? eventName) => eventName?.ToLowerInvariant() switch
    {
        null or "" => null,
        "pull_request" or "pull_request_target" or "merge_request_event" or "external_pull_request_event" => "pull_request",
        "workflow_dispatch" or "web" => "manual",
        "repository_dispatch" or "api" or "trigger" => "api",
        var other when BuildLore.Core.Builds.BuildTrigger.IsValid(other) => other,
        _ => null,
    };

    /// <summary>The head commit's first line from the event GitHub Actions describes in a JSON file (pushes), or null.</summary>
    private static string? GitHubCommitMessage(string? eventPath)
    {
        if (eventPath is null || !File.Exists(eventPath))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(eventPath);
            using var document = JsonDocument.Parse(stream);
            return document.RootElement.TryGetProperty("head_commit", out var head) && head.ValueKind == JsonValueKind.Object
                && head.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()!.Split('\n')[0].Trim()
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
