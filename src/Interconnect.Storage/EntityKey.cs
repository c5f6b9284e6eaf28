using Interconnect.Ledger.Entries;

namespace Interconnect.Storage;

/// <summary>
/// Names one entity's chain: the administration that originates it, its kind and its natural id.
/// Entries received from partners are stored under the partner's origin, so one store holds both.
/// </summary>
public sealed record EntityKey
{
    /// <summary>Creates a key; throws <see cref="ArgumentException"/> for identifiers out of format.</summary>
    public EntityKey(string origin, string kind, string id)
    {
        Identifier.Require(origin, "origin administration");
        Identifier.Require(kind, "entity kind");
        Identifier.Require(id, "entity id");
        Origin = origin;
        Kind = kind;
        Id = id;
    }

    /// <summary>The originating administration.</summary>
    public string Origin { get; }

    /// <summary>The entity kind.</summary>
    public string Kind { get; }

    /// <summary>The entity's natural id.</summary>
    public string Id { get; }

    /// <summary>The key of the entity an entry belongs to.</summary>
    public static EntityKey Of(EntryBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new EntityKey(body.Origin, body.EntityKind, body.EntityId);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Origin}/{Kind}/{Id}";
}

/// <summary>The tip of an entity's chain as stored.</summary>
/// <param name="LastSequence">Sequence of the last entry (0 for an empty chain is never stored).</param>
/// <param name="LastHash">Hash of the last entry.</param>
/// <param name="LoggedThrough">Highest sequence whose hash is in the node's Merkle log (own entities).</param>
public sealed record EntityHead(ulong LastSequence, Ledger.Hash256 LastHash, ulong LoggedThrough);
