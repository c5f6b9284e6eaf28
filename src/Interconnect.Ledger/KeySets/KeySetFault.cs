using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Ledger.KeySets;

/// <summary>Exactly why a key-set entry was refused. The key set is left as it was.</summary>
/// <param name="Sequence">The sequence number of the refused entry.</param>
public abstract record KeySetFault(ulong Sequence)
{
    /// <summary>A sentence for logs, signed rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>The entry does not belong to this key set (origin, entity kind or entity id).</summary>
    public sealed record NotThisKeySet(ulong Sequence, string Expected, string Actual) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: belongs to {Actual}, not to the key set {Expected}.";
    }

    /// <summary>The entry does not follow the set's last entry (sequence, previous hash, time).</summary>
    public sealed record Chain(EntryFault Fault) : KeySetFault(Fault?.Sequence ?? 0)
    {
        /// <inheritdoc />
        public override string Describe() => Fault.Describe();
    }

    /// <summary>A disclosed field does not match the digest the entry signs.</summary>
    public sealed record FieldsDoNotVerify(ulong Sequence, DisclosureFault Fault) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: {Fault.Describe()}";
    }

    /// <summary>The entry type is not a key-set event.</summary>
    public sealed record UnknownEventType(ulong Sequence, string EntryType) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Entry {Sequence}: \"{EntryType}\" is not a key-set event ({KeySetFormat.KeyAdded}, {KeySetFormat.KeyRotated}, {KeySetFormat.KeyRevoked}).";
    }

    /// <summary>A field is missing, withheld, unexpected or not in its exact format.</summary>
    public sealed record MalformedField(ulong Sequence, string Field, string Problem) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: field \"{Field}\" {Problem}.";
    }

    /// <summary>The declared key id is not the one derived from the public key.</summary>
    public sealed record KeyIdMismatch(ulong Sequence, string Declared, string Derived) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: key id {Declared} is declared, but the public key's id is {Derived}.";
    }

    /// <summary>The first entry is not a key.added.</summary>
    public sealed record GenesisMustAddKey(ulong Sequence, string EntryType) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: a key set starts with {KeySetFormat.KeyAdded}, not {EntryType}.";
    }

    /// <summary>The genesis is not signed by the key it adds.</summary>
    public sealed record GenesisNotSelfSigned(ulong Sequence, string AddedKeyId, string SignerKeyId) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: the genesis adds key {AddedKeyId} but names key {SignerKeyId} as its signer.";
    }

    /// <summary>The genesis is not the one pinned out of band.</summary>
    public sealed record AnchorMismatch(ulong Sequence, TrustAnchor Anchor, string KeyId, Hash256 EntryHash) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() =>
            $"Entry {Sequence}: the genesis (entry {EntryHash}, key {KeyId}) is not the pinned {Anchor.Describe()}.";
    }

    /// <summary>The entry's signer was unknown or not valid at the entry's time (in the set before the entry).</summary>
    public sealed record NotSignedByValidKey(ulong Sequence, string KeyId, DateTimeOffset At, string Reason) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: signer key {KeyId} was not valid at {KeySetFormat.FormatTime(At)} ({Reason}).";
    }

    /// <summary>The signature does not verify with the key the entry names.</summary>
    public sealed record BadSignature(ulong Sequence, string KeyId) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: the signature does not verify with key {KeyId}.";
    }

    /// <summary>A rotation is signed by another key than the one it replaces.</summary>
    public sealed record RotationNotSignedByReplacedKey(ulong Sequence, string ReplacedKeyId, string SignerKeyId) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: the rotation replaces key {ReplacedKeyId} but is signed by key {SignerKeyId}.";
    }

    /// <summary>The key being added is already in the set (keys are never re-added).</summary>
    public sealed record DuplicateKey(ulong Sequence, string KeyId) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: key {KeyId} is already in the key set.";
    }

    /// <summary>The key being rotated or revoked is not in the set.</summary>
    public sealed record UnknownKey(ulong Sequence, string KeyId) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: key {KeyId} is not in the key set.";
    }

    /// <summary>The key being rotated or revoked had already stopped being valid by the time given.</summary>
    public sealed record KeyAlreadyEnded(ulong Sequence, string KeyId, DateTimeOffset EndedAt, string How) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: key {KeyId} already stopped being valid at {KeySetFormat.FormatTime(EndedAt)} ({How}).";
    }

    /// <summary>A registry holds no key set for the entry's origin.</summary>
    public sealed record UnknownAdministration(ulong Sequence, string Origin) : KeySetFault(Sequence)
    {
        /// <inheritdoc />
        public override string Describe() => $"Entry {Sequence}: no key set is held for administration {Origin}.";
    }
}
