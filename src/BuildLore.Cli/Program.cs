using BuildLore.Cli;

return await CliApp.RunAsync(args);
