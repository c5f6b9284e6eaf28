using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.MraAgreements;

/// <summary>Status of a Mutual Recognition Arrangement.</summary>
[GenerateSerializer]
public enum MraStatus
{
    /// <summary>Nothing proposed yet.</summary>
    None,

    /// <summary>Proposed; waiting for the signed acceptance of every other party.</summary>
    Proposed,

    /// <summary>Every party's signed acceptance is recorded: partners may rely on each other's AEO status.</summary>
    InForce,

    /// <summary>Temporarily suspended; may be resumed or terminated.</summary>
    Suspended,

    /// <summary>Terminated; final.</summary>
    Terminated,
}

/// <summary>What one party of an MRA may receive: per entity kind, the payload fields in the clear.</summary>
/// <param name="PartyId">The receiving administration.</param>
/// <param name="Kinds">The entity kinds it receives, each with the fields it may read; others stay digests.</param>
[GenerateSerializer, Immutable]
public sealed record DataSharingPolicy([property: Id(0)] string PartyId, [property: Id(1)] IReadOnlyList<SharedEntityKind> Kinds)
{
    /// <summary>The fields this party may read in entries of <paramref name="entityKind"/>, or null when it receives none of that kind.</summary>
    public IReadOnlyList<string>? FieldsFor(string entityKind) =>
        Kinds.FirstOrDefault(k => string.Equals(k.EntityKind, entityKind, StringComparison.Ordinal))?.FieldNames;
}

/// <summary>One entity kind a party receives under an MRA, and the fields it may read.</summary>
/// <param name="EntityKind">e.g. "aeo-operator", "shipment".</param>
/// <param name="FieldNames">Payload field names disclosed in the clear.</param>
[GenerateSerializer, Immutable]
public sealed record SharedEntityKind([property: Id(0)] string EntityKind, [property: Id(1)] IReadOnlyList<string> FieldNames);

/// <summary>Propose an MRA; this administration is the proposer and its proposal counts as its own acceptance.</summary>
/// <param name="Title">Human-readable title, e.g. "EU-JP AEO mutual recognition".</param>
/// <param name="Parties">Administration ids of every party, this one included (2 or more).</param>
/// <param name="AeoProgrammes">AEO programmes recognised, e.g. AEOF, AEOS.</param>
/// <param name="DocumentTypes">Shipment document types exchanged, e.g. phytosanitary-certificate.</param>
/// <param name="SharingPolicies">Exactly one data-sharing policy per party.</param>
/// <param name="EndorsementQuorum">Endorsements of other parties an entry needs to be recognised (1 to parties - 1).</param>
[GenerateSerializer, Immutable]
public sealed record ProposeMraAgreement(
    [property: Id(0)] string Title,
    [property: Id(1)] IReadOnlyList<string> Parties,
    [property: Id(2)] IReadOnlyList<string> AeoProgrammes,
    [property: Id(3)] IReadOnlyList<string> DocumentTypes,
    [property: Id(4)] IReadOnlyList<DataSharingPolicy> SharingPolicies,
    [property: Id(5)] int EndorsementQuorum);

/// <summary>Record a partner's signed acceptance of our proposal, so the proof sits in our ledger.</summary>
/// <param name="PartyId">The accepting administration.</param>
/// <param name="Acceptance">Its own signed "mra.accepted" entry, with the fields it disclosed.</param>
[GenerateSerializer, Immutable]
public sealed record RecordMraAcceptance([property: Id(0)] string PartyId, [property: Id(1)] DisclosedEntry Acceptance);

/// <summary>Accept another administration's proposal: signs our "mra.accepted" entry, which the proposer records.</summary>
/// <param name="Proposal">The proposer's signed "mra.proposed" entry as received, every field disclosed.</param>
[GenerateSerializer, Immutable]
public sealed record AcceptMraAgreement([property: Id(0)] DisclosedEntry Proposal);

/// <summary>Suspend an agreement in force.</summary>
[GenerateSerializer, Immutable]
public sealed record SuspendMraAgreement([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>Resume a suspended agreement.</summary>
[GenerateSerializer, Immutable]
public sealed record ResumeMraAgreement([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>Terminate an agreement (or withdraw a proposal) for good.</summary>
[GenerateSerializer, Immutable]
public sealed record TerminateMraAgreement([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>The state of an MRA as folded from its ledger.</summary>
[GenerateSerializer, Immutable]
public sealed record MraAgreementView(
    [property: Id(0)] string AgreementId,
    [property: Id(1)] MraStatus Status,
    [property: Id(2)] string? Title,
    [property: Id(3)] string? ProposedBy,
    [property: Id(4)] IReadOnlyList<string> Parties,
    [property: Id(5)] IReadOnlyList<string> AeoProgrammes,
    [property: Id(6)] IReadOnlyList<string> DocumentTypes,
    [property: Id(7)] IReadOnlyList<DataSharingPolicy> SharingPolicies,
    [property: Id(8)] int EndorsementQuorum,
    [property: Id(9)] string? ProposalHash,
    [property: Id(10)] IReadOnlyList<string> AcceptedBy,
    [property: Id(11)] string? Reason,
    [property: Id(12)] DateTimeOffset? EffectiveAt,
    [property: Id(13)] ulong Sequence,
    [property: Id(14)] string? LastEntryHash)
{
    /// <summary>The data-sharing policy of <paramref name="partyId"/>, or null when it is not a party.</summary>
    public DataSharingPolicy? PolicyFor(string partyId) =>
        SharingPolicies.FirstOrDefault(p => string.Equals(p.PartyId, partyId, StringComparison.Ordinal));

    /// <summary>Parties whose signed acceptance is not yet recorded.</summary>
    public IEnumerable<string> AwaitingAcceptance => Parties.Except(AcceptedBy, StringComparer.Ordinal);
}

/// <summary>A Mutual Recognition Arrangement between customs administrations (keyed by agreement id).</summary>
public interface IMraAgreementGrain : IGrainWithStringKey
{
    /// <summary>Proposes the agreement.</summary>
    Task<MraAgreementView> Propose(ProposeMraAgreement command);

    /// <summary>Accepts a partner's proposal of this agreement (our own chain for it starts with the acceptance).</summary>
    Task<MraAgreementView> Accept(AcceptMraAgreement command);

    /// <summary>Records a partner's signed acceptance; the agreement enters into force with the last one.</summary>
    Task<MraAgreementView> RecordAcceptance(RecordMraAcceptance command);

    /// <summary>Suspends an agreement in force.</summary>
    Task<MraAgreementView> Suspend(SuspendMraAgreement command);

    /// <summary>Resumes a suspended agreement.</summary>
#pragma warning disable CA1716 // Grain interfaces are called from C#; the names are the customs terms (VB keywords are no concern).
    Task<MraAgreementView> Resume(ResumeMraAgreement command);
#pragma warning restore CA1716

    /// <summary>Terminates the agreement.</summary>
    Task<MraAgreementView> Terminate(TerminateMraAgreement command);

    /// <summary>The current state.</summary>
    Task<MraAgreementView> GetState();

    /// <summary>The agreement's ledger entries with all fields, from a sequence on.</summary>
    Task<IReadOnlyList<DisclosedEntry>> GetLedger(ulong fromSequence, int maxCount);
}
