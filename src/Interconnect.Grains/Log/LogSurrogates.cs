using Interconnect.Ledger;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Encoding;
using Interconnect.Ledger.Merkle;
using Interconnect.Storage;
using Orleans.Serialization.Cloning;

namespace Interconnect.Grains.Log;

// The log's grain calls carry ledger and storage values, which know nothing of Orleans: each travels
// as a surrogate, in its specified byte form where it has one (docs/ledger-format.md), and is decoded
// with the same checks as anywhere else. All of them are immutable, so calls within a silo share them.

/// <summary>A <see cref="Hash256"/> on a grain call: its 32 bytes.</summary>
[GenerateSerializer, Immutable]
public readonly struct Hash256Surrogate
{
    /// <summary>The hash.</summary>
    [Id(0)]
    public byte[] Bytes { get; init; }
}

/// <summary>Converts <see cref="Hash256"/>.</summary>
[RegisterConverter]
public sealed class Hash256Converter : IConverter<Hash256, Hash256Surrogate>
{
    /// <inheritdoc />
    public Hash256 ConvertFromSurrogate(in Hash256Surrogate surrogate) => Hash256.FromBytes(surrogate.Bytes);

    /// <inheritdoc />
    public Hash256Surrogate ConvertToSurrogate(in Hash256 value) => new() { Bytes = value.ToArray() };
}

/// <summary>An <see cref="EntityKey"/> on a grain call.</summary>
[GenerateSerializer, Immutable]
public readonly struct EntityKeySurrogate
{
    /// <summary>The originating administration.</summary>
    [Id(0)]
    public string Origin { get; init; }

    /// <summary>The entity kind.</summary>
    [Id(1)]
    public string Kind { get; init; }

    /// <summary>The entity id.</summary>
    [Id(2)]
    public string Id { get; init; }
}

/// <summary>Converts <see cref="EntityKey"/>.</summary>
[RegisterConverter]
public sealed class EntityKeyConverter : IConverter<EntityKey, EntityKeySurrogate>
{
    /// <inheritdoc />
    public EntityKey ConvertFromSurrogate(in EntityKeySurrogate surrogate) => new(surrogate.Origin, surrogate.Kind, surrogate.Id);

    /// <inheritdoc />
    public EntityKeySurrogate ConvertToSurrogate(in EntityKey value) => new() { Origin = value.Origin, Kind = value.Kind, Id = value.Id };
}

/// <summary>A <see cref="LogLeaf"/> on a grain call.</summary>
[GenerateSerializer, Immutable]
public readonly struct LogLeafSurrogate
{
    /// <summary>The leaf index.</summary>
    [Id(0)]
    public long Index { get; init; }

    /// <summary>The entry hash.</summary>
    [Id(1)]
    public Hash256 EntryHash { get; init; }

    /// <summary>The entity.</summary>
    [Id(2)]
    public EntityKey Entity { get; init; }

    /// <summary>The entry's sequence.</summary>
    [Id(3)]
    public ulong Sequence { get; init; }
}

/// <summary>Converts <see cref="LogLeaf"/>.</summary>
[RegisterConverter]
public sealed class LogLeafConverter : IConverter<LogLeaf, LogLeafSurrogate>
{
    /// <inheritdoc />
    public LogLeaf ConvertFromSurrogate(in LogLeafSurrogate surrogate) => new(surrogate.Index, surrogate.EntryHash, surrogate.Entity, surrogate.Sequence);

    /// <inheritdoc />
    public LogLeafSurrogate ConvertToSurrogate(in LogLeaf value) =>
        new() { Index = value.Index, EntryHash = value.EntryHash, Entity = value.Entity, Sequence = value.Sequence };
}

/// <summary>A <see cref="SignedCheckpoint"/>, an <see cref="InclusionProof"/> or a <see cref="ConsistencyProof"/> on a grain call: its encoding.</summary>
[GenerateSerializer, Immutable]
public readonly struct EncodedSurrogate
{
    /// <summary>The value's specified encoding.</summary>
    [Id(0)]
    public byte[] Bytes { get; init; }
}

/// <summary>Converts <see cref="SignedCheckpoint"/>.</summary>
[RegisterConverter]
public sealed class SignedCheckpointConverter : IConverter<SignedCheckpoint, EncodedSurrogate>
{
    /// <inheritdoc />
    public SignedCheckpoint ConvertFromSurrogate(in EncodedSurrogate surrogate) =>
        Decoded(SignedCheckpoint.Decode(surrogate.Bytes), "checkpoint");

    /// <inheritdoc />
    public EncodedSurrogate ConvertToSurrogate(in SignedCheckpoint value) => new() { Bytes = value.Encode() };

    internal static T Decoded<T>(Decoded<T> decoded, string what)
        where T : class =>
        decoded.Value ?? throw new InvalidOperationException($"A {what} on a grain call does not decode: {decoded.Error?.Message}");
}

/// <summary>Converts <see cref="InclusionProof"/>.</summary>
[RegisterConverter]
public sealed class InclusionProofConverter : IConverter<InclusionProof, EncodedSurrogate>
{
    /// <inheritdoc />
    public InclusionProof ConvertFromSurrogate(in EncodedSurrogate surrogate) =>
        SignedCheckpointConverter.Decoded(InclusionProof.Decode(surrogate.Bytes), "inclusion proof");

    /// <inheritdoc />
    public EncodedSurrogate ConvertToSurrogate(in InclusionProof value) => new() { Bytes = value.Encode() };
}

/// <summary>Converts <see cref="ConsistencyProof"/>.</summary>
[RegisterConverter]
public sealed class ConsistencyProofConverter : IConverter<ConsistencyProof, EncodedSurrogate>
{
    /// <inheritdoc />
    public ConsistencyProof ConvertFromSurrogate(in EncodedSurrogate surrogate) =>
        SignedCheckpointConverter.Decoded(ConsistencyProof.Decode(surrogate.Bytes), "consistency proof");

    /// <inheritdoc />
    public EncodedSurrogate ConvertToSurrogate(in ConsistencyProof value) => new() { Bytes = value.Encode() };
}

/// <summary>Immutable values pass between grains of one silo uncopied.</summary>
/// <typeparam name="T">An immutable ledger or storage type.</typeparam>
public abstract class ImmutableCopier<T> : IDeepCopier<T>
    where T : class
{
    /// <inheritdoc />
    public T? DeepCopy(T? input, CopyContext context) => input;
}

/// <summary>Shares <see cref="EntityKey"/> within a silo.</summary>
[RegisterCopier]
public sealed class EntityKeyCopier : ImmutableCopier<EntityKey>;

/// <summary>Shares <see cref="LogLeaf"/> within a silo.</summary>
[RegisterCopier]
public sealed class LogLeafCopier : ImmutableCopier<LogLeaf>;

/// <summary>Shares <see cref="SignedCheckpoint"/> within a silo.</summary>
[RegisterCopier]
public sealed class SignedCheckpointCopier : ImmutableCopier<SignedCheckpoint>;

/// <summary>Shares <see cref="InclusionProof"/> within a silo.</summary>
[RegisterCopier]
public sealed class InclusionProofCopier : ImmutableCopier<InclusionProof>;

/// <summary>Shares <see cref="ConsistencyProof"/> within a silo.</summary>
[RegisterCopier]
public sealed class ConsistencyProofCopier : ImmutableCopier<ConsistencyProof>;
