using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;
using Interconnect.Ledger.Tests.Support;

namespace Interconnect.Ledger.Tests.Chains;

public sealed class ChainVerifierTests : IDisposable
{
    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();
    private readonly StaticKeyResolver _keys;

    public ChainVerifierTests() => _keys = new StaticKeyResolver([("NL", _signer.PublicKey)]);

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void Verify_ValidChain_VerifiesEveryEntry()
    {
        var chain = new EntryFactory(_signer).Chain(10);

        var result = ChainVerifier.Verify(chain, _keys);

        Assert.True(result.IsValid, result.Fault?.Describe());
        Assert.Equal(10, result.Verified);
        Assert.Equal(chain[^1].Hash, result.Head);
    }

    [Fact]
    public void Verify_MissingEntry_ReportsSequenceGap()
    {
        var chain = new EntryFactory(_signer).Chain(5);
        chain.RemoveAt(2);

        var result = ChainVerifier.Verify(chain, _keys);

        var gap = Assert.IsType<EntryFault.SequenceGap>(result.Fault);
        Assert.Equal(3UL, gap.Expected);
        Assert.Equal(4UL, gap.Actual);
        Assert.Equal(2, result.Verified);
    }

    [Fact]
    public void Verify_ChainNotStartingAtOne_ReportsSequenceGap()
    {
        var chain = new EntryFactory(_signer).Chain(3);

        var fault = Assert.IsType<EntryFault.SequenceGap>(ChainVerifier.Verify(chain.Skip(1), _keys).Fault);

        Assert.Equal(1UL, fault.Expected);
    }

    [Fact]
    public void Verify_ForkedEntry_ReportsHashMismatchWithBothHashes()
    {
        var factory = new EntryFactory(_signer);
        var chain = factory.Chain(3);
        var forkBody = new EntryBody(
            "NL", "aeo-operator", "NL-AEO-0001", 2, Hash256.Of([9]), EntryFactory.Start.AddMinutes(2),
            "aeo.suspended", [], _signer.KeyId, _signer.Algorithm);
        chain[1] = LedgerEntry.Sign(forkBody, _signer);

        var fault = Assert.IsType<EntryFault.HashMismatch>(ChainVerifier.Verify(chain, _keys).Fault);

        Assert.Equal(chain[0].Hash, fault.Expected);
        Assert.Equal(Hash256.Of([9]), fault.Actual);
    }

    [Fact]
    public void Verify_SignatureByAnotherKey_ReportsUnknownKey()
    {
        using var stranger = EcdsaP256Signer.Generate();
        var factory = new EntryFactory(_signer);
        var chain = new List<LedgerEntry> { factory.Next().Entry, factory.Next(by: stranger).Entry };

        var fault = Assert.IsType<EntryFault.UnknownKey>(ChainVerifier.Verify(chain, _keys).Fault);

        Assert.Equal(stranger.KeyId, fault.KeyId);
    }

    [Fact]
    public void Verify_TamperedSignature_ReportsBadSignature()
    {
        var entry = new EntryFactory(_signer).Next().Entry;
        var signature = entry.Signature.ToArray();
        signature[10] ^= 0x40;
        var tampered = new LedgerEntry(entry.Body, signature);

        var fault = Assert.IsType<EntryFault.BadSignature>(ChainVerifier.Verify([tampered], _keys).Fault);

        Assert.Equal(_signer.KeyId, fault.KeyId);
    }

    [Fact]
    public void Verify_TimestampGoingBackwards_IsReported()
    {
        var factory = new EntryFactory(_signer);
        var chain = new List<LedgerEntry>
        {
            factory.Next(at: EntryFactory.Start.AddHours(1)).Entry,
            factory.Next(at: EntryFactory.Start).Entry,
        };

        var fault = Assert.IsType<EntryFault.TimestampWentBackwards>(ChainVerifier.Verify(chain, _keys).Fault);

        Assert.Equal(EntryFactory.Start.AddHours(1), fault.Previous);
    }

    [Fact]
    public void Verify_EntryOfAnotherEntity_ReportsWrongEntity()
    {
        var chain = new EntryFactory(_signer).Chain(1);
        var other = new EntryFactory(_signer, id: "NL-AEO-0002").Chain(2);
        chain.Add(other[1]);

        Assert.IsType<EntryFault.WrongEntity>(ChainVerifier.Verify(chain, _keys).Fault);
    }

    [Fact]
    public void Verify_KeyNotValidAtTime_IsReportedWithTheWindow()
    {
        var rotatedAt = EntryFactory.Start.AddMinutes(2);
        var resolver = new WindowResolver(_signer.PublicKey, EntryFactory.Start, rotatedAt);
        var chain = new EntryFactory(_signer).Chain(3);

        var result = ChainVerifier.Verify(chain, resolver);

        var fault = Assert.IsType<EntryFault.KeyNotValidAtTime>(result.Fault);
        Assert.Equal(2UL, fault.Sequence);
        Assert.Equal(rotatedAt, fault.ValidUntil);
        Assert.Equal(1, result.Verified);
    }

    [Fact]
    public void Verify_Incremental_ContinuesFromAKnownHead()
    {
        var chain = new EntryFactory(_signer).Chain(6);

        var result = ChainVerifier.Verify(chain.Skip(3), _keys, after: chain[2].Body);

        Assert.True(result.IsValid, result.Fault?.Describe());
        Assert.Equal(3, result.Verified);
    }

    [Fact]
    public void Describe_SaysWhatAndWhere()
    {
        var fault = new EntryFault.SequenceGap(7, 9);

        Assert.Equal("Sequence 7 expected, 9 given.", fault.Describe());
    }

    private sealed class WindowResolver(PublicKey key, DateTimeOffset from, DateTimeOffset until) : IKeyResolver
    {
        public KeyLookup Resolve(string origin, string keyId, DateTimeOffset at) =>
            keyId != key.KeyId ? new KeyLookup.Unknown()
            : at >= from && at < until ? new KeyLookup.Found(key)
            : new KeyLookup.NotValidAt(from, until, "rotated");
    }
}
