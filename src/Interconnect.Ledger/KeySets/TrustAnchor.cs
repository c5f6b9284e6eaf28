using Interconnect.Ledger.Entries;

namespace Interconnect.Ledger.KeySets;

/// <summary>
/// What a partner pins out of band for an administration's key set: the genesis key id or the
/// genesis entry hash. Everything else in the set is trusted only because it chains back to this.
/// </summary>
public abstract record TrustAnchor
{
    private TrustAnchor(string administration)
    {
        Identifier.Require(administration, "administration");
        Administration = administration;
    }

    /// <summary>The administration whose key set this anchors.</summary>
    public string Administration { get; }

    /// <summary>True when <paramref name="genesis"/> (sequence 1, adding <paramref name="addedKeyId"/>) is the pinned one.</summary>
    public abstract bool Matches(EntryBody genesis, string addedKeyId);

    /// <summary>A sentence naming what is pinned.</summary>
    public abstract string Describe();

    /// <summary>Pins the key that the genesis adds (and self-signs with).</summary>
    public sealed record GenesisKey : TrustAnchor
    {
        /// <summary>Pins <paramref name="keyId"/> as <paramref name="administration"/>'s genesis key.</summary>
        public GenesisKey(string administration, string keyId)
            : base(administration)
        {
            Identifier.Require(keyId, "key id");
            KeyId = keyId;
        }

        /// <summary>The pinned genesis key id.</summary>
        public string KeyId { get; }

        /// <inheritdoc />
        public override bool Matches(EntryBody genesis, string addedKeyId)
        {
            ArgumentNullException.ThrowIfNull(genesis);
            return string.Equals(addedKeyId, KeyId, StringComparison.Ordinal);
        }

        /// <inheritdoc />
        public override string Describe() => $"genesis key {KeyId} of {Administration}";
    }

    /// <summary>Pins the hash of the genesis entry (and so its key, time and fields).</summary>
    public sealed record GenesisEntry : TrustAnchor
    {
        /// <summary>Pins <paramref name="entryHash"/> as <paramref name="administration"/>'s genesis entry.</summary>
        public GenesisEntry(string administration, Hash256 entryHash)
            : base(administration) => EntryHash = entryHash;

        /// <summary>The pinned genesis entry hash.</summary>
        public Hash256 EntryHash { get; }

        /// <inheritdoc />
        public override bool Matches(EntryBody genesis, string addedKeyId)
        {
            ArgumentNullException.ThrowIfNull(genesis);
            return genesis.Hash == EntryHash;
        }

        /// <inheritdoc />
        public override string Describe() => $"genesis entry {EntryHash} of {Administration}";
    }
}
