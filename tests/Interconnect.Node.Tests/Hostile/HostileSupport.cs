using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.MraAgreements;
using Interconnect.Grains.Shipments;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Replication;
using Interconnect.Node.Telemetry;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Hostile;

/// <summary>
/// The node Meters' counters that the hostile cases read (rejections, endorsements, replicated entries,
/// alarms), per node and tag set. Started before the nodes so nothing is missed.
/// </summary>
public sealed class HostileMeter : IDisposable
{
    private static readonly string[] Instruments = [MetricNames.EntriesRejected, MetricNames.EntriesEndorsed, MetricNames.EntriesReplicated, MetricNames.MeshAlarms, MetricNames.ApiRefused];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(object Node, string Instrument, string Tags), long> _totals = new();

    public HostileMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.Meter && instrument.Meter.Scope is NodeTelemetry && Instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var parts = new List<string>();
            foreach (var tag in tags)
            {
                parts.Add($"{tag.Key}={tag.Value}");
            }

            parts.Sort(StringComparer.Ordinal);
            _totals.AddOrUpdate((instrument.Meter.Scope!, instrument.Name, string.Join('|', parts)), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    /// <summary>A counter's total at <paramref name="node"/> over the series carrying every tag given (as name=value).</summary>
    public long Total(NodeTelemetry node, string instrument, params string[] tags) =>
        _totals.Where(e => ReferenceEquals(e.Key.Node, node) && e.Key.Instrument == instrument && tags.All(t => e.Key.Tags.Split('|').Contains(t))).Sum(e => e.Value);

    /// <summary>Rejections counted at <paramref name="node"/>: issued by it, or received from partners, with a reason.</summary>
    public long Rejections(NodeTelemetry node, string direction, string reason) =>
        Total(node, MetricNames.EntriesRejected, $"{MetricNames.DirectionTag}={direction}", $"{MetricNames.ReasonTag}={reason}");

    public void Dispose() => _listener.Dispose();
}

/// <summary>Three in-memory nodes (NL, JP, BE) that have played the demo scenario, with the meter listening from the start.</summary>
public sealed class HostileMeshFixture : IAsyncLifetime
{
    public HostileMeter Meter { get; } = new();

    public DemoMesh Mesh { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Mesh = await DemoMesh.StartAsync(["NL", "JP", "BE"], FreePorts.Consecutive(3)).ConfigureAwait(false);
        await new DemoScenario(Mesh, TextWriter.Null).RunAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        await Mesh.DisposeAsync().ConfigureAwait(false);
        Meter.Dispose();
    }
}

/// <summary>
/// What a receiver holds: every entity's head (all origins, all shared kinds), the size of its Merkle
/// log, and how far it has taken each partner's stream. Compared as text so a difference reads well.
/// </summary>
public static class StoredState
{
    private static readonly string[] Kinds = [AeoOperatorGrain.EntityKind, ShipmentGrain.EntityKind, MraAgreementGrain.EntityKind];

    public static async Task<string> TakeAsync(AdministrationNode node, params string[] extraOrigins)
    {
        var lines = new List<string>();
        foreach (var origin in node.Partners.Append(node.Id).Concat(extraOrigins).Distinct().Order(StringComparer.Ordinal))
        {
            foreach (var kind in Kinds)
            {
                await foreach (var key in node.Store.Entities.ListAsync(origin, kind).ConfigureAwait(false))
                {
                    var head = await node.Store.Entities.GetHeadAsync(key).ConfigureAwait(false);
                    lines.Add($"{key}: {head?.LastSequence} {head?.LastHash}");
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        lines.Add($"log size {await node.Store.Log.GetSizeAsync().ConfigureAwait(false)}");
        foreach (var partner in node.Partners.Order(StringComparer.Ordinal))
        {
            var stream = await node.StreamFromAsync(partner).ConfigureAwait(false);
            var link = await node.Grains.GetGrain<IPartnerLinkGrain>(partner).Status().ConfigureAwait(false);
            lines.Add($"partner {partner}: received through {stream.ReceivedThrough}, acknowledged through {link.Acknowledged}, checkpoint {stream.CheckpointSize}");
        }

        return string.Join('\n', lines);
    }
}

/// <summary>One row of the hostile-input table, written to artifacts/reliability/hostile/&lt;case&gt;.json.</summary>
public sealed record HostileRow(int Order, string Case, string Input, string Expected, string Observed, string Counted, string StoredState)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public void Write()
    {
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "reliability", "hostile");
        Directory.CreateDirectory(directory);
        var json = JsonSerializer.Serialize(this, Json);
        File.WriteAllText(Path.Combine(directory, Case + ".json"), json);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Interconnect.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Interconnect.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Crafts entries as a hostile or faulty sender would put them on a link.</summary>
public static class Crafted
{
    /// <summary>An AEO entry claiming <paramref name="origin"/>, signed by <paramref name="signer"/> under <paramref name="keyId"/>.</summary>
    public static DisclosedEntry Entry(
        string origin, string kind, string id, ulong sequence, Hash256 previous, IReadOnlyDictionary<string, string> fields, ISigner signer, string? keyId = null, string type = "aeo.reinstated", TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var payload = SealedPayload.Seal(fields);
        var body = new EntryBody(
            origin, kind, id, sequence, previous, EntryBody.TruncateToMicros((time ?? TimeProvider.System).GetUtcNow()),
            type, payload.Commitments, keyId ?? signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(new LedgerEntry(body, signer.Sign(body.SigningInput)), payload.Fields);
    }

    public static WireEntry Wire(DisclosedEntry entry) => WireCodec.ToWire(entry);

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..12];
}

/// <summary>The common steps of a hostile case on the in-memory mesh: a quiet mesh, the state before, the state after.</summary>
public abstract class HostileCaseBase(HostileMeshFixture fixture)
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    protected DemoMesh Mesh => fixture.Mesh;

    protected HostileMeter Meter => fixture.Meter;

    protected AdministrationNode Node(string administration) => Mesh.Service<AdministrationNode>(administration);

    protected NodeTelemetry Telemetry(string administration) => Mesh.Service<NodeTelemetry>(administration);

    protected IMeshQueries Queries(string administration) => Mesh.Service<IMeshQueries>(administration);

    protected long Issued(string at, string reason) => Meter.Rejections(Telemetry(at), MetricNames.Issued, reason);

    protected long Received(string at, string reason) => Meter.Rejections(Telemetry(at), MetricNames.Received, reason);

    protected long Counted(string at, string reason) => Queries(at).RejectionsByReason.GetValueOrDefault(reason);

    protected long EndorsementsIssued(string at) => Meter.Total(Telemetry(at), MetricNames.EntriesEndorsed, $"{MetricNames.DirectionTag}={MetricNames.Issued}");

    /// <summary>Waits until every link between the three nodes has nothing unacknowledged, so the state is settled.</summary>
    protected async Task QuietAsync()
    {
        foreach (var administration in Mesh.Administrations)
        {
            var queries = Queries(administration);
            await DemoMesh.WaitForAsync(async () => (await queries.GetLinksAsync()).All(l => l.Backlog == 0), Deadline, administration + "'s links to drain");
        }
    }

    /// <summary>Sends a message on <paramref name="from"/>'s own link to <paramref name="to"/>, as a compromised or faulty sender would.</summary>
    protected Task SendAsync<T>(string from, string to, T message)
        where T : class => Mesh.Service<IPartnerChannel>(from).SendAsync(to, message);

    /// <summary>Puts a message straight into <paramref name="to"/>'s inbound queue (a sender with no link of its own).</summary>
    protected async Task SendDirectAsync<T>(string to, T message)
        where T : class
    {
        var bus = Mesh.Mesh.Find(to)!;
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + QueueNames.Inbound(to)));
        await endpoint.Send(message);
    }

    protected static Task WaitAsync(Func<bool> condition, string what) =>
        DemoMesh.WaitForAsync(() => Task.FromResult(condition()), Deadline, what);

    /// <summary>Gives a message that should change nothing the time to change something if it wrongly would.</summary>
    protected static Task SettleAsync() => Task.Delay(300);
}
