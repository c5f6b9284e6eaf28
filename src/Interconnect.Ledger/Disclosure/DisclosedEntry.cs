using System.Collections.Immutable;
using Interconnect.Ledger.Entries;

namespace Interconnect.Ledger.Disclosure;

/// <summary>
/// A signed entry with some of its fields in the clear (with salts). The rest are present only as
/// digests inside the signed body, so the receiver can verify the signature and each field it got,
/// and learns nothing about the others beyond their names.
/// </summary>
/// <param name="Entry">The signed entry.</param>
/// <param name="Fields">The fields disclosed to this receiver.</param>
public sealed record DisclosedEntry(LedgerEntry Entry, ImmutableArray<DisclosedField> Fields)
{
    /// <summary>Checks each disclosed field against the commitment of the same name in the signed body.</summary>
    /// <returns>Null when every field matches; otherwise what is wrong with the first that does not.</returns>
    public DisclosureFault? VerifyFields()
    {
        ArgumentNullException.ThrowIfNull(Entry);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            if (!seen.Add(field.Name))
            {
                return new DisclosureFault.DuplicateField(field.Name);
            }

            var commitment = Entry.Body.Field(field.Name);
            if (commitment is null)
            {
                return new DisclosureFault.FieldNotCommitted(field.Name);
            }

            if (field.Salt is null || field.Salt.Length < FieldDigest.SaltLength || field.Salt.Length > FieldDigest.MaxSaltLength)
            {
                return new DisclosureFault.BadSalt(field.Name, field.Salt?.Length ?? 0);
            }

            var actual = field.Digest();
            if (actual != commitment.Digest)
            {
                return new DisclosureFault.FieldDigestMismatch(field.Name, commitment.Digest, actual);
            }
        }

        return null;
    }

    /// <summary>The value of a disclosed field, or null when it was withheld.</summary>
    public string? this[string name] => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))?.Value;

    /// <summary>Names of the fields that the entry commits to but this receiver did not get.</summary>
    public IEnumerable<string> WithheldFieldNames =>
        Entry.Body.Fields.Select(f => f.Name).Where(n => !Fields.Any(d => string.Equals(d.Name, n, StringComparison.Ordinal)));
}

/// <summary>Why a disclosed field does not match the signed entry.</summary>
public abstract record DisclosureFault
{
    private DisclosureFault()
    {
    }

    /// <summary>A sentence for logs, rejections and auditors.</summary>
    public abstract string Describe();

    /// <summary>A field is disclosed that the entry does not commit to.</summary>
    public sealed record FieldNotCommitted(string Name) : DisclosureFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Field \"{Name}\" is not among the entry's signed field digests.";
    }

    /// <summary>A field's value and salt do not hash to the signed digest.</summary>
    public sealed record FieldDigestMismatch(string Name, Hash256 Expected, Hash256 Actual) : DisclosureFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Field \"{Name}\" hashes to {Actual}, but the entry signs {Expected}.";
    }

    /// <summary>The same field is disclosed twice.</summary>
    public sealed record DuplicateField(string Name) : DisclosureFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Field \"{Name}\" is disclosed twice.";
    }

    /// <summary>The salt is missing or of a length outside 16..64 bytes.</summary>
    public sealed record BadSalt(string Name, int Length) : DisclosureFault
    {
        /// <inheritdoc />
        public override string Describe() => $"Field \"{Name}\" carries a {Length}-byte salt; 16 to 64 bytes are required.";
    }
}
