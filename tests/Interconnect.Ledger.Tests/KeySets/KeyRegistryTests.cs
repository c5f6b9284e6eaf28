using Interconnect.Ledger.Chains;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using static Interconnect.Ledger.Tests.KeySets.KeySetScenario;

namespace Interconnect.Ledger.Tests.KeySets;

/// <summary>Several administrations' key sets behind one resolver.</summary>
public sealed class KeyRegistryTests
{
    [Fact]
    public void Resolve_KeysOfSeveralAdministrations_FindsEachUnderItsOwnOrigin()
    {
        // Arrange
        using var french = EcdsaP256Signer.Generate();
        using var japanese = EcdsaP256Signer.Generate();
        var registry = new KeyRegistry();
        registry.Add(Genesis(France, french));
        registry.Add(Genesis(Japan, japanese));

        // Act
        var own = registry.Resolve(Japan, japanese.KeyId, At(9));
        var crossed = registry.Resolve(France, japanese.KeyId, At(9));
        var stranger = registry.Resolve("DE", french.KeyId, At(9));

        // Assert
        Assert.IsType<KeyLookup.Found>(own);
        Assert.IsType<KeyLookup.Unknown>(crossed);
        Assert.IsType<KeyLookup.Unknown>(stranger);
        Assert.Equal([France, Japan], registry.Administrations.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Verify_BusinessChainAgainstRegistry_UsesTheOriginsKeySet()
    {
        // Arrange
        using var french = EcdsaP256Signer.Generate();
        var registry = new KeyRegistry();
        registry.Add(Genesis(France, french));
        var chain = AeoChain((french, At(9)), (french, At(10)));

        // Act
        var result = ChainVerifier.Verify(chain, registry);

        // Assert
        Assert.True(result.IsValid, result.Fault?.Describe());
    }

    [Fact]
    public void Apply_EntryOfUnheldAdministration_IsRefused()
    {
        // Arrange
        using var german = EcdsaP256Signer.Generate();
        var registry = new KeyRegistry();
        var genesis = Event(null, new KeyEvent.Added(german.PublicKey), german, At(8), administration: "DE");

        // Act
        var fault = registry.Apply(genesis);

        // Assert
        Assert.Equal("DE", Assert.IsType<KeySetFault.UnknownAdministration>(fault).Origin);
    }

    [Fact]
    public void Apply_EntryOfHeldAdministration_ReachesItsKeySet()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var second = EcdsaP256Signer.Generate();
        var author = new KeySetAuthor(France);
        var genesis = author.Genesis(first, At(8));
        var added = author.AddKey(first, second.PublicKey, At(9));
        var registry = new KeyRegistry();
        registry.Add(KeySet.Load(author.Anchor!, [genesis]).KeySet);

        // Act
        var fault = registry.Apply(added);

        // Assert
        Assert.Null(fault);
        Assert.IsType<KeyLookup.Found>(registry.Resolve(France, second.KeyId, At(9)));
    }

    [Fact]
    public void Add_SecondKeySetForSameAdministration_Throws()
    {
        // Arrange
        using var first = EcdsaP256Signer.Generate();
        using var other = EcdsaP256Signer.Generate();
        var registry = new KeyRegistry();
        registry.Add(Genesis(France, first));

        // Act
        var act = () => registry.Add(Genesis(France, other));

        // Assert
        Assert.Throws<InvalidOperationException>(act);
        Assert.IsType<KeyLookup.Found>(registry.Resolve(France, first.KeyId, At(9)));
    }

    private static KeySet Genesis(string administration, EcdsaP256Signer signer)
    {
        var keys = new KeySet(new TrustAnchor.GenesisKey(administration, signer.KeyId));
        Assert.Null(keys.Apply(Event(null, new KeyEvent.Added(signer.PublicKey), signer, At(8), administration)));
        return keys;
    }
}
