using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.MraAgreements;

/// <summary>
/// A party's acceptance of an MRA proposal: an "mra.accepted" entry in the accepting party's own
/// ledger (its origin, its key), naming the proposal by entry hash. The proposer records it in its
/// ledger so that "in force" can be proven from the proposer's ledger alone.
/// </summary>
public static class MraAcceptance
{
    /// <summary>The entry type of an acceptance.</summary>
    public const string EntryType = "mra.accepted";

    /// <summary>The field naming the accepted proposal (hex entry hash).</summary>
    public const string ProposalHashField = "proposalHash";

    /// <summary>The field naming the agreement.</summary>
    public const string AgreementIdField = "agreementId";

    /// <summary>
    /// Signs <paramref name="partyId"/>'s acceptance of <paramref name="proposal"/>, as the next entry of
    /// that party's own chain for the agreement (after <paramref name="previous"/>, or first when null).
    /// </summary>
    public static DisclosedEntry Create(LedgerEntry proposal, string partyId, ISigner signer, DateTimeOffset at, EntryBody? previous = null)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(signer);
        var agreementId = proposal.Body.EntityId;
        var payload = SealedPayload.Seal(new Dictionary<string, string>
        {
            [AgreementIdField] = agreementId,
            [ProposalHashField] = proposal.Hash.ToString(),
        });
        var time = EntryBody.TruncateToMicros(at);
        if (previous is not null && time < previous.Timestamp)
        {
            time = previous.Timestamp;
        }

        var body = new EntryBody(
            partyId, MraAgreementGrain.EntityKind, agreementId, (previous?.Sequence ?? 0) + 1, previous?.Hash ?? Hash256.Zero,
            time, EntryType, payload.Commitments, signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
    }

    /// <summary>
    /// Checks that <paramref name="acceptance"/> is <paramref name="partyId"/>'s signed acceptance of the
    /// proposal with hash <paramref name="proposalHash"/> for agreement <paramref name="agreementId"/>.
    /// </summary>
    /// <returns>Null when it is; otherwise exactly what is wrong.</returns>
    public static AcceptanceFault? Verify(DisclosedEntry acceptance, string partyId, string agreementId, Hash256 proposalHash, IKeyResolver keys)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        ArgumentNullException.ThrowIfNull(keys);
        var body = acceptance.Entry.Body;
        if (!string.Equals(body.Origin, partyId, StringComparison.Ordinal))
        {
            return new AcceptanceFault.WrongOrigin(partyId, body.Origin);
        }

        if (!string.Equals(body.EntityKind, MraAgreementGrain.EntityKind, StringComparison.Ordinal)
            || !string.Equals(body.EntityId, agreementId, StringComparison.Ordinal)
            || !string.Equals(body.EntryType, EntryType, StringComparison.Ordinal))
        {
            return new AcceptanceFault.NotAnAcceptance(agreementId, $"{body.EntityKind}/{body.EntityId} {body.EntryType}");
        }

        if (acceptance.VerifyFields() is { } fieldFault)
        {
            return new AcceptanceFault.FieldsDoNotVerify(fieldFault);
        }

        var named = acceptance[ProposalHashField];
        if (!Hash256.TryFromHex(named, out var namedHash) || namedHash != proposalHash)
        {
            return new AcceptanceFault.OtherProposal(proposalHash, named);
        }

        return ChainVerifier.VerifySignature(acceptance.Entry, keys) is { } signatureFault
            ? new AcceptanceFault.SignatureDoesNotVerify(signatureFault)
            : null;
    }
}

/// <summary>Why an acceptance does not prove that a party accepted our proposal.</summary>
public abstract record AcceptanceFault
{
    private AcceptanceFault()
    {
    }

    /// <summary>A sentence for refusals and auditors.</summary>
    public abstract string Describe();

    /// <summary>The entry was signed by another administration than the accepting party.</summary>
    public sealed record WrongOrigin(string Party, string Origin) : AcceptanceFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The acceptance of {Party} originates from {Origin}.";
    }

    /// <summary>The entry is not an "mra.accepted" entry of this agreement.</summary>
    public sealed record NotAnAcceptance(string AgreementId, string Actual) : AcceptanceFault
    {
        /// <inheritdoc />
        public override string Describe() => $"An mra-agreement/{AgreementId} {MraAcceptance.EntryType} entry is expected; {Actual} given.";
    }

    /// <summary>A disclosed field does not match its signed digest.</summary>
    public sealed record FieldsDoNotVerify(DisclosureFault Fault) : AcceptanceFault
    {
        /// <inheritdoc />
        public override string Describe() => Fault.Describe();
    }

    /// <summary>The acceptance names another proposal (or none).</summary>
    public sealed record OtherProposal(Hash256 Expected, string? Actual) : AcceptanceFault
    {
        /// <inheritdoc />
        public override string Describe() => $"The acceptance names proposal {Actual ?? "(none disclosed)"}, not {Expected}.";
    }

    /// <summary>The signature does not verify with the party's key.</summary>
    public sealed record SignatureDoesNotVerify(EntryFault Fault) : AcceptanceFault
    {
        /// <inheritdoc />
        public override string Describe() => Fault.Describe();
    }
}
