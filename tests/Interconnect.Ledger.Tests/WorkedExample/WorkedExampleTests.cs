using System.Text.Json;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Signing;

namespace Interconnect.Ledger.Tests.WorkedExample;

/// <summary>
/// Checks every value of the worked example in docs/ledger-format.md (TestData/worked-example.json):
/// rebuilt by this library from the inputs, and recomputed or verified independently with openssl.
/// </summary>
public sealed class WorkedExampleTests
{
    private static readonly JsonElement Example =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "worked-example.json"))).RootElement;

    private static JsonElement EntryJson(int i) => Example.GetProperty("entries")[i];

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [Fact]
    public void Key_PublicKeyAndKeyIdFollowFromThePrivateScalar()
    {
        using var signer = EcdsaP256Signer.FromPrivateScalar(Hex(Example, "privateKeyScalar"));

        Assert.Equal(Str(Example, "publicKeySpki"), Convert.ToHexStringLower(signer.PublicKey.SubjectPublicKeyInfo));
        Assert.Equal(Str(Example, "keyId"), signer.KeyId);
        Assert.Equal(Str(Example, "keyId"), OpenSsl.Sha256(Hex(Example, "publicKeySpki"))[..32]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Entry_RebuiltFromItsInputs_MatchesEveryByte(int index)
    {
        var json = EntryJson(index);
        var fields = json.GetProperty("fields").EnumerateArray()
            .Select(f => new DisclosedField(Str(f, "name"), Str(f, "value"), Hex(f, "salt"))).ToList();
        foreach (var (field, f) in fields.Zip(json.GetProperty("fields").EnumerateArray()))
        {
            Assert.Equal(Str(f, "digest"), field.Digest().ToString());
        }

        var body = new EntryBody(
            Str(json, "origin"), Str(json, "entityKind"), Str(json, "entityId"), json.GetProperty("sequence").GetUInt64(),
            Hash256.FromHex(Str(json, "previousHash")), DateTimeOffset.Parse(Str(json, "timestamp"), System.Globalization.CultureInfo.InvariantCulture),
            Str(json, "entryType"), SealedPayload.FromSalted(fields).Commitments, Str(json, "keyId"), (SignatureAlgorithm)json.GetProperty("algorithm").GetInt32());

        Assert.Equal(json.GetProperty("timestampMicros").GetInt64(), body.TimestampMicros);
        Assert.Equal(Str(json, "signingInput"), Convert.ToHexStringLower(body.SigningInput));
        Assert.Equal(Str(json, "entryHash"), body.Hash.ToString());
        var entry = new LedgerEntry(body, Hex(json, "signature"));
        Assert.Equal(Str(json, "encoded"), Convert.ToHexStringLower(entry.Encode()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Entry_HashAndSignature_CheckWithOpenSsl(int index)
    {
        var json = EntryJson(index);
        var input = Hex(json, "signingInput");

        Assert.Equal(Str(json, "entryHash"), OpenSsl.Sha256(input));
        Assert.Equal("Verified OK", OpenSsl.VerifyP1363(Str(Example, "publicKeyPem"), input, Hex(json, "signature")));
    }

    [Fact]
    public void OpenSsl_RejectsTheSignatureOverAlteredBytes()
    {
        var input = Hex(EntryJson(0), "signingInput");
        input[^3] ^= 1;

        Assert.Contains("Verification failure", OpenSsl.VerifyP1363(Str(Example, "publicKeyPem"), input, Hex(EntryJson(0), "signature")), StringComparison.Ordinal);
    }

    [Fact]
    public void Chain_VerifiesWithTheExampleKey()
    {
        var keys = new StaticKeyResolver([("NL", PublicKey.FromSubjectPublicKeyInfo(Hex(Example, "publicKeySpki")))]);
        var entries = Enumerable.Range(0, 2).Select(i => LedgerEntry.Decode(Hex(EntryJson(i), "encoded")).Value!).ToList();

        var result = ChainVerifier.Verify(entries, keys);

        Assert.True(result.IsValid, result.Fault?.Describe());
        Assert.Equal(2, result.Verified);
    }

    [Fact]
    public void MerkleRootAndProof_MatchOpenSslHashing()
    {
        var leaf0 = OpenSsl.Sha256([0x00, .. Hex(EntryJson(0), "entryHash")]);
        var leaf1 = OpenSsl.Sha256([0x00, .. Hex(EntryJson(1), "entryHash")]);
        var root = OpenSsl.Sha256([0x01, .. Convert.FromHexString(leaf0), .. Convert.FromHexString(leaf1)]);
        var merkle = Example.GetProperty("merkle");
        var proofJson = merkle.GetProperty("inclusionProofOfLeaf1");

        Assert.Equal(Str(EntryJson(0), "leafHash"), leaf0);
        Assert.Equal(Str(EntryJson(1), "leafHash"), leaf1);
        Assert.Equal(Str(merkle, "root"), root);
        Assert.Equal(leaf0, proofJson.GetProperty("path")[0].GetString());
        var proof = InclusionProof.Decode(Hex(proofJson, "encoded"));
        Assert.True(proof.Ok, proof.Error?.Message);
        Assert.True(MerkleVerifier.VerifyInclusion(Hash256.FromHex(leaf1), proof.Value!, Hash256.FromHex(root)).IsValid);
    }

    [Fact]
    public void Checkpoint_MatchesAndVerifiesWithOpenSsl()
    {
        var json = Example.GetProperty("checkpoint");
        var decoded = SignedCheckpoint.Decode(Hex(json, "encoded"));
        Assert.True(decoded.Ok, decoded.Error?.Message);
        var keys = new StaticKeyResolver([("NL", PublicKey.FromSubjectPublicKeyInfo(Hex(Example, "publicKeySpki")))]);

        Assert.Null(decoded.Value!.Verify(keys));
        Assert.Equal(Str(json, "signingInput"), Convert.ToHexStringLower(decoded.Value.SigningInput));
        Assert.Equal(Str(json, "root"), decoded.Value.Checkpoint.RootHash.ToString());
        Assert.Equal("Verified OK", OpenSsl.VerifyP1363(Str(Example, "publicKeyPem"), Hex(json, "signingInput"), Hex(json, "signature")));
    }
}
