using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Tests.KeySets.KeySetScenario;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>The owning administration writes only events its partners will accept.</summary>
public sealed class KeySetAuthorTests
{
    [Fact]
    public void Genesis_WritesSelfSignedKeyAddedWithExactFieldValues()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);

        // Act
        var genesis = author.Genesis(first, At(8));

        // Assert
        var body = genesis.Entry.Body;
        Assert.Equal((France, KeySetFormat.EntityKind, France, 1UL), (body.Origin, body.EntityKind, body.EntityId, body.Sequence));
        Assert.Equal(KeySetFormat.KeyAdded, body.EntryType);
        Assert.Equal(first.KeyId, body.KeyId);
        Assert.Equal("1", genesis[KeySetFormat.AlgorithmField]);
        Assert.Equal(first.KeyId, genesis[KeySetFormat.KeyIdField]);
        Assert.Equal(Convert.ToBase64String(first.PublicKey.SubjectPublicKeyInfo), genesis[KeySetFormat.PublicKeyField]);
        Assert.Empty(genesis.WithheldFieldNames);
        Assert.Equal(new TrustAnchor.GenesisKey(France, first.KeyId), author.Anchor);
    }

    [Fact]
    public void Events_RecordWhoActed_WhenTheAuthorIsGivenAnActor_AndStillFold()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        author.Actor = ("fr-supervisor-0007", "supervisor");

        // Act
        var rotation = author.Rotate(first, second.PublicKey, At(9));

        // Assert
        Assert.Null(genesis[KeySetFormat.ActorField]);
        Assert.Equal("fr-supervisor-0007", rotation[KeySetFormat.ActorField]);
        Assert.Equal("supervisor", rotation[KeySetFormat.ActorRoleField]);
        Assert.True(KeySet.Load(new TrustAnchor.GenesisKey(France, first.KeyId), [genesis, rotation]).IsValid);
    }

    [Fact]
    public void AnActorWithoutItsRole_IsRefusedAsMalformed()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var genesis = new KeySetAuthor(France).Genesis(first, At(8));
        var payload = SealedPayload.Seal(new KeyEvent.Added(first.PublicKey).ToFields().Append(new(KeySetFormat.ActorField, "fr-officer")));
        var body = new EntryBody(France, KeySetFormat.EntityKind, France, 1, Hash256.Zero, At(8), KeySetFormat.KeyAdded, payload.Commitments, first.KeyId, first.Algorithm);
        var lone = new DisclosedEntry(LedgerEntry.Sign(body, first), payload.Fields);

        // Act
        var fault = new KeySet(new TrustAnchor.GenesisKey(France, first.KeyId)).Apply(lone);

        // Assert
        Assert.NotNull(genesis);
        var malformed = Assert.IsType<KeySetFault.MalformedField>(fault);
        Assert.Equal(KeySetFormat.ActorRoleField, malformed.Field);
    }

    [Fact]
    public void Revoke_WritesEffectiveAtInMicrosecondUtcForm()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));

        // Act
        var revocation = author.Revoke(first, first.KeyId, At(10).AddTicks(12_340), "retired", At(11));

        // Assert
        Assert.Equal("2026-11-20T10:00:00.001234Z", revocation[KeySetFormat.EffectiveAtField]);
        Assert.Equal(first.KeyId, revocation[KeySetFormat.KeyIdField]);
        Assert.Equal("retired", revocation[KeySetFormat.ReasonField]);
        Assert.Equal(2UL, revocation.Entry.Body.Sequence);
    }

    [Fact]
    public void Rotate_WithKeyAlreadyRotatedOut_ThrowsAndWritesNothing()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        using var third = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        author.Genesis(first, At(8));
        var rotation = author.Rotate(first, second.PublicKey, At(9));

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => author.Rotate(first, third.PublicKey, At(10)));

        // Assert
        Assert.Contains("rotated at 2026-11-20T09:00:00.000000Z", error.Message, StringComparison.Ordinal);
        Assert.Equal(rotation.Entry.Hash, author.KeySet!.Head!.Hash);
    }

    [Fact]
    public void AddKey_BeforeGenesis_Throws()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);

        // Act
        var act = () => author.AddKey(first, first.PublicKey, At(8));

        // Assert
        Assert.Throws<InvalidOperationException>(act);
    }

    [Fact]
    public void Continue_FromLoadedSet_ChainsOntoItsHead()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var original = new KeySetAuthor(France);
        var genesis = original.Genesis(first, At(8));
        var loaded = KeySet.Load(original.Anchor!, [genesis]).KeySet;

        // Act
        var added = KeySetAuthor.Continue(loaded).AddKey(first, second.PublicKey, At(9));

        // Assert
        Assert.Equal(2UL, added.Entry.Body.Sequence);
        Assert.Equal(genesis.Entry.Hash, added.Entry.Body.PreviousHash);
        Assert.Null(loaded.Apply(added));
    }

    [Fact]
    public void FormatTime_RoundTripsThroughTryParseTime()
    {
        // Arrange
        var time = At(23, 59).AddTicks(9_999_990);

        // Act
        var text = KeySetFormat.FormatTime(time);
        var parsed = KeySetFormat.TryParseTime(text, out var back);

        // Assert
        Assert.Equal("2026-11-20T23:59:00.999999Z", text);
        Assert.True(parsed);
        Assert.Equal(time, back);
    }
}
