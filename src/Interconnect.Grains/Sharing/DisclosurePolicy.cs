using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.Sharing;

/// <summary>What a partner may receive of one entry: the entry with its entitled fields, or a refusal saying why.</summary>
public abstract record SharedView
{
    private SharedView()
    {
    }

    /// <summary>The partner receives this entry: the whole signed body, only its entitled fields in the clear.</summary>
    /// <param name="Entry">The entry as the partner receives it.</param>
    public sealed record Disclosed(DisclosedEntry Entry) : SharedView;

    /// <summary>The partner receives nothing of this entry.</summary>
    /// <param name="Reason">Why, for logs and the partner's rejection handling.</param>
    public sealed record Refused(string Reason) : SharedView;
}

/// <summary>
/// Applies an MRA's data-sharing policy to our entries: access to the mesh is not access to the data.
/// The signed body goes out whole (it commits only to digests), so the partner can verify the
/// signature and each field it gets, and learns of the rest only their names.
/// </summary>
public static class DisclosurePolicy
{
    /// <summary>The view of <paramref name="entry"/> that <paramref name="partnerId"/> may receive under <paramref name="policy"/>.</summary>
    public static SharedView ForPartner(DisclosedEntry entry, DataSharingPolicy policy, string partnerId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(policy);
        if (!string.Equals(policy.PartyId, partnerId, StringComparison.Ordinal))
        {
            return new SharedView.Refused($"The data-sharing policy is {policy.PartyId}'s, not {partnerId}'s.");
        }

        var kind = entry.Entry.Body.EntityKind;
        var allowed = policy.FieldsFor(kind);
        if (allowed is null)
        {
            return new SharedView.Refused($"{partnerId} is not entitled to {kind} entries.");
        }

        var entitled = new HashSet<string>(allowed, StringComparer.Ordinal);
        return new SharedView.Disclosed(entry with { Fields = [.. entry.Fields.Where(f => entitled.Contains(f.Name))] });
    }

    /// <summary>
    /// The view of <paramref name="entry"/> that <paramref name="partnerId"/> may receive under
    /// <paramref name="agreement"/>: refused unless the agreement is in force and the partner is a party.
    /// </summary>
    public static SharedView ForPartner(DisclosedEntry entry, MraAgreementView agreement, string partnerId)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(agreement);
        if (agreement.Status != MraStatus.InForce)
        {
            return new SharedView.Refused($"MRA {agreement.AgreementId} is {MraAgreementGrain.StatusName(agreement.Status)}; data flows only under an agreement in force.");
        }

        var policy = agreement.PolicyFor(partnerId);
        return policy is null
            ? new SharedView.Refused($"{partnerId} is not a party to MRA {agreement.AgreementId}.")
            : ForPartner(entry, policy, partnerId);
    }
}
