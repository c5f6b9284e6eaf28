using System.ComponentModel.DataAnnotations;
using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Node.Api.MraAgreements;

/// <summary>Propose an MRA; this administration is the proposer and its proposal counts as its acceptance.</summary>
/// <param name="AgreementId">3 to 64 upper-case letters, digits or '-', e.g. MRA-NL-JP-2026.</param>
/// <param name="Title">Human-readable title.</param>
/// <param name="Parties">Every party's administration id, this one included.</param>
/// <param name="AeoProgrammes">AEO programmes recognised, e.g. AEOF.</param>
/// <param name="DocumentTypes">Shipment document types exchanged, e.g. phytosanitary-certificate.</param>
/// <param name="SharingPolicies">One data-sharing policy per party: the entity kinds and fields it may receive.</param>
/// <param name="EndorsementQuorum">Endorsements of other parties an entry needs to be recognised (1 to parties - 1).</param>
public sealed record ProposeMraRequest(
    [property: Required] string? AgreementId,
    [property: Required] string? Title,
    [property: Required] IReadOnlyList<string>? Parties,
    [property: Required] IReadOnlyList<string>? AeoProgrammes,
    [property: Required] IReadOnlyList<string>? DocumentTypes,
    [property: Required] IReadOnlyList<DataSharingPolicy>? SharingPolicies,
    [property: Required] int? EndorsementQuorum);

/// <summary>An MRA as this administration's ledger records it.</summary>
/// <param name="AgreementId">The agreement id.</param>
/// <param name="Role">"proposer" (the chain is our proposal) or "acceptor" (the chain holds our acceptance of a partner's proposal).</param>
/// <param name="Status">"proposed", "in-force", "suspended", "terminated"; "accepted" for an acceptor's chain.</param>
/// <param name="Title">Title.</param>
/// <param name="ProposedBy">The proposing administration.</param>
/// <param name="Parties">Every party.</param>
/// <param name="AeoProgrammes">AEO programmes recognised.</param>
/// <param name="DocumentTypes">Document types exchanged.</param>
/// <param name="SharingPolicies">Each party's data-sharing policy.</param>
/// <param name="EndorsementQuorum">Endorsements an entry needs.</param>
/// <param name="ProposalHash">The proposal entry's hash (hex).</param>
/// <param name="AcceptedBy">Parties whose signed acceptance is recorded (the proposer included).</param>
/// <param name="AwaitingAcceptance">Parties whose acceptance is still missing.</param>
/// <param name="Reason">Reason of the last suspension, resumption or termination.</param>
/// <param name="EffectiveAt">When the current status took effect.</param>
/// <param name="Sequence">The last entry's sequence.</param>
/// <param name="LastEntryHash">The last entry's hash (hex).</param>
public sealed record MraAgreementResponse(
    string AgreementId,
    string Role,
    string Status,
    string? Title,
    string? ProposedBy,
    IReadOnlyList<string> Parties,
    IReadOnlyList<string> AeoProgrammes,
    IReadOnlyList<string> DocumentTypes,
    IReadOnlyList<DataSharingPolicy> SharingPolicies,
    int EndorsementQuorum,
    string? ProposalHash,
    IReadOnlyList<string> AcceptedBy,
    IReadOnlyList<string> AwaitingAcceptance,
    string? Reason,
    DateTimeOffset? EffectiveAt,
    ulong Sequence,
    string? LastEntryHash)
{
    /// <summary>Role of a chain that is our own proposal.</summary>
    public const string Proposer = "proposer";

    /// <summary>Role of a chain that holds our acceptance of a partner's proposal.</summary>
    public const string Acceptor = "acceptor";

    /// <summary>From the grain's view of our proposal (or of a partner's, as the mesh returns it on acceptance).</summary>
    public static MraAgreementResponse From(MraAgreementView view, string role = Proposer)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(
            view.AgreementId, role, MraAgreementGrain.StatusName(view.Status), view.Title, view.ProposedBy, view.Parties, view.AeoProgrammes,
            view.DocumentTypes, view.SharingPolicies, view.EndorsementQuorum, view.ProposalHash, view.AcceptedBy, [.. view.AwaitingAcceptance],
            view.Reason, view.EffectiveAt, view.Sequence, view.LastEntryHash);
    }

    /// <summary>From our own chain that starts with our acceptance of a partner's proposal.</summary>
    public static MraAgreementResponse FromAcceptance(string agreementId, DisclosedEntry acceptance, DisclosedEntry last)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        ArgumentNullException.ThrowIfNull(last);
        return new(
            agreementId, Acceptor, "accepted", null, null, [], [], [], [], 0, acceptance[MraAcceptance.ProposalHashField], [acceptance.Entry.Body.Origin], [],
            null, acceptance.Entry.Body.Timestamp, last.Entry.Body.Sequence, last.Entry.Body.Hash.ToString());
    }
}
