using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Tests.Support;

/// <summary>Builds signed chains for tests.</summary>
internal sealed class EntryFactory(ISigner signer, string origin = "NL", string kind = "aeo-operator", string id = "NL-AEO-0001")
{
    private EntryBody? _last;

    public static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    public ISigner Signer { get; } = signer;

    public DisclosedEntry Next(string type = "aeo.certified", IDictionary<string, string>? fields = null, DateTimeOffset? at = null, ISigner? by = null)
    {
        var key = by ?? Signer;
        var payload = SealedPayload.Seal(fields ?? new Dictionary<string, string> { ["name"] = "Example Logistics B.V.", ["status"] = "certified" });
        var sequence = (_last?.Sequence ?? 0) + 1;
        var body = new EntryBody(
            origin, kind, id, sequence, _last?.Hash ?? Hash256.Zero,
            at ?? Start.AddMinutes((double)sequence), type, payload.Commitments, key.KeyId, key.Algorithm);
        _last = body;
        return new DisclosedEntry(LedgerEntry.Sign(body, key), payload.Fields);
    }

    public List<LedgerEntry> Chain(int count) => Enumerable.Range(0, count).Select(_ => Next().Entry).ToList();
}
