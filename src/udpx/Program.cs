return await Udpx.Cli.CommandLineApp.RunAsync(args).ConfigureAwait(false);
