using Interconnect.Ledger.Audit;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;
using Interconnect.Ledger.Tests.Support;

namespace Interconnect.Ledger.Tests.Audit;

/// <summary>
/// NL's log with an AEO's four entries interleaved with a shipment's two, a signed checkpoint over it,
/// and the derived key set of NL's key: the material of valid bundles that tests then tamper with.
/// </summary>
internal sealed class AuditSample : IDisposable
{
    public const string Origin = "NL";
    public const string AeoNumber = "NLAEOF0000123";
    public const string Ucr = "6NL123456789-2026-0001";

    public static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<Hash256, long> _leafOf = [];

    public AuditSample(EcdsaP256Signer? signer = null, IReadOnlyList<DisclosedEntry>? keySet = null)
    {
        Signer = signer ?? EcdsaP256Signer.Generate();
        KeySet = keySet ?? [DerivedKeySet.Genesis(Origin, Signer)];
        var aeo = new EntryFactory(Signer, Origin, "aeo-operator", AeoNumber);
        var shipment = new EntryFactory(Signer, Origin, "shipment", Ucr);

        // Log order: aeo#1, ship#1, aeo#2, aeo#3, ship#2, aeo#4 (one minute apart).
        var at = Start;
        Append(Aeo, aeo.Next("aeo.certified", new Dictionary<string, string> { ["name"] = "Example Logistics B.V.", ["status"] = "certified" }, at));
        Append(Shipment, shipment.Next("shipment.declared", new Dictionary<string, string> { ["status"] = "declared", ["importer"] = "JP" }, at = at.AddMinutes(1)));
        Append(Aeo, aeo.Next("aeo.suspended", new Dictionary<string, string> { ["reason"] = "Audit finding 2026-17", ["status"] = "suspended" }, at = at.AddMinutes(1)));
        Append(Aeo, aeo.Next("aeo.reinstated", new Dictionary<string, string> { ["status"] = "reinstated" }, at = at.AddMinutes(1)));
        Append(Shipment, shipment.Next("shipment.released", new Dictionary<string, string> { ["status"] = "released" }, at = at.AddMinutes(1)));
        Append(Aeo, aeo.Next("aeo.revoked", new Dictionary<string, string> { ["reason"] = "Closed", ["status"] = "revoked" }, at.AddMinutes(1)));

        Checkpoint = SignedCheckpoint.Sign(new Checkpoint(Origin, Log.Size, Log.Root(), Start.AddHours(1)), Signer);
    }

    public EcdsaP256Signer Signer { get; }

    public IReadOnlyList<DisclosedEntry> KeySet { get; }

    public MerkleLog Log { get; } = new();

    public List<DisclosedEntry> Aeo { get; } = [];

    public List<DisclosedEntry> Shipment { get; } = [];

    public SignedCheckpoint Checkpoint { get; }

    public AuditBundle EntityBundle() =>
        AuditBundle.Create(Origin, new AuditScope.Entity("aeo-operator", AeoNumber), Start.AddHours(2), KeySet, Checkpoint, Aeo.Select(Prove));

    public AuditBundle RangeBundle(DateTimeOffset from, DateTimeOffset to) =>
        AuditBundle.Create(
            Origin,
            new AuditScope.LogRange(from, to),
            Start.AddHours(2),
            KeySet,
            Checkpoint,
            Aeo.Concat(Shipment).Where(e => e.Entry.Body.Timestamp >= from && e.Entry.Body.Timestamp < to).OrderBy(e => _leafOf[e.Entry.Hash]).Select(Prove));

    public ProvenEntry Prove(DisclosedEntry entry) => new(entry, Log.ProveInclusion(_leafOf[entry.Entry.Hash], Log.Size));

    public void Dispose() => Signer.Dispose();

    private void Append(List<DisclosedEntry> into, DisclosedEntry entry)
    {
        into.Add(entry);
        _leafOf[entry.Entry.Hash] = Log.AppendEntry(entry.Entry.Hash);
    }
}
