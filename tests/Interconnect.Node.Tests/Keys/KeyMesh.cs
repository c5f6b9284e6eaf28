using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Configuration;
using Interconnect.Node.Demo;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Node.Telemetry;
using Interconnect.Node.Tests.Hostile;
using Interconnect.Node.Transport.Tests;
using Interconnect.Storage;

namespace Interconnect.Node.Tests.Keys;

/// <summary>
/// NL, JP and BE in one process on the in-memory bus or the real RabbitMQ, storage in memory or on Azurite, with
/// NL holding two more private keys in files (a staged next key and a standby) and the NL-JP MRA in
/// force. The meter listens from before the start.
/// </summary>
public sealed class KeyMesh : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _directory;
    private readonly IReadOnlyList<TestVirtualHost> _virtualHosts;

    private KeyMesh(string directory, IReadOnlyList<TestVirtualHost> virtualHosts, DemoMesh mesh, HostileMeter meter, string nextKeyId, string standbyKeyId)
    {
        _directory = directory;
        _virtualHosts = virtualHosts;
        Mesh = mesh;
        Meter = meter;
        NextKeyId = nextKeyId;
        StandbyKeyId = standbyKeyId;
    }

    public DemoMesh Mesh { get; }

    /// <summary>Every receipt that reached NL in an acknowledgement, decoded (in-memory bus).</summary>
    public ReceiptWatch AtNl { get; } = new();

    public HostileMeter Meter { get; }

    /// <summary>The key NL holds to rotate to.</summary>
    public string NextKeyId { get; }

    /// <summary>The key NL holds as a standby.</summary>
    public string StandbyKeyId { get; }

    /// <summary>Starts the three nodes; with <paramref name="rabbitMq"/> each on its own virtual host of the real broker, linked by forwarders.</summary>
    public static async Task<KeyMesh> StartAsync(bool azurite = false, bool rabbitMq = false)
    {
        var directory = Directory.CreateTempSubdirectory("interconnect-keys-").FullName;
        using var next = EcdsaP256Signer.Generate();
        using var standby = EcdsaP256Signer.Generate();
        var nextFile = Path.Combine(directory, "next.pem");
        var standbyFile = Path.Combine(directory, "standby.pem");
        await File.WriteAllTextAsync(nextFile, next.ExportPrivateKeyPem());
        await File.WriteAllTextAsync(standbyFile, standby.ExportPrivateKeyPem());
        var connection = Environment.GetEnvironmentVariable("INTERCONNECT_TEST_AZURITE");
        if (azurite)
        {
            Assert.False(string.IsNullOrEmpty(connection), "INTERCONNECT_TEST_AZURITE is not set: run the tests with scripts/test.sh, which starts Azurite.");
        }

        var run = Guid.NewGuid().ToString("N")[..8];
        var virtualHosts = new Dictionary<string, TestVirtualHost>(StringComparer.Ordinal);
        if (rabbitMq)
        {
            foreach (var administration in new[] { "NL", "JP", "BE" })
            {
                virtualHosts[administration] = await TestBroker.CreateVirtualHostAsync(administration);
            }
        }

        var meter = new HostileMeter();
        var mesh = await DemoMesh.StartAsync(["NL", "JP", "BE"], FreePorts.Consecutive(3), configure: options =>
        {
            if (options.AdministrationId == "NL")
            {
                options.AdditionalSigningKeyFiles.Add(nextFile);
                options.AdditionalSigningKeyFiles.Add(standbyFile);
            }

            if (rabbitMq)
            {
                options.Transport = new TransportOptions { Kind = TransportKinds.RabbitMq, BrokerUri = virtualHosts[options.AdministrationId].Uri };
                foreach (var partner in options.Partners)
                {
                    partner.Link = virtualHosts[partner.Id].Uri;
                }
            }

            if (azurite)
            {
                options.Storage = new StorageOptions { Provider = StorageProviders.AzureTable, ConnectionString = connection, TablePrefix = $"keys{run}{options.AdministrationId.ToLowerInvariant()}" };
            }
        });
        var keys = new KeyMesh(directory, [.. virtualHosts.Values], mesh, meter, next.KeyId, standby.KeyId);
        try
        {
            mesh.Mesh.Find("NL")?.ConnectConsumeMessageObserver(keys.AtNl);
            await new DemoScenario(mesh, TextWriter.Null).EstablishAgreementAsync();
            await KeyMesh.WaitAsync(() => keys.Node("JP").Keys.HoldsKeySet("NL") && keys.Node("BE").Keys.HoldsKeySet("NL"), "NL's key set at JP and BE");
        }
        catch
        {
            await keys.DisposeAsync();
            throw;
        }

        return keys;
    }

    public AdministrationNode Node(string administration) => Mesh.Service<AdministrationNode>(administration);

    public NodeTelemetry Telemetry(string administration) => Mesh.Service<NodeTelemetry>(administration);

    public IMeshQueries Queries(string administration) => Mesh.Service<IMeshQueries>(administration);

    public NodeHttpClient Client(string administration) => new(administration, Mesh.Client(administration, Roles.Supervisor));

    /// <summary>Rejections with <paramref name="reason"/> issued by <paramref name="at"/>.</summary>
    public long Issued(string at, string reason) => Meter.Rejections(Telemetry(at), MetricNames.Issued, reason);

    /// <summary>Rejections with <paramref name="reason"/> that <paramref name="at"/> received from partners.</summary>
    public long Received(string at, string reason) => Meter.Rejections(Telemetry(at), MetricNames.Received, reason);

    /// <summary>Every rejection <paramref name="at"/> received, whatever the reason.</summary>
    public long ReceivedAny(string at) => Meter.Total(Telemetry(at), MetricNames.EntriesRejected, $"{MetricNames.DirectionTag}={MetricNames.Received}");

    public static Task WaitAsync(Func<bool> condition, string what) => DemoMesh.WaitForAsync(() => Task.FromResult(condition()), Deadline, what);

    public static Task WaitAsync(Func<Task<bool>> condition, string what) => DemoMesh.WaitForAsync(condition, Deadline, what);

    /// <summary>NL certifies AEO <paramref name="number"/>.</summary>
    public Task CertifyAsync(string number) =>
        Node("NL").Grains.GetGrain<IAeoOperatorGrain>(number).Certify(new CertifyAeoOperator("Sleutel B.V.", "Kade 1, Delft", "AEOF", new DateOnly(2026, 3, 1), null));

    /// <summary>Waits until JP holds <paramref name="entity"/> through <paramref name="sequence"/> and NL has recorded JP's endorsement of it.</summary>
    public async Task WaitEndorsedByJpAsync(EntityKey entity, ulong sequence)
    {
        var jp = Node("JP");
        var nl = Node("NL");
        await WaitAsync(async () => (await jp.Store.Entities.GetHeadAsync(entity))?.LastSequence >= sequence, $"{entity} #{sequence} at JP");
        await WaitAsync(
            async () => (await nl.Store.Receipts.ListAsync(entity)).Any(r => r.Issuer == "JP" && r.Sequence == sequence && r.Verdict == Ledger.Receipts.ReceiptVerdict.Endorsed),
            $"JP's endorsement of {entity} #{sequence} at NL");
    }

    /// <summary>Sends a message on NL's own link to <paramref name="to"/>, as a holder of a stolen key would (in-memory bus).</summary>
    public Task SendFromNlAsync<T>(string to, T message)
        where T : class => Mesh.Service<IPartnerChannel>("NL").SendAsync(to, message);

    /// <summary>A key-set entry of NL crafted by hand (as a sender that skips the author's checks would).</summary>
    public static DisclosedEntry CraftKeySetEntry(EntryBody head, KeyEvent keyEvent, ISigner signer, DateTimeOffset at)
    {
        var payload = SealedPayload.Seal(keyEvent.ToFields());
        var body = new EntryBody(
            head.Origin, KeySetFormat.EntityKind, head.Origin, head.Sequence + 1, head.Hash, EntryBody.TruncateToMicros(at),
            keyEvent.EntryType, payload.Commitments, signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(new LedgerEntry(body, signer.Sign(body.SigningInput)), payload.Fields);
    }

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        foreach (var virtualHost in _virtualHosts)
        {
            await virtualHost.DisposeAsync();
        }

        Meter.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Collects the receipts in the acknowledgements a node consumes (rejections of entries it never signed are not stored).</summary>
public sealed class ReceiptWatch : MassTransit.IConsumeMessageObserver<EntriesAcknowledged>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Ledger.Receipts.Receipt> _seen = new();

    public IReadOnlyList<Ledger.Receipts.Receipt> Seen => [.. _seen];

    public Task PreConsume(MassTransit.ConsumeContext<EntriesAcknowledged> context)
    {
        foreach (var bytes in context.Message.Receipts ?? [])
        {
            if (Ledger.Receipts.SignedReceipt.Decode(bytes).Value is { } signed)
            {
                _seen.Enqueue(signed.Receipt);
            }
        }

        return Task.CompletedTask;
    }

    public Task PostConsume(MassTransit.ConsumeContext<EntriesAcknowledged> context) => Task.CompletedTask;

    public Task ConsumeFault(MassTransit.ConsumeContext<EntriesAcknowledged> context, Exception exception) => Task.CompletedTask;
}
