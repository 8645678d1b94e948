using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using BuildLore.Agent;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary>
/// <c>buildlore agent</c>: the learning loop. Analyzes failed builds with the built-in offline analyzer, or with
/// an LLM (OpenAI-compatible or Anthropic) when one is configured, and writes project-level reports on a schedule.
/// </summary>
internal sealed partial class AgentCommand(IAnsiConsole console) : AsyncCommand<AgentCommand.Settings>
{
    internal sealed partial class Settings : ClientSettings
    {
        [CommandOption("--once")]
        [Description("Analyze every failed build that has no report yet (and write the --reports that are due), then exit 0 (for cron and CI).")]
        public bool Once { get; init; }

        [CommandOption("--interval <SECONDS>")]
        [Description("Seconds between passes (default 300). With the server's event stream, a failed build is analyzed at once anyway.")]
        [DefaultValue(300)]
        public int Interval { get; init; } = 300;

        [CommandOption("--no-follow")]
        [Description("Do not follow the server's event stream of finished builds; only poll every --interval.")]
        public bool NoFollow { get; init; }

        [CommandOption("--concurrency <N>")]
        [Description("Builds analyzed at the same time (default 2).")]
        [DefaultValue(2)]
        public int Concurrency { get; init; } = 2;

        [CommandOption("--threshold <CONFIDENCE>")]
        [Description("Only recommendations at least this confident are submitted, whatever the analyzer (default 0.7).")]
        [DefaultValue(0.7)]
        public double Threshold { get; init; } = 0.7;

        [CommandOption("--window <N>")]
        [Description("At most this many builds are analyzed per pass (default 1000; with --once, every pending build).")]
        public int? Window { get; init; }

        [CommandOption("--reports <TYPES>")]
        [Description("Project-level reports to write, comma-separated: dependency_audit (from the codebase's dependencies), performance_analysis (from build duration trends).")]
        public string? Reports { get; init; }

        [CommandOption("--audit-every <DURATION>")]
        [Description("Write a dependency_audit when the newest is older than this (e.g. 24h, 90m, 7d; default 24h, or every run with --once). Implies --reports dependency_audit.")]
        public string? AuditEvery { get; init; }

        [CommandOption("--perf-every <DURATION>")]
        [Description("Write a performance_analysis when the newest is older than this (default 24h, or every run with --once). Implies --reports performance_analysis.")]
        public string? PerfEvery { get; init; }

        [CommandOption("--perf-days <DAYS>")]
        [Description("Days of builds a performance_analysis looks at (default 30).")]
        [DefaultValue(30)]
        public int PerfDays { get; init; } = 30;

        [CommandOption("--project <NAME>")]
        [Description("The project project-level reports are about (default: the server's own project).")]
        public string? Project { get; init; }

        [CommandOption("--llm-provider <PROVIDER>")]
        [Description("openai (any OpenAI-compatible endpoint) or anthropic (BUILDLORE_LLM_PROVIDER). Default: openai when an endpoint is given. Without a provider or endpoint, the built-in offline analyzer runs.")]
        public string? LlmProvider { get; init; }

        [CommandOption("--llm-endpoint <URL>")]
        [Description("The LLM API's base address (BUILDLORE_LLM_ENDPOINT): e.g. http://127.0.0.1:11434/v1 for Ollama, https://api.openai.com/v1; for anthropic the default is https://api.anthropic.com.")]
        public string? LlmEndpoint { get; init; }

        [CommandOption("--llm-model <NAME>")]
        [Description("The model to ask (BUILDLORE_LLM_MODEL).")]
        public string? LlmModel { get; init; }

        [CommandOption("--llm-api-key-env <VARIABLE>")]
        [Description("The environment variable holding the API key (default: BUILDLORE_LLM_API_KEY, then OPENAI_API_KEY or ANTHROPIC_API_KEY by provider).")]
        public string? LlmApiKeyVariable { get; init; }

        [CommandOption("--llm-timeout <SECONDS>")]
        [Description("How long one LLM answer may take before the build is left for a later pass (default 120).")]
        [DefaultValue(120)]
        public int LlmTimeout { get; init; } = 120;

        [CommandOption("--prompt-tokens <N>")]
        [Description("Token budget of a prompt: failure excerpt, diagnostics, known issues, changes since the last green build and source snippets are fitted to it (default 6000).")]
        [DefaultValue(6000)]
        public int PromptTokens { get; init; } = 6000;

        /// <summary>The project-level reports asked for, with their schedule.</summary>
        public IReadOnlyList<ScheduledReport> ScheduledReports()
        {
            var types = (Reports ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (AuditEvery is not null && !types.Contains(ReportTypes.DependencyAudit))
            {
                types.Add(ReportTypes.DependencyAudit);
            }

            if (PerfEvery is not null && !types.Contains(ReportTypes.PerformanceAnalysis))
            {
                types.Add(ReportTypes.PerformanceAnalysis);
            }

            // A --once run asked for a report writes it, unless a schedule says it is not due yet.
            var fallback = Once ? TimeSpan.Zero : TimeSpan.FromHours(24);
            return [.. types.Distinct().Select(t => new ScheduledReport(t,
                (t == ReportTypes.DependencyAudit ? AuditEvery : PerfEvery) is { } every ? ParseDuration(every)!.Value : fallback))];
        }

        public override ValidationResult Validate()
        {
            var unknown = (Reports ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(t => !ScheduledReport.Types.Contains(t));
            return Interval < 1 ? ValidationResult.Error("--interval must be at least 1 second.")
                : Concurrency is < 1 or > 32 ? ValidationResult.Error("--concurrency must be from 1 to 32.")
                : Threshold is < 0 or > 1 ? ValidationResult.Error("--threshold must be from 0 to 1.")
                : Window is < 1 ? ValidationResult.Error("--window must be positive.")
                : unknown is not null ? ValidationResult.Error($"--reports: '{unknown}' is not a project-level report the agent writes; use {string.Join(" or ", ScheduledReport.Types)}.")
                : AuditEvery is not null && ParseDuration(AuditEvery) is null ? ValidationResult.Error($"--audit-every: '{AuditEvery}' is not a duration such as 24h, 90m, 7d or 0.")
                : PerfEvery is not null && ParseDuration(PerfEvery) is null ? ValidationResult.Error($"--perf-every: '{PerfEvery}' is not a duration such as 24h, 90m, 7d or 0.")
                : PerfDays is < 1 or > 3650 ? ValidationResult.Error("--perf-days must be from 1 to 3650.")
                : LlmTimeout < 1 ? ValidationResult.Error("--llm-timeout must be at least 1 second.")
                : PromptTokens is < 500 or > 1_000_000 ? ValidationResult.Error("--prompt-tokens must be from 500 to 1000000.")
                : base.Validate();
        }

        /// <summary>"24h", "90m", "30s", "7d", "1h30m", or a number of seconds; null when it is none of these.</summary>
        internal static TimeSpan? ParseDuration(string text)
        {
            text = text.Trim();
            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            var match = Duration().Match(text);
            if (!match.Success)
            {
                return null;
            }

            var total = TimeSpan.Zero;
            for (var i = 0; i < match.Groups["n"].Captures.Count; i++)
            {
                var number = double.Parse(match.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
                total += match.Groups["unit"].Captures[i].Value switch
                {
                    "d" => TimeSpan.FromDays(number),
                    "h" => TimeSpan.FromHours(number),
                    "m" => TimeSpan.FromMinutes(number),
                    _ => TimeSpan.FromSeconds(number),
                };
            }

            return total;
        }

        /// <summary>
        /// How long a claim lasts: long enough for an LLM's answer and its one retry (each up to --llm-timeout),
        /// so a slow model does not let a second agent take a build it is still analyzing.
        /// </summary>
        public TimeSpan ClaimTtl(bool llm) =>
            llm ? TimeSpan.FromSeconds(Math.Max(300, 2 * LlmTimeout + 60)) : TimeSpan.FromMinutes(5);

        [GeneratedRegex(@"^(?:(?<n>\d+(?:\.\d+)?)(?<unit>[dhms]))+$")]
        private static partial Regex Duration();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var (analyzer, error) = CreateAnalyzer(settings, client);
        if (error is not null)
        {
            console.MarkupLineInterpolated($"[red]{error}[/]");
            return 2;
        }

        var agent = new LearningAgent(client, analyzer!, new AgentOptions
        {
            Concurrency = settings.Concurrency,
            RecommendationThreshold = settings.Threshold,
            Interval = TimeSpan.FromSeconds(settings.Interval),
            // --once is for cron and CI: it leaves nothing pending unless told to.
            Window = settings.Window ?? (settings.Once ? int.MaxValue : 1000),
            ClaimTtl = settings.ClaimTtl(analyzer is ChatClientAnalyzer),
            Follow = !settings.NoFollow,
            ProjectReports = settings.ScheduledReports(),
            Project = settings.Project,
            PerformanceDays = settings.PerfDays,
        }, message => console.WriteLine(message));
        try
        {
            if (settings.Once)
            {
                var submitted = await agent.RunOnceAsync(cancellationToken);
                console.WriteLine($"Submitted {submitted} report(s).");
                return 0;
            }

            await agent.RunAsync(cancellationToken);
            return 0;
        }
        catch (LLMClientException e)
        {
            return ClientErrors.Report(console, e, client.BaseAddress);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>The built-in analyzer, or the configured LLM's; an error message when the configuration is incomplete.</summary>
    private static (IBuildAnalyzer? Analyzer, string? Error) CreateAnalyzer(Settings settings, LLMClient client)
    {
        static string? Setting(string? flag, string variable) => flag ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null);

        var endpointText = Setting(settings.LlmEndpoint, "BUILDLORE_LLM_ENDPOINT");
        var provider = Setting(settings.LlmProvider, "BUILDLORE_LLM_PROVIDER")?.ToLowerInvariant() ?? (endpointText is null ? null : LlmProviders.OpenAI);
        if (provider is null)
        {
            return (new RuleBasedAnalyzer(), null);
        }

        if (!LlmProviders.All.Contains(provider))
        {
            return (null, $"--llm-provider must be {string.Join(" or ", LlmProviders.All)} (got '{provider}').");
        }

        Uri? endpoint = null;
        if (endpointText is not null && !Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint))
        {
            return (null, $"--llm-endpoint needs an absolute URL (got '{endpointText}').");
        }

        if (provider == LlmProviders.OpenAI && endpoint is null)
        {
            return (null, "--llm-endpoint is required for an OpenAI-compatible provider, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1.");
        }

        var model = Setting(settings.LlmModel, "BUILDLORE_LLM_MODEL");
        if (model is null)
        {
            return (null, "--llm-model (or BUILDLORE_LLM_MODEL) names the model to ask.");
        }

        var variables = settings.LlmApiKeyVariable is { } named ? [named] : LlmProviders.ApiKeyVariables(provider);
        var apiKey = variables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var timeout = TimeSpan.FromSeconds(settings.LlmTimeout);
        var chat = LlmProviders.Create(provider, endpoint, model, apiKey, timeout);
        return (new ChatClientAnalyzer(chat, client, new ChatAnalyzerOptions { RequestTimeout = timeout, PromptTokenBudget = settings.PromptTokens }), null);
    }
}
