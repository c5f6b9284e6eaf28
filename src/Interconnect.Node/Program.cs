using Interconnect.Node.Demo;

// Interconnect node command line. Commands: demo.
var command = args.FirstOrDefault();
switch (command)
{
    case "demo":
        return await LedgerDemo.RunAsync(Console.Out, TimeProvider.System);
    default:
        await Console.Error.WriteLineAsync(
            """
            usage: Interconnect.Node <command>

              demo    two administrations in one process on the embedded defaults (in-memory storage):
                      key sets, an AEO certified and suspended, selective disclosure to the partner,
                      Merkle inclusion proof and signed checkpoint, and forged entries refused.
            """);
        return command is null ? 0 : 2;
}
