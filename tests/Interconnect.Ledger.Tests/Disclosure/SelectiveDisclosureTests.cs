using System.Collections.Immutable;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Signing;
using Interconnect.Ledger.Tests.Support;

namespace Interconnect.Ledger.Tests.Disclosure;

public sealed class SelectiveDisclosureTests : IDisposable
{
    private static readonly Dictionary<string, string> AeoFields = new()
    {
        ["aeoNumber"] = "NLAEOF0000123",
        ["name"] = "Example Logistics B.V.",
        ["address"] = "Havenstraat 1, 3011 Rotterdam",
        ["status"] = "certified",
        ["riskScore"] = "0.12",
    };

    private readonly EcdsaP256Signer _signer = EcdsaP256Signer.Generate();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void PartialDisclosure_VerifiesSignatureAndDisclosedFields()
    {
        var full = new EntryFactory(_signer).Next(fields: AeoFields);
        var allowed = new HashSet<string>(["aeoNumber", "name", "status"], StringComparer.Ordinal);
        var shared = full with { Fields = full.Fields.Where(f => allowed.Contains(f.Name)).ToImmutableArray() };

        var fieldFault = shared.VerifyFields();
        var signatureFault = ChainVerifier.VerifySignature(shared.Entry, new StaticKeyResolver([("NL", _signer.PublicKey)]));

        Assert.Null(fieldFault);
        Assert.Null(signatureFault);
        Assert.Equal("certified", shared["status"]);
        Assert.Null(shared["riskScore"]);
        Assert.Equal(["address", "riskScore"], shared.WithheldFieldNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TamperedValue_IsDetectedWithBothDigests()
    {
        var full = new EntryFactory(_signer).Next(fields: AeoFields);
        var forged = full with
        {
            Fields = full.Fields.Select(f => f.Name == "status" ? f with { Value = "suspended" } : f).ToImmutableArray(),
        };

        var fault = Assert.IsType<DisclosureFault.FieldDigestMismatch>(forged.VerifyFields());

        Assert.Equal("status", fault.Name);
        Assert.NotEqual(fault.Expected, fault.Actual);
    }

    [Fact]
    public void FieldNotInTheEntry_IsDetected()
    {
        var full = new EntryFactory(_signer).Next(fields: AeoFields);
        var extra = full with { Fields = full.Fields.Add(new DisclosedField("programme", "AEOF", FieldDigest.NewSalt())) };

        Assert.IsType<DisclosureFault.FieldNotCommitted>(extra.VerifyFields());
    }

    [Fact]
    public void DuplicateField_IsDetected()
    {
        var full = new EntryFactory(_signer).Next(fields: AeoFields);
        var twice = full with { Fields = full.Fields.Add(full.Fields[0]) };

        Assert.IsType<DisclosureFault.DuplicateField>(twice.VerifyFields());
    }

    [Fact]
    public void ShortSalt_IsDetected()
    {
        var full = new EntryFactory(_signer).Next(fields: AeoFields);
        var shortSalt = full with { Fields = [full.Fields[0] with { Salt = new byte[8] }] };

        Assert.IsType<DisclosureFault.BadSalt>(shortSalt.VerifyFields());
    }

    [Fact]
    public void Seal_UsesFreshSaltsSoEqualValuesGiveDifferentDigests()
    {
        var a = SealedPayload.Seal(AeoFields);
        var b = SealedPayload.Seal(AeoFields);

        Assert.All(a.Commitments.Zip(b.Commitments), pair => Assert.NotEqual(pair.First.Digest, pair.Second.Digest));
        Assert.All(a.Fields, f => Assert.True(f.Salt.Length >= 16));
    }

    [Fact]
    public void Seal_DuplicateOrBadNames_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => SealedPayload.Seal([new("a b", "1")]));
        Assert.Throws<ArgumentException>(() => SealedPayload.FromSalted(
            [new DisclosedField("a", "1", FieldDigest.NewSalt()), new DisclosedField("a", "2", FieldDigest.NewSalt())]));
    }

    [Fact]
    public void Seal_OversizedValue_IsRefusedWithTheLimit()
    {
        var error = Assert.Throws<ArgumentException>(() => SealedPayload.Seal([new("doc", new string('x', FieldDigest.MaxValueBytes + 1))]));

        Assert.Contains(FieldDigest.MaxValueBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
