using LlmDistill.Cli;

return LlmDistillCli.Run(args, Console.Out, Console.Error);
