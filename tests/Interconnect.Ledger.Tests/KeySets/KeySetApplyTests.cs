using System.Collections.Immutable;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Tests.KeySets.KeySetScenario;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>What <see cref="KeySet.Apply"/> accepts and refuses, and that a refusal changes nothing.</summary>
public sealed class KeySetApplyTests : IDisposable
{
    private readonly EcdsaP256Signer _first = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _second = EcdsaP256Signer.Generate();
    private readonly EcdsaP256Signer _stranger = EcdsaP256Signer.Generate();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _stranger.Dispose();
    }

    [Fact]
    public void Apply_GenesisMatchingPinnedKey_AddsKeyValidFromItsTimestamp()
    {
        // Arrange
        var keys = new KeySet(new TrustAnchor.GenesisKey(France, _first.KeyId));
        var genesis = Event(null, new KeyEvent.Added(_first.PublicKey), _first, At(8));

        // Act
        var fault = keys.Apply(genesis);

        // Assert
        Assert.Null(fault);
        var key = Assert.Single(keys.Keys);
        Assert.Equal(_first.KeyId, key.KeyId);
        Assert.Equal(At(8), key.ValidFrom);
        Assert.True(key.IsGenesis);
        Assert.Equal(genesis.Entry.Hash, keys.Head!.Hash);
        Assert.IsType<KeyLookup.Found>(keys.Resolve(France, _first.KeyId, At(8)));
        Assert.IsType<KeyLookup.NotValidAt>(keys.Resolve(France, _first.KeyId, At(7)));
    }

    [Fact]
    public void Apply_GenesisMatchingPinnedEntryHash_IsAccepted()
    {
        // Arrange
        var genesis = Event(null, new KeyEvent.Added(_first.PublicKey), _first, At(8));
        var keys = new KeySet(new TrustAnchor.GenesisEntry(France, genesis.Entry.Hash));

        // Act
        var fault = keys.Apply(genesis);

        // Assert
        Assert.Null(fault);
    }

    [Fact]
    public void Apply_GenesisOfAnotherKeyThanPinned_IsRefusedAsAnchorMismatch()
    {
        // Arrange
        var keys = new KeySet(new TrustAnchor.GenesisKey(France, _first.KeyId));
        var impostor = Event(null, new KeyEvent.Added(_stranger.PublicKey), _stranger, At(8));

        // Act
        var fault = keys.Apply(impostor);

        // Assert
        var mismatch = Assert.IsType<KeySetFault.AnchorMismatch>(fault);
        Assert.Equal(_stranger.KeyId, mismatch.KeyId);
        Assert.Null(keys.Head);
        Assert.Empty(keys.Keys);
    }

    [Fact]
    public void Apply_GenesisWithOtherHashThanPinned_IsRefusedAsAnchorMismatch()
    {
        // Arrange: same key, but a different genesis entry (another time) than the one pinned.
        var pinned = Event(null, new KeyEvent.Added(_first.PublicKey), _first, At(8));
        var other = Event(null, new KeyEvent.Added(_first.PublicKey), _first, At(9));
        var keys = new KeySet(new TrustAnchor.GenesisEntry(France, pinned.Entry.Hash));

        // Act
        var fault = keys.Apply(other);

        // Assert
        Assert.IsType<KeySetFault.AnchorMismatch>(fault);
        Assert.Empty(keys.Keys);
    }

    [Fact]
    public void Apply_GenesisSignedByAnotherKey_IsRefused()
    {
        // Arrange
        var keys = new KeySet(new TrustAnchor.GenesisKey(France, _first.KeyId));
        var genesis = Event(null, new KeyEvent.Added(_first.PublicKey), _stranger, At(8));

        // Act
        var fault = keys.Apply(genesis);

        // Assert
        var notSelf = Assert.IsType<KeySetFault.GenesisNotSelfSigned>(fault);
        Assert.Equal(_stranger.KeyId, notSelf.SignerKeyId);
    }

    [Fact]
    public void Apply_GenesisThatRevokes_IsRefused()
    {
        // Arrange
        var keys = new KeySet(new TrustAnchor.GenesisKey(France, _first.KeyId));
        var genesis = Event(null, new KeyEvent.Revoked(_first.KeyId, At(8), "test"), _first, At(8));

        // Act
        var fault = keys.Apply(genesis);

        // Assert
        Assert.IsType<KeySetFault.GenesisMustAddKey>(fault);
    }

    [Fact]
    public void Apply_KeyAddedByStrangerKey_IsRefusedAndSetIsUnchanged()
    {
        // Arrange
        var keys = Started();
        var headBefore = keys.Head;
        var added = Event(keys.Head, new KeyEvent.Added(_stranger.PublicKey), _stranger, At(9));

        // Act
        var fault = keys.Apply(added);

        // Assert
        var notValid = Assert.IsType<KeySetFault.NotSignedByValidKey>(fault);
        Assert.Equal(_stranger.KeyId, notValid.KeyId);
        Assert.Same(headBefore, keys.Head);
        Assert.Single(keys.Keys);
        Assert.IsType<KeyLookup.Unknown>(keys.Resolve(France, _stranger.KeyId, At(10)));
    }

    [Fact]
    public void Apply_EntryNamingValidKeyButSignedByAnother_IsRefusedAsBadSignature()
    {
        // Arrange
        var keys = Started();
        var honest = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9));
        var forged = new DisclosedEntry(new Interconnect.Ledger.Entries.LedgerEntry(honest.Entry.Body, _stranger.Sign(honest.Entry.Body.SigningInput)), honest.Fields);

        // Act
        var fault = keys.Apply(forged);

        // Assert
        Assert.IsType<KeySetFault.BadSignature>(fault);
        Assert.Single(keys.Keys);
    }

    [Fact]
    public void Apply_TamperedFieldValue_IsRefusedAsFieldsDoNotVerify()
    {
        // Arrange: the value is swapped for a stranger's key after signing.
        var keys = Started();
        var honest = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9));
        var tampered = honest with
        {
            Fields = honest.Fields
                .Select(f => f.Name == KeySetFormat.PublicKeyField ? f with { Value = Convert.ToBase64String(_stranger.PublicKey.SubjectPublicKeyInfo) } : f)
                .ToImmutableArray(),
        };

        // Act
        var fault = keys.Apply(tampered);

        // Assert
        var mismatch = Assert.IsType<KeySetFault.FieldsDoNotVerify>(fault);
        Assert.IsType<DisclosureFault.FieldDigestMismatch>(mismatch.Fault);
        Assert.Single(keys.Keys);
    }

    [Fact]
    public void Apply_WithheldField_IsRefused()
    {
        // Arrange
        var keys = Started();
        var honest = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9));
        var partial = honest with { Fields = honest.Fields.Where(f => f.Name != KeySetFormat.AlgorithmField).ToImmutableArray() };

        // Act
        var fault = keys.Apply(partial);

        // Assert
        var malformed = Assert.IsType<KeySetFault.MalformedField>(fault);
        Assert.Equal(KeySetFormat.AlgorithmField, malformed.Field);
    }

    [Fact]
    public void Apply_EntryWithUninitializedFieldArray_IsRefusedWithoutThrowing()
    {
        // Arrange
        var keys = Started();
        var honest = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9));

        // Act
        var fault = keys.Apply(honest with { Fields = default });

        // Assert
        Assert.IsType<KeySetFault.MalformedField>(fault);
        Assert.Single(keys.Keys);
    }

    [Fact]
    public void Apply_ReAddingKnownKey_IsRefusedAsDuplicate()
    {
        // Arrange
        var keys = Started();
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9))));
        var again = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(10));

        // Act
        var fault = keys.Apply(again);

        // Assert
        var duplicate = Assert.IsType<KeySetFault.DuplicateKey>(fault);
        Assert.Equal(_second.KeyId, duplicate.KeyId);
        Assert.Equal(2, keys.Keys.Count);
    }

    [Fact]
    public void Apply_RotationToAKnownKey_IsRefusedAsDuplicate()
    {
        // Arrange
        var keys = Started();

        // Act
        var fault = keys.Apply(Event(keys.Head, new KeyEvent.Rotated(_first.PublicKey, _first.KeyId), _first, At(9)));

        // Assert
        Assert.IsType<KeySetFault.DuplicateKey>(fault);
        Assert.Null(keys.Find(_first.KeyId)!.Rotation);
    }

    [Fact]
    public void Apply_KeyIdNotDerivedFromPublicKey_IsRefusedAsKeyIdMismatch()
    {
        // Arrange
        var keys = Started();
        var fields = FieldsWith(new KeyEvent.Added(_second.PublicKey), KeySetFormat.KeyIdField, _stranger.KeyId);

        // Act
        var fault = keys.Apply(Event(keys.Head, KeySetFormat.KeyAdded, fields, _first, At(9)));

        // Assert
        var mismatch = Assert.IsType<KeySetFault.KeyIdMismatch>(fault);
        Assert.Equal(_stranger.KeyId, mismatch.Declared);
        Assert.Equal(_second.KeyId, mismatch.Derived);
        Assert.Single(keys.Keys);
    }

    [Theory]
    [InlineData(KeySetFormat.PublicKeyField, "not base64!")]
    [InlineData(KeySetFormat.PublicKeyField, "AAAA")]
    [InlineData(KeySetFormat.AlgorithmField, "01")]
    [InlineData(KeySetFormat.AlgorithmField, "2")]
    [InlineData(KeySetFormat.AlgorithmField, "+1")]
    [InlineData(KeySetFormat.AlgorithmField, null)]
    [InlineData("comment", "an extra field")]
    public void Apply_MalformedKeyField_IsRefusedNamingTheField(string field, string? value)
    {
        // Arrange
        var keys = Started();
        var fields = FieldsWith(new KeyEvent.Added(_second.PublicKey), field, value);

        // Act
        var fault = keys.Apply(Event(keys.Head, KeySetFormat.KeyAdded, fields, _first, At(9)));

        // Assert
        var malformed = Assert.IsType<KeySetFault.MalformedField>(fault);
        Assert.Equal(field, malformed.Field);
        Assert.Single(keys.Keys);
    }

    [Fact]
    public void Apply_PublicKeyWithWhitespaceInBase64_IsRefused()
    {
        // Arrange: a second spelling of the same bytes would not be one canonical form.
        var keys = Started();
        var base64 = Convert.ToBase64String(_second.PublicKey.SubjectPublicKeyInfo);
        var fields = FieldsWith(new KeyEvent.Added(_second.PublicKey), KeySetFormat.PublicKeyField, base64[..10] + "\n" + base64[10..]);

        // Act
        var fault = keys.Apply(Event(keys.Head, KeySetFormat.KeyAdded, fields, _first, At(9)));

        // Assert
        Assert.Equal(KeySetFormat.PublicKeyField, Assert.IsType<KeySetFault.MalformedField>(fault).Field);
    }

    [Theory]
    [InlineData("2026-11-20T10:00:00Z")]
    [InlineData("2026-11-20T10:00:00.000000+00:00")]
    [InlineData("2026-11-20 10:00:00.000000Z")]
    [InlineData("2026-11-20T10:00:00.0000000Z")]
    [InlineData("")]
    public void Apply_RevocationWithEffectiveAtNotInExactFormat_IsRefused(string effectiveAt)
    {
        // Arrange
        var keys = Started();
        var fields = FieldsWith(new KeyEvent.Revoked(_first.KeyId, At(9), "retired"), KeySetFormat.EffectiveAtField, effectiveAt);

        // Act
        var fault = keys.Apply(Event(keys.Head, KeySetFormat.KeyRevoked, fields, _first, At(9)));

        // Assert
        Assert.Equal(KeySetFormat.EffectiveAtField, Assert.IsType<KeySetFault.MalformedField>(fault).Field);
        Assert.Null(keys.Find(_first.KeyId)!.Revocation);
    }

    [Fact]
    public void Apply_UnknownEntryType_IsRefused()
    {
        // Arrange
        var keys = Started();

        // Act
        var fault = keys.Apply(Event(keys.Head, "key.renamed", [new("keyId", _first.KeyId)], _first, At(9)));

        // Assert
        Assert.Equal("key.renamed", Assert.IsType<KeySetFault.UnknownEventType>(fault).EntryType);
    }

    [Fact]
    public void Apply_EntryOfAnotherAdministration_IsRefused()
    {
        // Arrange
        var keys = Started();
        var japanese = Event(keys.Head, KeySetFormat.KeyAdded, new KeyEvent.Added(_second.PublicKey).ToFields(), _first, At(9), Japan);

        // Act
        var fault = keys.Apply(japanese);

        // Assert
        Assert.IsType<KeySetFault.NotThisKeySet>(fault);
    }

    [Fact]
    public void Apply_EntryThatSkipsASequence_IsRefusedAsChainFault()
    {
        // Arrange
        var keys = Started();
        var skipped = Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9));
        var skipping = Event(skipped.Entry.Body, new KeyEvent.Added(_stranger.PublicKey), _first, At(10));

        // Act
        var fault = keys.Apply(skipping);

        // Assert
        var chain = Assert.IsType<KeySetFault.Chain>(fault);
        Assert.IsType<EntryFault.SequenceGap>(chain.Fault);
    }

    [Fact]
    public void Apply_RotatingARevokedKey_IsRefusedAsAlreadyEnded()
    {
        // Arrange
        var keys = Started();
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9))));
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_second.KeyId, At(10), "retired"), _first, At(10))));
        var rotation = Event(keys.Head, new KeyEvent.Rotated(_stranger.PublicKey, _second.KeyId), _second, At(11));

        // Act
        var fault = keys.Apply(rotation);

        // Assert
        var ended = Assert.IsType<KeySetFault.KeyAlreadyEnded>(fault);
        Assert.Equal(_second.KeyId, ended.KeyId);
        Assert.Equal(At(10), ended.EndedAt);
        Assert.Null(keys.Find(_stranger.KeyId));
    }

    [Fact]
    public void Apply_RotationSignedByAnotherValidKey_IsRefused()
    {
        // Arrange
        var keys = Started();
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9))));
        var rotation = Event(keys.Head, new KeyEvent.Rotated(_stranger.PublicKey, _second.KeyId), _first, At(10));

        // Act
        var fault = keys.Apply(rotation);

        // Assert
        Assert.IsType<KeySetFault.RotationNotSignedByReplacedKey>(fault);
    }

    [Fact]
    public void Apply_RevokingUnknownKey_IsRefused()
    {
        // Arrange
        var keys = Started();

        // Act
        var fault = keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_stranger.KeyId, At(9), "unknown"), _first, At(9)));

        // Assert
        Assert.Equal(_stranger.KeyId, Assert.IsType<KeySetFault.UnknownKey>(fault).KeyId);
    }

    [Fact]
    public void Apply_RevokingARevokedKeyAgainFromLater_IsRefusedAsAlreadyEnded()
    {
        // Arrange
        var keys = Started();
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9))));
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_second.KeyId, At(10), "retired"), _first, At(10))));

        // Act
        var fault = keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_second.KeyId, At(11), "again"), _first, At(11)));

        // Assert
        Assert.IsType<KeySetFault.KeyAlreadyEnded>(fault);
        Assert.Equal("retired", keys.Find(_second.KeyId)!.Revocation!.Reason);
    }

    [Fact]
    public void Apply_SelfRevocationOfTheLastKey_IsAcceptedAndNothingCanBeSignedAfter()
    {
        // Arrange
        var keys = Started();

        // Act
        var fault = keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_first.KeyId, At(9), "decommissioned"), _first, At(9)));
        var afterwards = keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(10)));

        // Assert
        Assert.Null(fault);
        Assert.Empty(keys.ValidAt(At(9)));
        var refused = Assert.IsType<KeySetFault.NotSignedByValidKey>(afterwards);
        Assert.Equal("revoked at 2026-11-20T09:00:00.000000Z: decommissioned", refused.Reason);
    }

    [Fact]
    public void Apply_KeyEventSignedWithKeyAfterItsEmergencyRevocationTime_IsRefused()
    {
        // Arrange
        var keys = Started();
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Added(_second.PublicKey), _first, At(9))));
        Assert.Null(keys.Apply(Event(keys.Head, new KeyEvent.Revoked(_second.KeyId, At(9, 30), "key compromised"), _first, At(12))));

        // Act
        var fault = keys.Apply(Event(keys.Head, new KeyEvent.Added(_stranger.PublicKey), _second, At(13)));

        // Assert
        Assert.IsType<KeySetFault.NotSignedByValidKey>(fault);
    }

    [Fact]
    public void Load_CompleteValidHistory_AppliesEveryEntry()
    {
        // Arrange
        using var third = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        List<DisclosedEntry> history =
        [
            author.Genesis(_first, At(8)),
            author.AddKey(_first, _second.PublicKey, At(9)),
            author.Rotate(_first, third.PublicKey, At(10)),
            author.Revoke(third, _second.KeyId, At(9, 30), "key compromised", At(11)),
        ];

        // Act
        var load = KeySet.Load(new TrustAnchor.GenesisKey(France, _first.KeyId), history);

        // Assert
        Assert.True(load.IsValid, load.Fault?.Describe());
        Assert.Equal(4, load.Applied);
        Assert.Equal(history[^1].Entry.Hash, load.KeySet.Head!.Hash);
        Assert.Equal([_first.KeyId, _second.KeyId, third.KeyId], load.KeySet.Keys.Select(k => k.KeyId));
        Assert.Equal(third.KeyId, load.KeySet.Find(_first.KeyId)!.Rotation!.SuccessorKeyId);
        Assert.Equal(At(9, 30), load.KeySet.Find(_second.KeyId)!.ValidUntil);
        Assert.Equal([third.KeyId], load.KeySet.ValidAt(At(12)).Select(k => k.KeyId));
    }

    [Fact]
    public void Load_HistoryWithABadEntry_StopsThereAndKeepsWhatVerified()
    {
        // Arrange
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(_first, At(8));
        var added = author.AddKey(_first, _second.PublicKey, At(9));
        var stranger = Event(added.Entry.Body, new KeyEvent.Added(_stranger.PublicKey), _stranger, At(10));

        // Act
        var load = KeySet.Load(author.Anchor!, [genesis, added, stranger]);

        // Assert
        Assert.False(load.IsValid);
        Assert.Equal(2, load.Applied);
        Assert.Equal(3UL, load.Fault!.Sequence);
        Assert.Equal(added.Entry.Hash, load.KeySet.Head!.Hash);
    }

    private KeySet Started()
    {
        var keys = new KeySet(new TrustAnchor.GenesisKey(France, _first.KeyId));
        Assert.Null(keys.Apply(Event(null, new KeyEvent.Added(_first.PublicKey), _first, At(8))));
        return keys;
    }
}
