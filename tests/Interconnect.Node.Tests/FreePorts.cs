using System.Net;
using System.Net.Sockets;

namespace Interconnect.Node.Tests;

/// <summary>
/// Finds free loopback ports for nodes started by tests. They are taken below the kernel's range of
/// ephemeral ports, which outgoing connections (silos, brokers, HTTP clients) draw from at any moment
/// and could take between the check and a node's bind; and a range handed to one test of this
/// process is never handed to another running beside it.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 20000;
    private static readonly HashSet<int> Handed = [];

    /// <summary>The first of <paramref name="count"/> consecutive ports that are free now.</summary>
    public static int Consecutive(int count)
    {
        var highest = EphemeralStart() - count;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(Lowest, highest);
            var range = Enumerable.Range(first, count).ToList();
            lock (Handed)
            {
                if (range.Any(Handed.Contains) || !range.All(IsFree))
                {
                    continue;
                }

                Handed.UnionWith(range);
                return first;
            }
        }

        throw new InvalidOperationException("No free consecutive loopback ports found.");
    }

    // The first ephemeral port (Linux: /proc/sys/net/ipv4/ip_local_port_range); 32768 elsewhere.
    private static int EphemeralStart()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(Range) && int.TryParse(File.ReadAllText(Range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > Lowest + 1000)
        {
            return start;
        }

        return 32768;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
