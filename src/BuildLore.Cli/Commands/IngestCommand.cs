using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BuildLore.Client;
using BuildLore.Core.Analysis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore ingest</c>: pushes a build log (a file, or standard input as it is produced) to the
/// server from any CI or a terminal: <c>make 2>&amp;1 | buildlore ingest --tee</c>.
/// </summary>
internal sealed class IngestCommand(IAnsiConsole console) : AsyncCommand<IngestCommand.Settings>
{
    private const int ChunkChars = 256 * 1024;
    private static readonly TimeSpan ChunkInterval = TimeSpan.FromSeconds(1);

    internal sealed class Settings : ClientSettings
    {
        [CommandOption("--log <FILE>")]
        [Description("The log to send; standard input when absent or '-'.")]
        public string? Log { get; init; }

        [CommandOption("--project <NAME>")]
        [Description("Project name (default: the server's workspace name).")]
        public string? Project { get; init; }

        [CommandOption("--branch <NAME>")]
        [Description("Branch (default: from the CI's environment: GITHUB_REF_NAME, CI_COMMIT_REF_NAME, GIT_BRANCH).")]
        public string? Branch { get; init; }

        [CommandOption("--commit <SHA>")]
        [Description("Commit (default: GITHUB_SHA, CI_COMMIT_SHA, GIT_COMMIT).")]
        public string? Commit { get; init; }

        [CommandOption("--commit-message <TEXT>")]
        [Description("The commit's message, or its first line (default: CI_COMMIT_TITLE, or the pushed head commit on GitHub Actions).")]
        public string? CommitMessage { get; init; }

        [CommandOption("--author <NAME>")]
        [Description("Who made the change (default: GITHUB_ACTOR, GITLAB_USER_LOGIN, CIRCLE_USERNAME, CHANGE_AUTHOR).")]
        public string? Author { get; init; }

        [CommandOption("--trigger <WORD>")]
        [Description("What started the build: push, pull_request, schedule, manual, api, or another lowercase word (default: from GITHUB_EVENT_NAME, CI_PIPELINE_SOURCE, CHANGE_ID, CIRCLE_PULL_REQUEST; manual outside CI).")]
        public string? Trigger { get; init; }

        [CommandOption("--ci-provider <NAME>")]
        [Description("CI system (default: detected: github-actions, gitlab, jenkins, circleci, or local).")]
        public string? CiProvider { get; init; }

        [CommandOption("--job-name <NAME>")]
        public string? JobName { get; init; }

        [CommandOption("--job-url <URL>")]
        [Description("Link to the CI job (default: detected from the CI's environment).")]
        public string? JobUrl { get; init; }

        [CommandOption("--status <STATUS>")]
        [Description("success, failed, error, cancelled or timeout (default: from --exit-code, else failed when the log has errors).")]
        public string? Status { get; init; }

        [CommandOption("--exit-code <CODE>")]
        [Description("The build command's exit code.")]
        public int? ExitCode { get; init; }

        [CommandOption("--junit <FILE>")]
        [Description("JUnit XML test report to attach (repeatable).")]
        public string[] JUnit { get; init; } = [];

        [CommandOption("--trx <FILE>")]
        [Description("TRX test report to attach (repeatable).")]
        public string[] Trx { get; init; } = [];

        [CommandOption("--tee")]
        [Description("Also copy the log to standard output as it is read.")]
        public bool Tee { get; init; }

        [CommandOption("--json")]
        [Description("Print {\"id\", \"status\"} instead of the id alone.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Log is not null and not "-" && !File.Exists(Log) ? ValidationResult.Error($"No such file: {Log}")
            : JUnit.Concat(Trx).FirstOrDefault(f => !File.Exists(f)) is { } missingReport ? ValidationResult.Error($"No such file: {missingReport}")
            : Status is not null && !BuildStatuses.IsFinished(Status) ? ValidationResult.Error($"--status must be success, failed, error, cancelled or timeout (got '{Status}').")
            : Trigger is not null && !BuildLore.Core.Builds.BuildTrigger.IsValid(Trigger) ? ValidationResult.Error($"--trigger must be one lowercase word such as push, pull_request, schedule, manual or api (got '{Trigger}').")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        try
        {
            var created = await client.CreateBuildAsync(DescribeBuild(settings), cancellationToken);
            var id = created.BuildId;
            var analyzer = new LogAnalyzer();
            await using (var input = settings.Log is null or "-" ? Console.OpenStandardInput() : File.OpenRead(settings.Log))
            {
                await SendAsync(client, id, input, settings.Tee, analyzer, cancellationToken);
            }

            var analysis = analyzer.Complete();
            var status = settings.Status
                ?? (settings.ExitCode is { } code ? (code == 0 ? BuildStatuses.Success : BuildStatuses.Failed)
                    : analysis.ErrorCount > 0 ? BuildStatuses.Failed : BuildStatuses.Success);
            foreach (var report in settings.JUnit.Concat(settings.Trx))
            {
                await client.UploadTestResultsAsync(id, await File.ReadAllBytesAsync(report, cancellationToken), cancellationToken);
            }

            await client.FinishBuildAsync(id, status, settings.ExitCode, cancellationToken);

            // The id is the last line, so scripts can take it with `tail -n 1`.
            console.Profile.Out.Writer.WriteLine(settings.Json ? JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = id, ["status"] = status }) : id);
            return settings.ExitCode ?? (status == BuildStatuses.Success ? 0 : 1);
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
    }

    /// <summary>Sends the log in numbered chunks of whole lines: when enough has gathered, or a second after the last chunk.</summary>
    private async Task SendAsync(LLMClient client, string id, Stream input, bool tee, LogAnalyzer analyzer, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false, false));
        var pending = new StringBuilder();
        var buffer = new char[64 * 1024];
        long sequence = 0;
        var sinceLast = Stopwatch.StartNew();
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
        {
            if (tee)
            {
                console.Profile.Out.Writer.Write(buffer, 0, read);
                console.Profile.Out.Writer.Flush();
            }

            analyzer.Append(buffer.AsSpan(0, read));
            pending.Append(buffer, 0, read);
            if (pending.Length >= ChunkChars || sinceLast.Elapsed >= ChunkInterval)
            {
                var lastNewline = pending.ToString().LastIndexOf('\n');
                if (lastNewline >= 0)
                {
                    await SendChunkAsync(client, id, ++sequence, pending.ToString(0, lastNewline + 1), cancellationToken);
                    pending.Remove(0, lastNewline + 1);
                    sinceLast.Restart();
                }
            }
        }

        if (pending.Length > 0)
        {
            await SendChunkAsync(client, id, ++sequence, pending.ToString(), cancellationToken);
        }
    }

    /// <summary>Retries a chunk a few times: the server stores each number once, so a retry never duplicates it.</summary>
    private static async Task SendChunkAsync(LLMClient client, string id, long sequence, string text, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.AppendLogAsync(id, sequence, text, cancellationToken);
                return;
            }
            catch (LLMClientException e) when (e.StatusCode is null && attempt < 4)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    private static BuildCreation DescribeBuild(Settings settings)
    {
        var detected = CiEnvironment.Describe(Environment.GetEnvironmentVariable);
        return new BuildCreation
        {
            Project = settings.Project,
            Branch = settings.Branch ?? detected.Branch,
            Commit = settings.Commit ?? detected.Commit,
            CommitMessage = settings.CommitMessage ?? detected.CommitMessage,
            Author = settings.Author ?? detected.Author,
            CiProvider = settings.CiProvider ?? detected.CiProvider,
            JobName = settings.JobName ?? detected.JobName,
            JobUrl = settings.JobUrl ?? detected.JobUrl,
            Trigger = settings.Trigger ?? detected.Trigger,
        };
    }
}
