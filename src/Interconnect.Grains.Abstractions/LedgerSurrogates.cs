using System.Collections.Immutable;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Orleans.Serialization.Cloning;

namespace Interconnect.Grains.Runtime;

/// <summary>
/// How a <see cref="DisclosedEntry"/> crosses a grain call: the entry in its wire form
/// (docs/ledger-format.md), which the receiving side decodes with the same checks as any entry, and
/// the disclosed fields. The ledger library knows nothing of Orleans, so its types travel as these.
/// </summary>
[GenerateSerializer, Immutable]
public readonly struct DisclosedEntrySurrogate
{
    /// <summary>The encoded entry (signing input and signature).</summary>
    [Id(0)]
    public byte[] Entry { get; init; }

    /// <summary>Disclosed field names, in order.</summary>
    [Id(1)]
    public string[] Names { get; init; }

    /// <summary>Disclosed field values, in the order of <see cref="Names"/>.</summary>
    [Id(2)]
    public string[] Values { get; init; }

    /// <summary>Field salts, in the order of <see cref="Names"/>.</summary>
    [Id(3)]
    public byte[][] Salts { get; init; }
}

/// <summary>Converts a <see cref="DisclosedEntry"/> to and from its surrogate.</summary>
[RegisterConverter]
public sealed class DisclosedEntryConverter : IConverter<DisclosedEntry, DisclosedEntrySurrogate>
{
    /// <inheritdoc />
    public DisclosedEntry ConvertFromSurrogate(in DisclosedEntrySurrogate surrogate)
    {
        var decoded = LedgerEntry.Decode(surrogate.Entry);
        var entry = decoded.Value ?? throw new InvalidOperationException($"A disclosed entry in a grain call does not decode: {decoded.Error?.Message}");
        var fields = ImmutableArray.CreateBuilder<DisclosedField>(surrogate.Names.Length);
        for (var i = 0; i < surrogate.Names.Length; i++)
        {
            fields.Add(new DisclosedField(surrogate.Names[i], surrogate.Values[i], surrogate.Salts[i]));
        }

        return new DisclosedEntry(entry, fields.MoveToImmutable());
    }

    /// <inheritdoc />
    public DisclosedEntrySurrogate ConvertToSurrogate(in DisclosedEntry value) => new()
    {
        Entry = value.Entry.Encode(),
        Names = [.. value.Fields.Select(f => f.Name)],
        Values = [.. value.Fields.Select(f => f.Value)],
        Salts = [.. value.Fields.Select(f => f.Salt)],
    };
}

/// <summary>
/// Entries are immutable once signed, so a call between grains in one silo passes the same object
/// instead of copying it (what Orleans does for types marked immutable).
/// </summary>
[RegisterCopier]
public sealed class DisclosedEntryCopier : IDeepCopier<DisclosedEntry>
{
    /// <inheritdoc />
    public DisclosedEntry? DeepCopy(DisclosedEntry? input, CopyContext context) => input;
}
