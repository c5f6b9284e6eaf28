using System.Collections.Immutable;
using Interconnect.Ledger.Entries;

namespace Interconnect.Ledger.Disclosure;

/// <summary>
/// A payload sealed for signing: every field with its fresh salt, and the sorted commitments that go
/// into the entry body. The origin keeps the whole; partners get a <see cref="DisclosedEntry"/>.
/// </summary>
public sealed class SealedPayload
{
    private SealedPayload(ImmutableArray<DisclosedField> fields)
    {
        Fields = fields;
        var commitments = new FieldCommitment[fields.Length];
        for (var i = 0; i < commitments.Length; i++)
        {
            commitments[i] = new FieldCommitment(fields[i].Name, fields[i].Digest());
        }

        Commitments = ImmutableCollections.AsImmutable(commitments);
    }

    /// <summary>All fields in the clear, sorted by name.</summary>
    public ImmutableArray<DisclosedField> Fields { get; }

    /// <summary>The commitments for the entry body, in the same order.</summary>
    public ImmutableArray<FieldCommitment> Commitments { get; }

    /// <summary>Seals named values with fresh random salts; refuses bad names, duplicates and oversize.</summary>
    public static SealedPayload Seal(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        // One call to the secure random source for all salts: it dominates sealing otherwise.
        var list = values as IReadOnlyCollection<KeyValuePair<string, string>> ?? values.ToList();
        var salts = System.Security.Cryptography.RandomNumberGenerator.GetBytes(list.Count * FieldDigest.SaltLength);
        var i = 0;
        return FromSalted(list.Select(v => new DisclosedField(v.Key, v.Value ?? string.Empty, salts.AsSpan(FieldDigest.SaltLength * i++, FieldDigest.SaltLength).ToArray())));
    }

    /// <summary>Rebuilds a sealed payload from stored fields and salts (validated the same way).</summary>
    public static SealedPayload FromSalted(IEnumerable<DisclosedField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var array = fields.ToArray();
        Array.Sort(array, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var sorted = ImmutableCollections.AsImmutable(array);
        if (sorted.Length > EntryLimits.MaxFields)
        {
            throw new ArgumentException($"A payload has at most {EntryLimits.MaxFields} fields; {sorted.Length} given.", nameof(fields));
        }

        long total = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var field = sorted[i];
            Identifier.Require(field.Name, "field name");
            if (i > 0 && string.Equals(sorted[i - 1].Name, field.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The field \"{field.Name}\" appears twice.", nameof(fields));
            }

            var size = System.Text.Encoding.UTF8.GetByteCount(field.Value);
            if (size > FieldDigest.MaxValueBytes)
            {
                throw new ArgumentException($"The field \"{field.Name}\" is {size} bytes; at most {FieldDigest.MaxValueBytes} allowed.", nameof(fields));
            }

            total += size;
        }

        if (total > EntryLimits.MaxPayloadBytes)
        {
            throw new ArgumentException($"The payload is {total} bytes; at most {EntryLimits.MaxPayloadBytes} allowed.", nameof(fields));
        }

        return new SealedPayload(sorted);
    }

    /// <summary>The value of a field, or null.</summary>
    public string? this[string name] => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))?.Value;

    /// <summary>Only the named fields, for a partner entitled to exactly those.</summary>
    public ImmutableArray<DisclosedField> Select(IReadOnlySet<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return Fields.Where(f => allowed.Contains(f.Name)).ToImmutableArray();
    }
}

/// <summary>Wraps arrays this library just built and will not touch again, without copying.</summary>
internal static class ImmutableCollections
{
    public static ImmutableArray<T> AsImmutable<T>(T[] array) => System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(array);
}
