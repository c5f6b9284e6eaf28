using System.Collections.Immutable;
using System.Security.Cryptography;
using Interconnect.Ledger.Audit;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Audit.AuditProblem;

namespace Interconnect.Ledger.Tests.Audit;

public sealed class AuditBundleVerifierTests : IDisposable
{
    private readonly AuditSample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void EntityBundle_Verifies_SelfAnchored_WithTheGenesisFingerprint()
    {
        var result = AuditBundleVerifier.Verify(_sample.EntityBundle());

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems.Select(p => p.Describe())));
        Assert.Equal(4, result.Summary!.Entries);
        Assert.Equal(6, result.Summary.Checkpoint!.TreeSize);
        Assert.True(result.Summary.SignaturesChecked);
        Assert.Equal([_sample.Signer.KeyId], result.Summary.SignerKeyIds.ToArray());
        Assert.True(result.Anchor!.SelfAnchored);
        Assert.Equal(_sample.Signer.KeyId, result.Anchor.GenesisKeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_sample.Signer.PublicKey.SubjectPublicKeyInfo)), result.Anchor.Fingerprint);
    }

    [Fact]
    public void EntityBundle_Verifies_AgainstThePublishedKey()
    {
        var result = AuditBundleVerifier.Verify(_sample.EntityBundle(), AuditVerificationOptions.TrustingKey(_sample.Signer.PublicKey));

        Assert.True(result.IsValid);
        Assert.False(result.Anchor!.SelfAnchored);
    }

    [Fact]
    public void RangeBundle_Verifies_AndHoldsTheLeavesOfTheRangeInLogOrder()
    {
        var bundle = _sample.RangeBundle(AuditSample.Start.AddMinutes(1), AuditSample.Start.AddMinutes(4));

        var result = AuditBundleVerifier.Verify(bundle);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems.Select(p => p.Describe())));
        Assert.Equal(3, result.Summary!.Entries);
    }

    [Fact]
    public void Json_RoundTrips_ByteForByte()
    {
        var bundle = _sample.EntityBundle();
        var json = AuditBundleJson.Encode(bundle);

        var decoded = AuditBundleJson.Decode(json);

        Assert.True(decoded.Ok);
        Assert.Equal(json, AuditBundleJson.Encode(decoded.Bundle!));
        Assert.Equal(bundle.Scope, decoded.Bundle!.Scope);
        Assert.Equal(bundle.Entries[2].Fields.Select(f => (f.Name, f.Value)), decoded.Bundle.Entries[2].Fields.Select(f => (f.Name, f.Value)));
        Assert.True(AuditBundleVerifier.Verify(json).IsValid);
    }

    [Fact]
    public void RangeScope_RoundTrips()
    {
        var bundle = _sample.RangeBundle(AuditSample.Start, AuditSample.Start.AddMinutes(2));

        var decoded = AuditBundleJson.Decode(AuditBundleJson.Encode(bundle));

        Assert.Equal(bundle.Scope, decoded.Bundle!.Scope);
        Assert.True(AuditBundleVerifier.Verify(decoded.Bundle).IsValid);
    }

    [Fact]
    public void PayloadByteFlipped_IsAnInvalidSignature_AndBreaksTheProofAndTheNextLink()
    {
        var bundle = _sample.EntityBundle();
        var entry = bundle.Entries[1].Entry.ToArray();
        // The last byte of the entry type "aeo.suspended", inside the signed bytes.
        var type = System.Text.Encoding.ASCII.GetBytes("aeo.suspended");
        var at = entry.AsSpan().IndexOf(type) + type.Length - 1;
        entry[at] ^= 0x01;

        var result = Verify(WithEntry(bundle, 1, bundle.Entries[1] with { Entry = entry }));

        Assert.Contains(result.Problems, p => p is EntrySignatureInvalid { At.Sequence: 2, At.EntityKind: "aeo-operator", At.EntityId: AuditSample.AeoNumber });
        Assert.Contains(result.Problems, p => p is InclusionProofInvalid { At.Sequence: 2, LeafIndex: 2 });
        Assert.Contains(result.Problems, p => p is ChainBroken { At.Sequence: 3 });
    }

    [Fact]
    public void SignatureFlipped_IsExactlyAnInvalidSignature()
    {
        var bundle = _sample.EntityBundle();
        var entry = bundle.Entries[2].Entry.ToArray();
        entry[^1] ^= 0x80;

        var result = Verify(WithEntry(bundle, 2, bundle.Entries[2] with { Entry = entry }));

        var problem = Assert.Single(result.Problems);
        var invalid = Assert.IsType<EntrySignatureInvalid>(problem);
        Assert.Equal(3UL, invalid.At.Sequence);
        Assert.Equal(_sample.Signer.KeyId, invalid.KeyId);
    }

    [Fact]
    public void EntryRemovedFromTheMiddle_IsAMissingEntry()
    {
        var bundle = _sample.EntityBundle();

        var result = Verify(bundle with { Entries = bundle.Entries.RemoveAt(1) });

        var missing = Assert.IsType<MissingEntry>(Assert.Single(result.Problems));
        Assert.Equal((2UL, 3UL), (missing.ExpectedSequence, missing.FoundSequence));
        Assert.Contains("entry #2 is missing", missing.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesReordered_AreOutOfOrder_NotMissing()
    {
        var bundle = _sample.EntityBundle();
        var e = bundle.Entries;

        var result = Verify(bundle with { Entries = [e[0], e[2], e[1], e[3]] });

        var problem = Assert.IsType<EntryOutOfOrder>(Assert.Single(result.Problems));
        Assert.Equal(2UL, problem.At.Sequence);
        Assert.Equal(2, problem.At.Position);
    }

    [Fact]
    public void InclusionProofAltered_IsAnInvalidProofForThatLeaf()
    {
        var bundle = _sample.EntityBundle();
        var proof = bundle.Entries[3].InclusionProof!.ToArray();
        proof[^1] ^= 0x01;

        var result = Verify(WithEntry(bundle, 3, bundle.Entries[3] with { InclusionProof = proof }));

        var invalid = Assert.IsType<InclusionProofInvalid>(Assert.Single(result.Problems));
        Assert.Equal((4UL, 5L), (invalid.At.Sequence, invalid.LeafIndex));
    }

    [Fact]
    public void CheckpointRootAltered_BreaksItsSignatureAndEveryProof()
    {
        var bundle = _sample.EntityBundle();
        var c = _sample.Checkpoint;
        var forged = new SignedCheckpoint(new Checkpoint(c.Checkpoint.Origin, c.Checkpoint.TreeSize, Hash256.Of([1, 2, 3]), c.Checkpoint.Timestamp), c.KeyId, c.Algorithm, c.Signature);

        var result = Verify(bundle with { Checkpoint = forged.Encode() });

        Assert.Contains(result.Problems, p => p is CheckpointSignatureInvalid { TreeSize: 6 });
        Assert.Equal(4, result.Problems.OfType<InclusionProofInvalid>().Count());
    }

    [Fact]
    public void CheckpointSizeAltered_BreaksItsSignature_AndLeavesTheEntriesOutside()
    {
        var bundle = _sample.EntityBundle();
        var c = _sample.Checkpoint;
        var forged = new SignedCheckpoint(new Checkpoint(c.Checkpoint.Origin, 5, c.Checkpoint.RootHash, c.Checkpoint.Timestamp), c.KeyId, c.Algorithm, c.Signature);

        var result = Verify(bundle with { Checkpoint = forged.Encode() });

        Assert.Contains(result.Problems, p => p is CheckpointSignatureInvalid { TreeSize: 5 });
        Assert.Equal(4, result.Problems.OfType<EntryOutsideCheckpoint>().Count(p => p.ProofTreeSize == 6 && p.CheckpointTreeSize == 5));
    }

    [Fact]
    public void CheckpointSignatureAltered_IsExactlyAnInvalidCheckpointSignature()
    {
        var bundle = _sample.EntityBundle();
        var checkpoint = bundle.Checkpoint.ToArray();
        checkpoint[^5] ^= 0x10;

        var result = Verify(bundle with { Checkpoint = checkpoint });

        Assert.IsType<CheckpointSignatureInvalid>(Assert.Single(result.Problems));
    }

    [Fact]
    public void KeySetOfAnotherKey_WithTheTrustedKey_IsATrustAnchorMismatch()
    {
        using var other = EcdsaP256Signer.Generate();
        var bundle = _sample.EntityBundle() with { KeySet = [new BundledEntry(DerivedKeySet.Genesis("NL", other).Entry.Encode(), DerivedKeySet.Genesis("NL", other).Fields, null)] };

        var result = Verify(bundle, AuditVerificationOptions.TrustingKey(_sample.Signer.PublicKey));

        var mismatch = Assert.IsType<TrustAnchorMismatch>(Assert.Single(result.Problems));
        Assert.Equal((_sample.Signer.KeyId, other.KeyId), (mismatch.TrustedKeyId, mismatch.GenesisKeyId));
        Assert.False(result.Summary!.SignaturesChecked);
    }

    [Fact]
    public void KeySetOfAnotherKey_SelfAnchored_FailsEverySignature_AndShowsTheOtherFingerprint()
    {
        using var other = EcdsaP256Signer.Generate();
        var genesis = DerivedKeySet.Genesis("NL", other);
        var bundle = _sample.EntityBundle() with { KeySet = [new BundledEntry(genesis.Entry.Encode(), genesis.Fields, null)] };

        var result = Verify(bundle);

        Assert.Equal(5, result.Problems.Length);
        Assert.Equal(4, result.Problems.OfType<SignerNotInKeySet>().Count(p => p.At is not null && p.KeyId == _sample.Signer.KeyId));
        Assert.Contains(result.Problems, p => p is SignerNotInKeySet { At: null });
        Assert.Equal(other.KeyId, result.Anchor!.GenesisKeyId);
    }

    [Fact]
    public void KeySetOfAnotherAdministration_IsRefused()
    {
        using var other = EcdsaP256Signer.Generate();
        var genesis = DerivedKeySet.Genesis("JP", other);

        var result = Verify(_sample.EntityBundle() with { KeySet = [new BundledEntry(genesis.Entry.Encode(), genesis.Fields, null)] });

        var invalid = Assert.IsType<KeySetInvalid>(Assert.Single(result.Problems));
        Assert.Contains("JP/key-set/JP", invalid.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DisclosedFieldValueChanged_IsAFieldDigestMismatch()
    {
        var bundle = _sample.EntityBundle();
        var fields = bundle.Entries[1].Fields.Select(f => f.Name == "status" ? f with { Value = "certified" } : f).ToImmutableArray();

        var result = Verify(WithEntry(bundle, 1, bundle.Entries[1] with { Fields = fields }));

        var mismatch = Assert.IsType<FieldDigestMismatch>(Assert.Single(result.Problems));
        Assert.Equal(("status", 2UL), (mismatch.Field, mismatch.At.Sequence));
    }

    [Fact]
    public void KeyRevokedBeforeAnEntry_IsReportedForThatEntry()
    {
        var author = new KeySetAuthor(AuditSample.Origin);
        using var signer = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var chain = new List<DisclosedEntry>
        {
            author.Genesis(signer, AuditSample.Start.AddDays(-1)),
            author.AddKey(signer, second.PublicKey, AuditSample.Start.AddDays(-1).AddMinutes(1)),
        };
        // The AEO's third entry is at Start + 3 min: revoke from Start + 150 s.
        chain.Add(author.Revoke(second, signer.KeyId, AuditSample.Start.AddSeconds(150), "Key leaked", AuditSample.Start.AddHours(3)));
        using var sample = new AuditSample(signer, chain);

        var result = Verify(sample.EntityBundle());

        Assert.Contains(result.Problems, p => p is KeyRevokedAtEntryTime { At.Sequence: 3 } r && r.Reason.Contains("Key leaked", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p is KeyRevokedAtEntryTime { At.Sequence: 4 });
        Assert.Contains(result.Problems, p => p is KeyRevokedAtEntryTime { At: null });
        Assert.DoesNotContain(result.Problems, p => p.Entry is { Sequence: 1 or 2 });
    }

    [Fact]
    public void RangeBundle_EntryOutsideTheRange_IsOutsideScope()
    {
        var bundle = _sample.RangeBundle(AuditSample.Start.AddMinutes(1), AuditSample.Start.AddMinutes(3));
        var early = AuditBundle.Create("NL", bundle.Scope, bundle.ExportedAt, _sample.KeySet, _sample.Checkpoint, [_sample.Prove(_sample.Aeo[0])]);

        var result = Verify(bundle with { Entries = early.Entries.AddRange(bundle.Entries) });

        var outside = Assert.IsType<EntryOutsideScope>(Assert.Single(result.Problems));
        Assert.Equal(0, outside.At.Position);
    }

    [Fact]
    public void EntityBundle_WithAnotherEntitysEntry_IsOutsideScope_Once()
    {
        var bundle = _sample.EntityBundle();
        var foreign = AuditBundle.Create("NL", bundle.Scope, bundle.ExportedAt, _sample.KeySet, _sample.Checkpoint, [_sample.Prove(_sample.Shipment[1])]);

        var result = Verify(bundle with { Entries = bundle.Entries.AddRange(foreign.Entries) });

        var outside = Assert.IsType<EntryOutsideScope>(Assert.Single(result.Problems));
        Assert.Equal(("shipment", 4), (outside.At.EntityKind, outside.At.Position));
    }

    [Fact]
    public void RangeBundle_NotInLogOrder_IsOutOfOrder()
    {
        var bundle = _sample.RangeBundle(AuditSample.Start, AuditSample.Start.AddMinutes(2));

        var result = Verify(bundle with { Entries = [bundle.Entries[1], bundle.Entries[0]] });

        Assert.IsType<EntryOutOfOrder>(Assert.Single(result.Problems));
    }

    [Fact]
    public void TruncatedJson_IsMalformed()
    {
        var json = AuditBundleJson.Encode(_sample.EntityBundle());

        var result = AuditBundleVerifier.Verify(json.AsSpan(0, json.Length / 2));

        var malformed = Assert.IsType<MalformedBundle>(Assert.Single(result.Problems));
        Assert.Equal("$", malformed.Where);
        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("[]")]
    [InlineData("{\"format\":\"interconnect-audit-bundle\"}")]
    public void Garbage_IsMalformed_NeverAnException(string text)
    {
        var result = AuditBundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.IsType<MalformedBundle>(Assert.Single(result.Problems));
    }

    [Fact]
    public void EntryBytesThatDoNotDecode_AreMalformedAtThatEntry_AndTheRestIsStillChecked()
    {
        var bundle = _sample.EntityBundle();

        var result = Verify(WithEntry(bundle, 2, bundle.Entries[2] with { Entry = [1, 2, 3] }));

        Assert.Contains(result.Problems, p => p is MalformedBundle { Where: "entries[2].entry" });
        Assert.Contains(result.Problems, p => p is MissingEntry { ExpectedSequence: 3, FoundSequence: 4 });
    }

    [Fact]
    public void WrongFormatVersion_IsUnsupported()
    {
        var json = System.Text.Encoding.UTF8.GetString(AuditBundleJson.Encode(_sample.EntityBundle())).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal);

        var result = AuditBundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(json));

        var unsupported = Assert.IsType<UnsupportedFormatVersion>(Assert.Single(result.Problems));
        Assert.Equal("2", unsupported.Found);
    }

    [Fact]
    public void UnknownMember_IsMalformed()
    {
        var json = System.Text.Encoding.UTF8.GetString(AuditBundleJson.Encode(_sample.EntityBundle())).Replace("\"origin\":", "\"note\": \"x\", \"origin\":", StringComparison.Ordinal);

        var result = AuditBundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal("note", Assert.IsType<MalformedBundle>(Assert.Single(result.Problems)).Where);
    }

    [Fact]
    public void BadBase64_IsMalformedAtItsPath()
    {
        var bundle = _sample.EntityBundle();
        var json = System.Text.Encoding.UTF8.GetString(AuditBundleJson.Encode(bundle)).Replace(Convert.ToBase64String(bundle.Entries[1].InclusionProof!), "not base64!", StringComparison.Ordinal);

        var result = AuditBundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal("entries[1].inclusionProof", Assert.IsType<MalformedBundle>(Assert.Single(result.Problems)).Where);
    }

    [Fact]
    public void LoneSurrogateInAFieldValue_IsMalformedAtThatField()
    {
        var json = System.Text.Encoding.UTF8.GetString(AuditBundleJson.Encode(_sample.EntityBundle())).Replace("\"value\": \"suspended\"", "\"value\": \"suspended\\ud800\"", StringComparison.Ordinal);

        var result = AuditBundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(json));

        var malformed = Assert.IsType<MalformedBundle>(Assert.Single(result.Problems));
        Assert.StartsWith("entries[1].fields[", malformed.Where, StringComparison.Ordinal);
        Assert.EndsWith("].value", malformed.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void BundleBuiltInCode_WithUnsetArrays_IsInvalid_NotAnException()
    {
        var bundle = _sample.EntityBundle() with { KeySet = default, Entries = default };

        var result = AuditBundleVerifier.Verify(bundle);

        Assert.Contains(result.Problems, p => p is KeySetInvalid { Sequence: 0 });
        Assert.Contains(result.Problems, p => p is MalformedBundle { Where: "entries" });
    }

    [Fact]
    public void DerivedGenesis_HasTheSameEntryHashEveryTime_AndVerifiesUnderItsKey()
    {
        var first = DerivedKeySet.Genesis("NL", _sample.Signer);
        var second = DerivedKeySet.Genesis("NL", _sample.Signer);

        Assert.Equal(first.Entry.Hash, second.Entry.Hash);
        Assert.Equal(DateTimeOffset.UnixEpoch, first.Entry.Body.Timestamp);
        Assert.True(KeySet.Load(new TrustAnchor.GenesisEntry("NL", first.Entry.Hash), [second]).IsValid);
    }

    [Fact]
    public void DerivedGenesis_OfTheWorkedExampleKey_MatchesAnIndependentComputation()
    {
        // The key of ledger-format.md 9.1; the expected values were computed with Python's hashlib from
        // the layouts of ledger-format.md 3 and 4.1 and the salt rule of audit-bundles.md 3.
        using var signer = EcdsaP256Signer.FromPrivateScalar(Convert.FromHexString("c993f4084bd9edb9e0c28958a88bf6e0d6b6eb654423fdedf936852ac6bd4e4e"));

        var genesis = DerivedKeySet.Genesis("NL", signer);

        Assert.Equal("a23d6420a34fa0698d4254fbc1e8eae5", genesis.Entry.Body.KeyId);
        Assert.Equal(
            [("algorithm", "d1b4996b82b22cd35dd172dfccac5fd4"), ("keyId", "9e747a53b6e60e96b1cbb79e17f58613"), ("publicKey", "6725a588a814e3d6dcbe25a3df7bdd89")],
            genesis.Fields.Select(f => (f.Name, Convert.ToHexStringLower(f.Salt))).ToArray());
        Assert.Equal("29b423c8b41021b80214ae45b39c7c3dfcb6dd7d944d2abe7a54071bde4d734a", genesis.Entry.Body.Field("publicKey")!.Digest.ToString());
        Assert.Equal("4072429a38fce4e9936a11635e40c743db8aeb39f306f4bc15e05c3de0e88450", genesis.Entry.Hash.ToString());
    }

    private static AuditVerification Verify(AuditBundle bundle, AuditVerificationOptions? options = null)
    {
        // Every tampered bundle also goes through its JSON form, as an auditor's file would.
        var result = AuditBundleVerifier.Verify(AuditBundleJson.Encode(bundle), options);
        Assert.False(result.IsValid);
        Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Describe())));
        return result;
    }

    private static AuditBundle WithEntry(AuditBundle bundle, int index, BundledEntry entry) =>
        bundle with { Entries = bundle.Entries.SetItem(index, entry) };
}
