using BuildLore.Cli;

if (args is ["codebase", ..])
{
    // The scan needs the tokenizer's vocabulary (a quarter of a second to load): start on it before
    // the command line is even parsed.
    BuildLore.Core.Codebase.TokenCounter.Warm();
}

return await CliApp.RunAsync(args);
