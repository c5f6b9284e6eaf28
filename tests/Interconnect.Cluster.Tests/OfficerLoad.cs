using System.Collections.Concurrent;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;

namespace Interconnect.Cluster.Tests;

/// <summary>One officer call and what came of it: the view it acknowledged, or the error it raised.</summary>
public sealed record OfficerCall(string AeoNumber, string EntryType, AeoOperatorView? Acknowledged, Exception? Failed);

/// <summary>
/// Officers certifying, amending and suspending AEO operators at NL from every silo at once, as a
/// load balancer would spread them: each call goes to a running silo, the next call to the next one.
/// Every call is recorded with its outcome; a call that failed may or may not have been applied.
/// </summary>
public sealed class OfficerLoad(AdministrationCluster nl, int officers)
{
    private static readonly string[] Steps = ["aeo.certified", "aeo.amended", "aeo.suspended"];
    private readonly ConcurrentQueue<OfficerCall> _calls = new();

    public IReadOnlyCollection<OfficerCall> Calls => _calls;

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, officers).Select(officer => Task.Run(() => OfficerAsync(officer, stop), CancellationToken.None)));

    private async Task OfficerAsync(int officer, CancellationToken stop)
    {
        using var acting = Actor.Enter(new Actor($"nl-officer-{officer:D2}", "officer"));
        var call = officer;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var number = $"NLAEOF{officer:D2}{n:D5}";
            foreach (var step in Steps)
            {
                var silos = nl.Silos;
                if (silos.Count == 0)
                {
                    await Task.Delay(50, CancellationToken.None);
                    continue;
                }

                var node = AdministrationCluster.NodeOf(silos[call++ % silos.Count]);
                try
                {
                    var grain = node.Grains.GetGrain<IAeoOperatorGrain>(number);
                    var view = step switch
                    {
                        "aeo.certified" => await grain.Certify(new CertifyAeoOperator($"Operator {officer}-{n} B.V.", "Havenstraat 1, Rotterdam", "AEOF", new DateOnly(2026, 1, 1), null)),
                        "aeo.amended" => await grain.Amend(new AmendAeoOperator($"Operator {officer}-{n} Logistics B.V.", "Havenstraat 2, Rotterdam")),
                        _ => await grain.Suspend(new SuspendAeoCertification("Audit finding under review")),
                    };
                    _calls.Enqueue(new OfficerCall(number, step, view, null));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _calls.Enqueue(new OfficerCall(number, step, null, e));
                    // The operator's next step may depend on this one: start a fresh operator.
                    break;
                }
            }
        }
    }
}
