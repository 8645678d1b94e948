using System.ComponentModel;
using BuildLore.Agent;
using BuildLore.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli.Commands;

/// <summary><c>buildlore agent</c>: the learning loop with the built-in, offline analyzer.</summary>
internal sealed class AgentCommand(IAnsiConsole console) : AsyncCommand<AgentCommand.Settings>
{
    internal sealed class Settings : ClientSettings
    {
        [CommandOption("--once")]
        [Description("Analyze every failed build that has no report yet, then exit 0 (for cron and CI).")]
        public bool Once { get; init; }

        [CommandOption("--interval <SECONDS>")]
        [Description("Seconds between passes (default 300).")]
        [DefaultValue(300)]
        public int Interval { get; init; } = 300;

        [CommandOption("--concurrency <N>")]
        [Description("Builds analyzed at the same time (default 2).")]
        [DefaultValue(2)]
        public int Concurrency { get; init; } = 2;

        [CommandOption("--threshold <CONFIDENCE>")]
        [Description("Only recommendations at least this confident are submitted (default 0.7).")]
        [DefaultValue(0.7)]
        public double Threshold { get; init; } = 0.7;

        [CommandOption("--window <N>")]
        [Description("How many recent builds each pass looks at (default 1000).")]
        [DefaultValue(1000)]
        public int Window { get; init; } = 1000;

        [CommandOption("--llm-endpoint <URL>")]
        [Description("An OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp, LM Studio), e.g. http://127.0.0.1:11434/v1 (BUILDLORE_LLM_ENDPOINT). Without it, the built-in offline analyzer runs.")]
        public string? LlmEndpoint { get; init; }

        [CommandOption("--llm-model <NAME>")]
        [Description("The model to ask (BUILDLORE_LLM_MODEL).")]
        public string? LlmModel { get; init; }

        [CommandOption("--llm-api-key-env <VARIABLE>")]
        [Description("The environment variable holding the API key (default OPENAI_API_KEY).")]
        [DefaultValue("OPENAI_API_KEY")]
        public string LlmApiKeyVariable { get; init; } = "OPENAI_API_KEY";

        public override ValidationResult Validate() =>
            Interval < 1 ? ValidationResult.Error("--interval must be at least 1 second.")
            : Concurrency is < 1 or > 32 ? ValidationResult.Error("--concurrency must be from 1 to 32.")
            : Threshold is < 0 or > 1 ? ValidationResult.Error("--threshold must be from 0 to 1.")
            : Window < 1 ? ValidationResult.Error("--window must be positive.")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = settings.LlmEndpoint ?? Environment.GetEnvironmentVariable("BUILDLORE_LLM_ENDPOINT");
        IBuildAnalyzer analyzer = new RuleBasedAnalyzer();
        if (!string.IsNullOrEmpty(endpoint))
        {
            var model = settings.LlmModel ?? Environment.GetEnvironmentVariable("BUILDLORE_LLM_MODEL");
            if (string.IsNullOrEmpty(model) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                console.MarkupLine("[red]--llm-endpoint needs an absolute URL and --llm-model a model name.[/]");
                return 2;
            }

            analyzer = new ChatClientAnalyzer(ChatClientAnalyzer.OpenAICompatible(uri, model, Environment.GetEnvironmentVariable(settings.LlmApiKeyVariable)));
        }

        var agent = new LearningAgent(client, analyzer, new AgentOptions
        {
            Concurrency = settings.Concurrency,
            RecommendationThreshold = settings.Threshold,
            Interval = TimeSpan.FromSeconds(settings.Interval),
            Window = settings.Window,
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
}
