using System.ComponentModel;
using System.Text;
using System.Text.Json;
using BuildLore.Client;
using BuildLore.Core.Analysis;
using Microsoft.Extensions.FileSystemGlobbing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore ingest</c>: pushes a build log (a file, or standard input as it is produced) to the
/// server from any CI or a terminal: <c>make 2>&amp;1 | buildlore ingest --tee</c>.
/// </summary>
/// <remarks>
/// With <c>--tee</c> the log is passed through byte for byte, whatever happens to the upload: the server
/// being down at the start, going away or refusing chunks midway. The upload runs beside the pass-through
/// (see <see cref="LogUploader"/>), warns on standard error, and the command still exits as the build did.
/// </remarks>
internal sealed class IngestCommand(IAnsiConsole console, StandardStreams streams) : AsyncCommand<IngestCommand.Settings>
{
    private static readonly TimeSpan DefaultGiveUpAfter = TimeSpan.FromSeconds(60);

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

        [CommandOption("--exit-code-file <FILE>")]
        [Description("Read the build command's exit code from FILE once the log has ended; the command writes it there: { code=0; make 2>&1 || code=$?; echo $code > FILE; } | buildlore ingest --tee --exit-code-file FILE.")]
        public string? ExitCodeFile { get; init; }

        [CommandOption("--give-up-after <SECONDS>")]
        [Description("Once the log has ended, how long to keep retrying a server that is unreachable or failing before giving up the upload (default 60).")]
        public int? GiveUpAfterSeconds { get; init; }

        [CommandOption("--junit <FILE>")]
        [Description("JUnit XML test report to attach (repeatable); a glob such as 'build/test-results/**/*.xml' is expanded once the log has ended, when the build has written them. A missing report is skipped with a warning.")]
        public string[] JUnit { get; init; } = [];

        [CommandOption("--trx <FILE>")]
        [Description("TRX test report to attach (repeatable; globs as for --junit).")]
        public string[] Trx { get; init; } = [];

        [CommandOption("--tee")]
        [Description("Also copy the log to standard output as it is read, byte for byte, whatever happens to the upload (problems are reported on standard error); the exit code is then the build's.")]
        public bool Tee { get; init; }

        [CommandOption("--json")]
        [Description("Print {\"id\", \"status\"} instead of the id alone.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Log is not null and not "-" && !File.Exists(Log) ? ValidationResult.Error($"No such file: {Log}")
            : ExitCode is not null && ExitCodeFile is not null ? ValidationResult.Error("Give --exit-code or --exit-code-file, not both.")
            : GiveUpAfterSeconds is < 0 ? ValidationResult.Error("--give-up-after must be 0 or more seconds.")
            : Status is not null && !BuildStatuses.IsFinished(Status) ? ValidationResult.Error($"--status must be success, failed, error, cancelled or timeout (got '{Status}').")
            : Trigger is not null && !BuildLore.Core.Builds.BuildTrigger.IsValid(Trigger) ? ValidationResult.Error($"--trigger must be one lowercase word such as push, pull_request, schedule, manual or api (got '{Trigger}').")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var description = DescribeBuild(settings);
        string? buildId = null;
        if (!settings.Tee)
        {
            // Nothing is passed through, so nobody waits for this output: an unreachable server is an error at once.
            try
            {
                buildId = (await client.CreateBuildAsync(description, cancellationToken)).BuildId;
            }
            catch (LLMClientException e)
            {
                return ClientErrors.Report(console, e, client.BaseAddress);
            }
        }

        var uploader = new LogUploader(client, description, buildId, settings.GiveUpAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultGiveUpAfter, Warn);
        var uploading = Task.Run(() => uploader.RunAsync(cancellationToken), CancellationToken.None);
        var analyzer = new LogAnalyzer();
        try
        {
            await using var input = settings.Log is null or "-" ? streams.OpenInput() : File.OpenRead(settings.Log);
            await PumpAsync(input, settings.Tee, analyzer, uploader, cancellationToken);
        }
        finally
        {
            uploader.Complete();
            await uploading;
        }

        var exitCode = settings.ExitCode ?? ReadExitCodeFile(settings.ExitCodeFile);
        var analysis = analyzer.Complete();
        var status = settings.Status
            ?? (exitCode is { } code ? (code == 0 ? BuildStatuses.Success : BuildStatuses.Failed)
                : analysis.ErrorCount > 0 ? BuildStatuses.Failed : BuildStatuses.Success);
        var finished = await uploader.FinishAsync(status, exitCode, FindReports([.. settings.JUnit, .. settings.Trx]), cancellationToken);
        if (!finished && !settings.Tee)
        {
            return ClientErrors.Report(console, uploader.Failure!, client.BaseAddress);
        }

        // The id is the last line, so scripts can take it with `tail -n 1`; with --tee, even when the upload
        // could not be completed (the warning says so), as long as the build exists.
        if (uploader.BuildId is { } id)
        {
            console.Profile.Out.Writer.WriteLine(settings.Json ? JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = id, ["status"] = status }) : id);
        }

        return exitCode ?? (status == BuildStatuses.Success ? 0 : 1);
    }

    /// <summary>Reads the input to its end: passed through (raw bytes) with --tee, decoded for the analyzer and the upload.</summary>
    private async Task PumpAsync(Stream input, bool tee, LogAnalyzer analyzer, LogUploader uploader, CancellationToken cancellationToken)
    {
        var output = tee ? streams.Output : null;
        var decoder = new UTF8Encoding(false, false).GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        int read;
        while ((read = await input.ReadAsync(bytes, cancellationToken)) > 0)
        {
            if (output is not null)
            {
                try
                {
                    await output.WriteAsync(bytes.AsMemory(0, read), cancellationToken);
                    await output.FlushAsync(cancellationToken);
                }
                catch (IOException e)
                {
                    // Whoever read our output went away; the producer must still be read to its end.
                    Warn($"buildlore ingest: standard output is closed ({e.Message}); the log is still uploaded.");
                    output = null;
                }
            }

            var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            analyzer.Append(chars.AsSpan(0, count));
            uploader.Write(chars.AsSpan(0, count));
        }

        var rest = decoder.GetChars(bytes, 0, 0, chars, 0, flush: true);
        analyzer.Append(chars.AsSpan(0, rest));
        uploader.Write(chars.AsSpan(0, rest));
    }

    /// <summary>The report files, globs expanded (relative to the current folder); what matches nothing is warned about.</summary>
    private List<string> FindReports(IReadOnlyList<string> patterns)
    {
        var files = new List<string>();
        foreach (var pattern in patterns)
        {
            if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
            {
                files.Add(pattern); // a missing file is said when it is read
                continue;
            }

            // The part before the first wildcard's folder is where matching starts.
            var wildcard = pattern.AsSpan().IndexOfAny('*', '?');
            var cut = pattern.LastIndexOfAny(['/', Path.DirectorySeparatorChar], wildcard);
            var root = Path.GetFullPath(cut < 0 ? "." : cut == 0 ? "/" : pattern[..cut]);
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(pattern[(cut + 1)..]);
            var found = Directory.Exists(root) ? matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal).ToList() : [];
            if (found.Count == 0)
            {
                Warn($"buildlore ingest: no test report matches {pattern}.");
            }

            files.AddRange(found);
        }

        return files;
    }

    private int? ReadExitCodeFile(string? file)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(file).Trim();
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                return code;
            }

            Warn($"buildlore ingest: {file} does not hold an exit code ('{text}'); the status is taken from the log.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"buildlore ingest: could not read the exit code from {file} ({e.Message}); the status is taken from the log.");
        }

        return null;
    }

    private void Warn(string message)
    {
        streams.Error.WriteLine(message);
        streams.Error.Flush();
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
