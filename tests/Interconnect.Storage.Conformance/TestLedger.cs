using System.Collections.Immutable;
using System.Globalization;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Receipts;
using Interconnect.Ledger.Signing;

namespace Interconnect.Storage.Conformance;

/// <summary>Builds real signed entries (ECDSA P-256, sealed fields) for storage tests.</summary>
public sealed class TestLedger : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    /// <summary>The key resolver that verifies this ledger's signatures.</summary>
    public IKeyResolver Keys(string origin) => new StaticKeyResolver([(origin, _signer.PublicKey)]);

    /// <summary>One signed entry following <paramref name="previous"/> (or the first when null).</summary>
    public DisclosedEntry Next(EntityKey entity, DisclosedEntry? previous, IEnumerable<KeyValuePair<string, string>>? values = null, string entryType = "aeo.updated") =>
        Next(entity, previous, SealedPayload.Seal, values, entryType);

    /// <summary>As <see cref="Next(EntityKey, DisclosedEntry?, IEnumerable{KeyValuePair{string, string}}?, string)"/>, sealed
    /// through <see cref="SealedFields"/> as the grains seal, so the store may accept the fields without hashing them.</summary>
    public DisclosedEntry NextSealedHere(EntityKey entity, DisclosedEntry? previous, IEnumerable<KeyValuePair<string, string>>? values = null) =>
        Next(entity, previous, SealedFields.Seal, values, "aeo.updated");

    private DisclosedEntry Next(
        EntityKey entity, DisclosedEntry? previous, Func<IEnumerable<KeyValuePair<string, string>>, SealedPayload> seal, IEnumerable<KeyValuePair<string, string>>? values, string entryType)
    {
        var sequence = previous is null ? 1UL : previous.Entry.Body.Sequence + 1;
        var previousHash = previous?.Entry.Hash ?? Hash256.Zero;
        var payload = seal(values ?? DefaultValues(sequence));
        var body = new EntryBody(
            entity.Origin, entity.Kind, entity.Id, sequence, previousHash,
            Epoch.AddSeconds(sequence), entryType, payload.Commitments, _signer.KeyId, _signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, _signer), payload.Fields);
    }

    /// <summary>A chain of <paramref name="count"/> entries continuing after <paramref name="previous"/>.</summary>
    public IReadOnlyList<DisclosedEntry> Chain(EntityKey entity, int count, DisclosedEntry? previous = null)
    {
        var entries = new List<DisclosedEntry>(count);
        for (var i = 0; i < count; i++)
        {
            previous = Next(entity, previous);
            entries.Add(previous);
        }

        return entries;
    }

    /// <summary>
    /// A receipt for <paramref name="entry"/> as the store keeps it, holding a real receipt signed on
    /// behalf of <paramref name="issuer"/> (with this ledger's key) and received at <paramref name="receivedAt"/>.
    /// </summary>
    public StoredReceipt ReceiptFor(DisclosedEntry entry, string issuer, ReceiptVerdict verdict = ReceiptVerdict.Endorsed, DateTimeOffset? receivedAt = null)
    {
        var body = entry.Entry.Body;
        var at = receivedAt ?? Epoch.AddHours(1);
        var reason = verdict is ReceiptVerdict.Rejected or ReceiptVerdict.BusinessRejected ? $"{issuer} refuses entry {body.Sequence}" : string.Empty;
        var receipt = new Receipt(issuer, body.Origin, body.EntityKind, body.EntityId, body.Sequence, body.Hash, verdict, reason, at);
        return new StoredReceipt(EntityKey.Of(body), body.Sequence, body.Hash, issuer, verdict, SignedReceipt.Sign(receipt, _signer).Encode(), at);
    }

    /// <summary>The entry with one disclosed value altered (its digest no longer matches).</summary>
    public static DisclosedEntry Tampered(DisclosedEntry entry) =>
        entry with { Fields = entry.Fields.SetItem(0, entry.Fields[0] with { Value = entry.Fields[0].Value + "!" }) };

    /// <summary>A log leaf for an entry.</summary>
    public static LogLeaf Leaf(long index, DisclosedEntry entry) =>
        new(index, entry.Entry.Hash, EntityKey.Of(entry.Entry.Body), entry.Entry.Body.Sequence);

    /// <summary>Leaves with random hashes, for log tests that need no real entries.</summary>
    public static IReadOnlyList<LogLeaf> RandomLeaves(long from, int count, EntityKey? entity = null)
    {
        entity ??= new EntityKey("GB", "shipment", "UCR-1");
        return Enumerable.Range(0, count)
            .Select(i => new LogLeaf(from + i, Hash256.Of(Guid.NewGuid().ToByteArray()), entity, (ulong)(from + i + 1)))
            .ToArray();
    }

    /// <summary>Default payload: a few small, realistic AEO fields.</summary>
    public static IEnumerable<KeyValuePair<string, string>> DefaultValues(ulong sequence) =>
    [
        new("aeo.name", "Example Exports Ltd"),
        new("aeo.status", sequence % 2 == 0 ? "suspended" : "certified"),
        new("aeo.update", sequence.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Field values that total <paramref name="totalBytes"/> UTF-8 bytes over <paramref name="fieldCount"/> fields,
    /// with multi-byte characters, quotes, backslashes and control characters that a careless encoder would mangle.</summary>
    public static IEnumerable<KeyValuePair<string, string>> LargeValues(int fieldCount, int totalBytes, int nameLength = 16)
    {
        var each = totalBytes / fieldCount;
        const string Awkward = "\"\\\u0001\t\r\n/#?'é€𝄞";
        var awkwardBytes = System.Text.Encoding.UTF8.GetByteCount(Awkward);
        for (var i = 0; i < fieldCount; i++)
        {
            var name = ("f" + i.ToString("D4", CultureInfo.InvariantCulture)).PadRight(nameLength, 'x');
            var filler = new string((char)('a' + (i % 26)), each - awkwardBytes);
            yield return new(name, Awkward + filler);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _signer.Dispose();
}

/// <summary>Compares stored entries with what was appended, byte for byte.</summary>
public static class EntryAssert
{
    public static void Same(DisclosedEntry expected, DisclosedEntry actual)
    {
        Assert.Equal(expected.Entry.Encode(), actual.Entry.Encode());
        Assert.Equal(expected.Fields.Length, actual.Fields.Length);
        for (var i = 0; i < expected.Fields.Length; i++)
        {
            Assert.Equal(expected.Fields[i].Name, actual.Fields[i].Name);
            Assert.Equal(expected.Fields[i].Value, actual.Fields[i].Value);
            Assert.Equal(expected.Fields[i].Salt, actual.Fields[i].Salt);
        }

        Assert.Null(actual.VerifyFields());
    }

    public static void Same(IReadOnlyList<DisclosedEntry> expected, IReadOnlyList<DisclosedEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Same(expected[i], actual[i]);
        }
    }

    public static ImmutableArray<LedgerEntry> Entries(IEnumerable<DisclosedEntry> entries) => entries.Select(e => e.Entry).ToImmutableArray();
}

/// <summary>Compares stored receipts with what was saved, field by field and byte for byte.</summary>
public static class ReceiptAssert
{
    public static void Same(IReadOnlyList<StoredReceipt> expected, IReadOnlyList<StoredReceipt> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Entity, e.Sequence, e.EntryHash, e.Issuer, e.Verdict), (a.Entity, a.Sequence, a.EntryHash, a.Issuer, a.Verdict));
            Assert.Equal(e.SignedReceipt, a.SignedReceipt);
            Assert.Equal(e.ReceivedAt, a.ReceivedAt);
            Assert.Equal(e.ReceivedAt.Offset, a.ReceivedAt.Offset);
        }
    }
}
