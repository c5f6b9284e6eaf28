using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;

// Interconnect node command line. Commands: run (the default), demo.
var command = args.FirstOrDefault() ?? "run";
switch (command)
{
    case "run":
        return await RunAsync(args.Skip(1).ToArray());
    case "demo":
        return await LedgerDemo.RunAsync(Console.Out, TimeProvider.System);
    default:
        await Console.Error.WriteLineAsync(
            """
            usage: Interconnect.Node [command]

              run     (default) serve this administration's node, configured by appsettings.json and
                      environment variables Node__* (see docs/operations.md)
              demo    three administrations in one process on the embedded defaults
            """);
        return 2;
}

static async Task<int> RunAsync(string[] args)
{
    var configuration = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();
    var options = new NodeOptions();
    configuration.GetSection(NodeOptions.Section).Bind(options);
    try
    {
        await using var app = NodeApplication.Build(options, args: args);
        await app.RunAsync();
        return 0;
    }
    catch (NodeConfigurationException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 3;
    }
}
