using MassTransit;

namespace Interconnect.Contracts;

/// <summary>
/// One administration's entries for a partner, in the order of the origin's Merkle log. The range
/// <c>[LogFrom, LogThrough)</c> counts the origin's log leaves this message covers, including those
/// the partner is not entitled to (they are simply absent), so the partner can tell a gap from a skip.
/// </summary>
/// <param name="Origin">The sending administration (the origin of every entry).</param>
/// <param name="Destination">The receiving administration.</param>
/// <param name="LogFrom">First log leaf index covered.</param>
/// <param name="LogThrough">Leaf count after the last leaf covered (exclusive end).</param>
/// <param name="Entries">The disclosed entries, in log order.</param>
/// <param name="Checkpoint">The origin's latest signed checkpoint (wire form), if it sends one.</param>
/// <param name="ConsistencyProof">Proof from <paramref name="ProofFromSize"/> to the checkpoint's size (wire form).</param>
/// <param name="ProofFromSize">Tree size of the destination's last checkpoint from the origin, as the origin last heard it.</param>
[MessageUrn("interconnect:replicate-entries:v1")]
public sealed record ReplicateEntries(
    string Origin,
    string Destination,
    long LogFrom,
    long LogThrough,
    IReadOnlyList<WireEntry> Entries,
    byte[]? Checkpoint,
    byte[]? ConsistencyProof,
    long ProofFromSize);

/// <summary>
/// Entries of one entity that a partner asked for to fill a gap in its copy of the chain; not part of
/// the log-ordered stream, so it moves no cursor.
/// </summary>
/// <param name="Origin">The sending administration.</param>
/// <param name="Destination">The requester.</param>
/// <param name="EntityKind">The entity's kind.</param>
/// <param name="EntityId">The entity's id.</param>
/// <param name="Entries">Consecutive entries of the entity, disclosed under the policy.</param>
[MessageUrn("interconnect:replicate-entity-range:v1")]
public sealed record ReplicateEntityRange(
    string Origin,
    string Destination,
    string EntityKind,
    string EntityId,
    IReadOnlyList<WireEntry> Entries);

/// <summary>A signed entry with the payload fields disclosed to the receiver.</summary>
/// <param name="Entry">The signed entry's wire form (docs/ledger-format.md section 4.4).</param>
/// <param name="Fields">The fields in the clear, each with its salt.</param>
public sealed record WireEntry(byte[] Entry, IReadOnlyList<WireField> Fields);

/// <summary>A disclosed payload field: name, value and the salt of its digest.</summary>
public sealed record WireField(string Name, string Value, byte[] Salt);

/// <summary>
/// The receiver's answer to a <see cref="ReplicateEntries"/> or <see cref="ReplicateEntityRange"/>:
/// one signed receipt (endorsement or rejection with a reason) per entry it decided on, and how far
/// it has processed the origin's stream.
/// </summary>
/// <param name="Issuer">The acknowledging administration.</param>
/// <param name="Origin">The administration whose entries are acknowledged.</param>
/// <param name="ReceivedThrough">The origin's log leaf count the issuer has processed without gaps.</param>
/// <param name="Receipts">Signed receipts (wire form, docs/ledger-format.md section 10).</param>
/// <param name="CheckpointSize">Tree size of the last checkpoint of the origin the issuer holds (0: none).</param>
[MessageUrn("interconnect:entries-acknowledged:v1")]
public sealed record EntriesAcknowledged(
    string Issuer,
    string Origin,
    long ReceivedThrough,
    IReadOnlyList<byte[]> Receipts,
    long CheckpointSize);

/// <summary>Asks the origin to send its stream again from a log position (the receiver found a gap).</summary>
/// <param name="Requester">The administration asking.</param>
/// <param name="Origin">The administration asked.</param>
/// <param name="LogFrom">The log leaf index to resume from.</param>
[MessageUrn("interconnect:request-log-range:v1")]
public sealed record RequestLogRange(string Requester, string Origin, long LogFrom);

/// <summary>Asks the origin for consecutive entries of one entity (the receiver holds a later one).</summary>
/// <param name="Requester">The administration asking.</param>
/// <param name="Origin">The administration asked.</param>
/// <param name="EntityKind">The entity's kind.</param>
/// <param name="EntityId">The entity's id.</param>
/// <param name="FromSequence">First sequence wanted.</param>
/// <param name="ThroughSequence">Last sequence wanted (inclusive).</param>
[MessageUrn("interconnect:request-entity-range:v1")]
public sealed record RequestEntityRange(
    string Requester,
    string Origin,
    string EntityKind,
    string EntityId,
    ulong FromSequence,
    ulong ThroughSequence);

/// <summary>
/// The importing administration's final business response to a shipment: a signed receipt with
/// verdict business-accepted or business-rejected (with the reason) on the shipment's latest entry.
/// </summary>
/// <param name="Issuer">The responding (importing) administration.</param>
/// <param name="Origin">The exporting administration that owns the shipment.</param>
/// <param name="Receipt">The signed receipt (wire form).</param>
[MessageUrn("interconnect:record-business-response:v1")]
public sealed record RecordBusinessResponse(string Issuer, string Origin, byte[] Receipt);
