using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage;

/// <summary>
/// Limits every provider enforces identically, so code that works on the in-memory store also
/// works on Azure Table storage. They come from the tightest provider: an Azure entity-group
/// transaction holds at most 100 operations and 4 MiB.
/// </summary>
public static class StorageLimits
{
    /// <summary>Most entries in one atomic append (plus the head row makes 100 batch operations).</summary>
    public const int MaxEntriesPerAppend = 99;

    /// <summary>
    /// Largest sum of encoded entry bytes and field bytes in one append. Binary travels as base64
    /// (4/3) in a batch limited to 4 MiB, so 2 MiB leaves room for the encoding and the envelope.
    /// One entry at its largest (64 KiB encoded, 256 KiB of values, salts) always fits.
    /// </summary>
    public const int MaxAppendBytes = 2 * 1024 * 1024;

    /// <summary>Most leaves in one atomic log append (each leaf is two rows: the leaf and its hash index).</summary>
    public const int MaxLeavesPerAppend = 49;

    /// <summary>Largest encoded signed checkpoint accepted.</summary>
    public const int MaxCheckpointBytes = 64 * 1024;

    /// <summary>Largest encoded signed receipt accepted (a valid one is at most <see cref="Ledger.Receipts.SignedReceipt.MaxEncodedBytes"/>).</summary>
    public const int MaxReceiptBytes = 8 * 1024;

    /// <summary>The bytes an entry occupies in the store's accounting (encoded entry plus fields).</summary>
    public static long SizeOf(DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // The encoded entry is its signing input, then the signature with a u32 length prefix
        // (LedgerEntry.Encode); counted without building the encoding, which only the size needs.
        long size = entry.Entry.Body.SigningInput.Length + sizeof(uint) + entry.Entry.Signature.Length;
        foreach (var field in entry.Fields)
        {
            size += System.Text.Encoding.UTF8.GetByteCount(field.Value) + field.Name.Length + (field.Salt?.Length ?? 0);
        }

        return size;
    }
}

/// <summary>
/// The input checks every provider runs before touching storage, so they refuse the same
/// requests with the same messages (invariant violations are refused, never repaired).
/// </summary>
public static class StoreInputRules
{
    /// <summary>Refuses an append that could never be valid, whatever is stored.</summary>
    public static void CheckEntityAppend(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException($"An append to {entity} needs at least one entry.", nameof(entries));
        }

        if (entries.Count > StorageLimits.MaxEntriesPerAppend)
        {
            throw new ArgumentException(
                $"An append holds at most {StorageLimits.MaxEntriesPerAppend} entries; {entries.Count} given for {entity}. Split it into several appends.",
                nameof(entries));
        }

        long bytes = 0;
        LedgerEntry? previous = null;
        var expected = expectedLastSequence + 1;
        foreach (var item in entries)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(entries));
            ArgumentNullException.ThrowIfNull(item.Entry, nameof(entries));
            var body = item.Entry.Body;
            // Compared field by field: building a key validates all three identifiers again.
            if (!string.Equals(body.Origin, entity.Origin, StringComparison.Ordinal)
                || !string.Equals(body.EntityKind, entity.Kind, StringComparison.Ordinal)
                || !string.Equals(body.EntityId, entity.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Entry {body.Sequence} belongs to {EntityKey.Of(body)}, not {entity}.", nameof(entries));
            }

            if (body.Sequence != expected)
            {
                throw new ArgumentException($"Sequence {expected} expected for {entity}, {body.Sequence} given.", nameof(entries));
            }

            if (previous is not null && body.PreviousHash != previous.Hash)
            {
                throw new ArgumentException(
                    $"Entry {body.Sequence} of {entity} links to {body.PreviousHash}, but entry {previous.Body.Sequence} hashes to {previous.Hash}.",
                    nameof(entries));
            }

            CheckFields(entity, item);
            bytes += StorageLimits.SizeOf(item);
            previous = item.Entry;
            expected++;
        }

        if (bytes > StorageLimits.MaxAppendBytes)
        {
            throw new ArgumentException(
                $"The append to {entity} is {bytes} bytes; at most {StorageLimits.MaxAppendBytes} fit in one atomic write. Split it into several appends.",
                nameof(entries));
        }
    }

    /// <summary>Refuses a first entry that does not continue the stored chain's last hash.</summary>
    public static void CheckLink(EntityKey entity, Ledger.Hash256 storedLastHash, DisclosedEntry first)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (first.Entry.Body.PreviousHash != storedLastHash)
        {
            throw new ArgumentException(
                $"Entry {first.Entry.Body.Sequence} of {entity} links to {first.Entry.Body.PreviousHash}, but the stored chain ends with {storedLastHash}.",
                nameof(first));
        }
    }

    /// <summary>Refuses a log append whose leaves do not run on from <paramref name="expectedSize"/>.</summary>
    public static void CheckLogAppend(long expectedSize, IReadOnlyList<LogLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedSize);
        if (leaves.Count == 0)
        {
            throw new ArgumentException("A log append needs at least one leaf.", nameof(leaves));
        }

        if (leaves.Count > StorageLimits.MaxLeavesPerAppend)
        {
            throw new ArgumentException(
                $"A log append holds at most {StorageLimits.MaxLeavesPerAppend} leaves; {leaves.Count} given. Split it into several appends.",
                nameof(leaves));
        }

        // Most appends carry one leaf or a few: compared pairwise, without a set per append.
        var seen = leaves.Count > 8 ? new HashSet<Ledger.Hash256>() : null;
        for (var i = 0; i < leaves.Count; i++)
        {
            var leaf = leaves[i];
            ArgumentNullException.ThrowIfNull(leaf, nameof(leaves));
            ArgumentNullException.ThrowIfNull(leaf.Entity, nameof(leaves));
            if (leaf.Index != expectedSize + i)
            {
                throw new ArgumentException($"Leaf index {expectedSize + i} expected, {leaf.Index} given.", nameof(leaves));
            }

            if (leaf.Sequence == 0)
            {
                throw new ArgumentException($"Leaf {leaf.Index} names sequence 0; sequences start at 1.", nameof(leaves));
            }

            if (seen is null ? AppearsBefore(leaves, i) : !seen.Add(leaf.EntryHash))
            {
                throw new ArgumentException($"Entry hash {leaf.EntryHash} appears twice in one log append.", nameof(leaves));
            }
        }
    }

    private static bool AppearsBefore(IReadOnlyList<LogLeaf> leaves, int index)
    {
        for (var j = 0; j < index; j++)
        {
            if (leaves[j].EntryHash == leaves[index].EntryHash)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Refuses a read with a non-positive count.</summary>
    public static void CheckMaxCount(int maxCount) => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);

    /// <summary>Refuses a partner state that cannot be stored.</summary>
    public static void CheckPartnerState(PartnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Identifier.Require(state.Partner, "partner administration");
        ArgumentOutOfRangeException.ThrowIfNegative(state.AcknowledgedThrough);
        ArgumentOutOfRangeException.ThrowIfNegative(state.ReceivedThrough);
        if (state.LastCheckpoint is { Length: > StorageLimits.MaxCheckpointBytes })
        {
            throw new ArgumentException(
                $"A partner checkpoint is at most {StorageLimits.MaxCheckpointBytes} bytes; {state.LastCheckpoint.Length} given.", nameof(state));
        }
    }

    /// <summary>Refuses a checkpoint that cannot be stored.</summary>
    public static void CheckCheckpoint(long treeSize, byte[] signedCheckpoint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentNullException.ThrowIfNull(signedCheckpoint);
        if (signedCheckpoint.Length == 0 || signedCheckpoint.Length > StorageLimits.MaxCheckpointBytes)
        {
            throw new ArgumentException(
                $"A checkpoint is 1 to {StorageLimits.MaxCheckpointBytes} bytes; {signedCheckpoint.Length} given.", nameof(signedCheckpoint));
        }
    }

    /// <summary>Refuses a receipt that cannot be stored.</summary>
    public static void CheckReceipt(StoredReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(receipt.Entity, nameof(receipt));
        ArgumentNullException.ThrowIfNull(receipt.SignedReceipt, nameof(receipt));
        Identifier.Require(receipt.Issuer, "issuer administration");
        if (receipt.Sequence == 0)
        {
            throw new ArgumentException($"A receipt for {receipt.Entity} names sequence 0; sequences start at 1.", nameof(receipt));
        }

        if (!Enum.IsDefined(receipt.Verdict))
        {
            throw new ArgumentException($"Receipt verdict {(byte)receipt.Verdict} is unknown.", nameof(receipt));
        }

        if (receipt.SignedReceipt.Length == 0 || receipt.SignedReceipt.Length > StorageLimits.MaxReceiptBytes)
        {
            throw new ArgumentException(
                $"A signed receipt is 1 to {StorageLimits.MaxReceiptBytes} bytes; {receipt.SignedReceipt.Length} given for {receipt.Entity}#{receipt.Sequence} from {receipt.Issuer}.",
                nameof(receipt));
        }
    }

    private static void CheckFields(EntityKey entity, DisclosedEntry item)
    {
        // The store keeps exactly what verifies: a field that does not match its signed digest
        // would be served to partners later as if it were signed.
        if (SealedHere(item))
        {
            return;
        }

        var fault = item.VerifyFields();
        if (fault is not null)
        {
            throw new ArgumentException($"Entry {item.Entry.Body.Sequence} of {entity}: {fault.Describe()}", nameof(item));
        }
    }

    // True only when VerifyFields would find nothing wrong, without hashing: no name twice, and every
    // field's salt, name and value are those of a field sealed in this process whose digest is the
    // one the entry signs (see SealedFields). Anything else takes the full check.
    private static bool SealedHere(DisclosedEntry item)
    {
        var fields = item.Fields;
        if (fields.IsDefault)
        {
            return false;
        }

        var body = item.Entry.Body;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];

            // Names in strictly ascending order: no field is disclosed twice.
            if (field is null || (i > 0 && string.CompareOrdinal(fields[i - 1].Name, field.Name) >= 0))
            {
                return false;
            }

            if (body.Field(field.Name) is not { } commitment || !SealedFields.Vouches(field, commitment.Digest))
            {
                return false;
            }
        }

        return true;
    }
}
