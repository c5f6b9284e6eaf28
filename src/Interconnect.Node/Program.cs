using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;

// Interconnect node command line. Commands: run (the default), demo, verify, access-key.
var command = args.FirstOrDefault() ?? "run";
switch (command)
{
    case "run":
        return await RunAsync(args.Skip(1).ToArray());
    case "demo":
        return await DemoCommand.RunAsync(args.Skip(1).ToArray(), Console.Out, Console.Error);
    case "verify":
        return Interconnect.Node.Audit.VerifyCommand.Run(args.Skip(1).ToArray(), Console.Out, Console.Error);
    case "access-key":
        return Interconnect.Node.Access.AccessKeyCommand.Run(args.Skip(1).ToArray(), Console.Out, Console.Error);
    default:
        await Console.Error.WriteLineAsync(
            """
            usage: Interconnect.Node [command]

              run     (default) serve this administration's node, configured by appsettings.json and
                      environment variables Node__* (see docs/operations.md)
              demo    three administrations (NL, JP, BE) in one process on the embedded defaults,
                      a scripted MRA + AEO + shipment scenario, then the web UI on ports 5081-5083
                      (options: --base-port N; --silos N, 1 to 5: each administration N silos of
                      one Orleans cluster over one store, silo k on its port + 10*(k-1), and after
                      the scenario NL's silo holding the AEO operator stops and the grain moves;
                      --no-serve to exit after the scenario)
              verify  <bundle-file> [--trust-key <pem-file> | --trust-key-id <id>] [--json]: check an
                      audit bundle offline (docs/audit-bundles.md); exit 0 valid, 1 invalid, 2 usage
              access-key  a new API key for a principal and the ApiKeySha256 the node's configuration
                      holds (docs/access-control.md)
            """);
        return 2;
}

static async Task<int> RunAsync(string[] args)
{
    try
    {
        // One configuration (appsettings.json, environment, command line) for the node and for Kestrel.
        await using var app = NodeApplication.BuildFromConfiguration(args);
        // Not ready, rather than exiting, while storage does not answer (stopped while waiting: exit 0).
        if (await StorageWait.UntilStorageAnswersAsync(args, app.Services.GetRequiredService<NodeOptions>()))
        {
            await app.RunAsync();
        }

        return 0;
    }
    catch (NodeConfigurationException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 3;
    }
}
