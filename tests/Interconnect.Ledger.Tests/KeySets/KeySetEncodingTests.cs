using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Tests.KeySets.KeySetScenario;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>Key-set entries survive the wire form, and no changed byte slips through.</summary>
public sealed class KeySetEncodingTests
{
    [Fact]
    public void Apply_DecodedEntries_RebuildTheSameKeySet()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var history = new[]
        {
            author.Genesis(first, At(8)),
            author.Rotate(first, second.PublicKey, At(9)),
        };

        // Act
        var decoded = history.Select(d => d with { Entry = LedgerEntry.Decode(d.Entry.Encode()).Value! });
        var load = KeySet.Load(author.Anchor!, decoded);

        // Assert
        Assert.True(load.IsValid, load.Fault?.Describe());
        Assert.Equal(author.KeySet!.Head!.Hash, load.KeySet.Head!.Hash);
    }

    [Fact]
    public void Apply_GenesisWithAnyByteFlipped_IsNeverAccepted()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));

        // Act
        var accepted = FlippedVariantsAccepted(genesis, () => new KeySet(author.Anchor!));

        // Assert
        Assert.Empty(accepted);
    }

    [Fact]
    public void Apply_RotationWithAnyByteFlipped_IsNeverAccepted()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        var rotation = author.Rotate(first, second.PublicKey, At(9));

        // Act
        var accepted = FlippedVariantsAccepted(rotation, () => KeySet.Load(author.Anchor!, [genesis]).KeySet);

        // Assert
        Assert.Empty(accepted);
    }

    [Fact]
    public void Apply_RevocationWithAnyByteFlipped_IsNeverAccepted()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        var added = author.AddKey(first, second.PublicKey, At(9));
        var revocation = author.Revoke(first, second.KeyId, At(9, 30), "key compromised", At(10));

        // Act
        var accepted = FlippedVariantsAccepted(revocation, () => KeySet.Load(author.Anchor!, [genesis, added]).KeySet);

        // Assert
        Assert.Empty(accepted);
    }

    /// <summary>Offsets at which flipping every bit of one byte gave an entry the set accepted.</summary>
    private static List<int> FlippedVariantsAccepted(DisclosedEntry entry, Func<KeySet> freshSet)
    {
        var encoded = entry.Entry.Encode();
        var accepted = new List<int>();
        var keySet = freshSet();
        var head = keySet.Head;
        for (var i = 0; i < encoded.Length; i++)
        {
            var flipped = (byte[])encoded.Clone();
            flipped[i] ^= 0xFF;
            var decoded = LedgerEntry.Decode(flipped);
            if (!decoded.Ok)
            {
                continue;
            }

            if (keySet.Apply(entry with { Entry = decoded.Value! }) is null)
            {
                accepted.Add(i);
                keySet = freshSet();
            }

            // A refusal leaves the set as it was, so it can be reused for the next variant.
            Assert.Same(head, keySet.Head);
        }

        return accepted;
    }
}
