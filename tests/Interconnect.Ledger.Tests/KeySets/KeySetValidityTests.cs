using Interconnect.Ledger.Chains;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Tests.KeySets.KeySetScenario;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>How rotations and revocations decide which business entries still verify.</summary>
public sealed class KeySetValidityTests
{
    [Fact]
    public void Verify_EntriesSignedWithOldKeyBeforeRotation_AreValid()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        var rotation = author.Rotate(first, second.PublicKey, At(12));
        var keys = KeySet.Load(author.Anchor!, [genesis, rotation]).KeySet;
        var chain = AeoChain((first, At(9)), (first, At(11, 59)), (second, At(12)), (second, At(13)));

        // Act
        var result = ChainVerifier.Verify(chain, keys);

        // Assert
        Assert.True(result.IsValid, result.Fault?.Describe());
        Assert.Equal(4, result.Verified);
    }

    [Fact]
    public void Verify_EntrySignedWithOldKeyAfterRotation_FailsWithKeyNotValidAtTime()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.Rotate(first, second.PublicKey, At(12));
        var chain = AeoChain((first, At(9)), (first, At(12)));

        // Act
        var result = ChainVerifier.Verify(chain, author.KeySet!);

        // Assert
        Assert.Equal(1, result.Verified);
        var fault = Assert.IsType<EntryFault.KeyNotValidAtTime>(result.Fault);
        Assert.Equal(2UL, fault.Sequence);
        Assert.Equal(first.KeyId, fault.KeyId);
        Assert.Equal(At(8), fault.ValidFrom);
        Assert.Equal(At(12), fault.ValidUntil);
        Assert.Equal("rotated at 2026-11-20T12:00:00.000000Z", fault.Reason);
    }

    [Fact]
    public void Verify_NewKeyBeforeItsRotation_FailsAsNotYetValid()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.Rotate(first, second.PublicKey, At(12));
        var chain = AeoChain((second, At(11)));

        // Act
        var result = ChainVerifier.Verify(chain, author.KeySet!);

        // Assert
        var fault = Assert.IsType<EntryFault.KeyNotValidAtTime>(result.Fault);
        Assert.Equal("not yet valid", fault.Reason);
    }

    [Fact]
    public void Verify_EmergencyRevocationWithPastEffectiveTime_InvalidatesOnlyEntriesFromThatTimeOn()
    {
        // Arrange: the second key leaked at 11:00; the administration finds out and revokes it at 15:00.
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.AddKey(first, second.PublicKey, At(9));
        author.Revoke(first, second.KeyId, At(11), "key compromised", At(15));
        var beforeLeak = AeoChain((second, At(10)), (second, At(10, 59)));
        var afterLeak = AeoChain((second, At(10)), (second, At(11)));

        // Act
        var before = ChainVerifier.Verify(beforeLeak, author.KeySet!);
        var after = ChainVerifier.Verify(afterLeak, author.KeySet!);

        // Assert
        Assert.True(before.IsValid, before.Fault?.Describe());
        Assert.Equal(1, after.Verified);
        var fault = Assert.IsType<EntryFault.KeyNotValidAtTime>(after.Fault);
        Assert.Equal(At(11), fault.ValidUntil);
        Assert.Equal("revoked at 2026-11-20T11:00:00.000000Z: key compromised", fault.Reason);
    }

    [Fact]
    public void Resolve_KeyAddedByALeakedKeyAfterTheLeak_IsNotValidOnceTheLeakedKeyIsRevoked()
    {
        // Arrange: whoever held the leaked key at 11:30 added a key of their own.
        using var first = EcdsaP256Signer.Generate();
        using var leaked = EcdsaP256Signer.Generate();
        using var intruder = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.AddKey(first, leaked.PublicKey, At(9));
        author.AddKey(leaked, intruder.PublicKey, At(11, 30));
        var keys = author.KeySet!;
        Assert.IsType<KeyLookup.Found>(keys.Resolve(France, intruder.KeyId, At(12)));

        // Act
        author.Revoke(first, leaked.KeyId, At(11), "key compromised", At(15));
        var lookup = keys.Resolve(France, intruder.KeyId, At(12));

        // Assert
        var notValid = Assert.IsType<KeyLookup.NotValidAt>(lookup);
        Assert.StartsWith($"added under key {leaked.KeyId}, revoked at 2026-11-20T11:00:00.000000Z", notValid.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_KeyAddedByAKeyBeforeItsRevocationTime_StaysValid()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        using var third = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.AddKey(first, second.PublicKey, At(9));
        author.AddKey(second, third.PublicKey, At(10));

        // Act
        author.Revoke(first, second.KeyId, At(11), "retired", At(11));
        var lookup = author.KeySet!.Resolve(France, third.KeyId, At(12));

        // Assert
        Assert.IsType<KeyLookup.Found>(lookup);
    }

    [Fact]
    public void Revoke_RotatedKeyFromBeforeItsRotation_ShortensItsValidity()
    {
        // Arrange: a compromise found only after the key was rotated out.
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        var rotation = author.Rotate(first, second.PublicKey, At(12));
        var keys = KeySet.Load(author.Anchor!, [genesis, rotation]).KeySet;
        var revocation = Event(keys.Head, new KeyEvent.Revoked(first.KeyId, At(10), "key compromised"), second, At(13));

        // Act
        var fault = keys.Apply(revocation);

        // Assert
        Assert.Null(fault);
        Assert.IsType<KeyLookup.Found>(keys.Resolve(France, first.KeyId, At(9)));
        Assert.IsType<KeyLookup.NotValidAt>(keys.Resolve(France, first.KeyId, At(11)));
    }

    [Fact]
    public void Resolve_OtherAdministration_IsUnknown()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));

        // Act
        var lookup = author.KeySet!.Resolve(Japan, first.KeyId, At(9));

        // Assert
        Assert.IsType<KeyLookup.Unknown>(lookup);
    }

    [Fact]
    public void ValidAt_AfterRotation_ListsOnlyTheNewKey()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.Rotate(first, second.PublicKey, At(12));

        // Act
        var before = author.KeySet!.ValidAt(At(11));
        var after = author.KeySet!.ValidAt(At(12));

        // Assert
        Assert.Equal([first.KeyId], before.Select(k => k.KeyId));
        Assert.Equal([second.KeyId], after.Select(k => k.KeyId));
    }

    [Fact]
    public void RevocationReaching_NamesTheKeysOwnRevocation_OrThatOfTheKeyThatAddedIt()
    {
        // Arrange: the second key is added under the first after the first's (later recorded) compromise.
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        author.AddKey(first, second.PublicKey, At(10));
        author.Revoke(second, first.KeyId, At(9), "stolen", At(11));
        var keySet = author.KeySet!;

        // Act and assert
        Assert.Null(keySet.RevocationReaching(first.KeyId, At(8)));
        Assert.Equal((first.KeyId, "stolen"), keySet.RevocationReaching(first.KeyId, At(9)) is var (key, r) ? (key.KeyId, r.Reason) : default);
        Assert.Equal(first.KeyId, keySet.RevocationReaching(second.KeyId, At(8))?.Key.KeyId);
        Assert.Null(keySet.RevocationReaching("00112233445566778899aabbccddeeff", At(12)));
    }
}
