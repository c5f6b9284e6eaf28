using System.ComponentModel.DataAnnotations;
using Interconnect.Grains.AeoOperators;

namespace Interconnect.Node.Api.AeoOperators;

/// <summary>Certify an operator as AEO.</summary>
/// <param name="AeoNumber">The AEO / trader identification number: ISO 3166 alpha-2 country code and 3 to 33 upper-case letters or digits, e.g. NLAEOF0000123.</param>
/// <param name="Name">Legal name.</param>
/// <param name="Address">Registered address.</param>
/// <param name="Programme">AEOF, AEOC, AEOS...</param>
/// <param name="CertifiedOn">Date of certification (yyyy-MM-dd).</param>
/// <param name="ValidUntil">End of validity, if limited.</param>
public sealed record CertifyAeoOperatorRequest(
    [property: Required] string? AeoNumber,
    [property: Required] string? Name,
    [property: Required] string? Address,
    [property: Required] string? Programme,
    [property: Required] DateOnly? CertifiedOn,
    DateOnly? ValidUntil = null);

/// <summary>Correct the operator's name or address.</summary>
/// <param name="Name">Legal name.</param>
/// <param name="Address">Registered address.</param>
public sealed record AmendAeoOperatorRequest([property: Required] string? Name, [property: Required] string? Address);

/// <summary>Record that the validity period ended.</summary>
/// <param name="ExpiredOn">The date it ended (on or after validUntil).</param>
public sealed record ExpireAeoCertificationRequest([property: Required] DateOnly? ExpiredOn);

/// <summary>An AEO operator as folded from its ledger.</summary>
/// <param name="AeoNumber">The AEO number.</param>
/// <param name="Status">"certified", "suspended", "reinstated", "revoked", "expired".</param>
/// <param name="Name">Legal name.</param>
/// <param name="Address">Registered address.</param>
/// <param name="Programme">The programme.</param>
/// <param name="CertifiedOn">Date of certification.</param>
/// <param name="ValidUntil">End of validity.</param>
/// <param name="Reason">Reason of the last suspension, reinstatement or revocation.</param>
/// <param name="EffectiveAt">When the current status took effect.</param>
/// <param name="Sequence">The last entry's sequence.</param>
/// <param name="LastEntryHash">The last entry's hash (hex).</param>
public sealed record AeoOperatorResponse(
    string AeoNumber,
    string Status,
    string? Name,
    string? Address,
    string? Programme,
    DateOnly? CertifiedOn,
    DateOnly? ValidUntil,
    string? Reason,
    DateTimeOffset? EffectiveAt,
    ulong Sequence,
    string? LastEntryHash)
{
    /// <summary>From the grain's view.</summary>
    public static AeoOperatorResponse From(AeoOperatorView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(
            view.AeoNumber, AeoOperatorGrain.StatusName(view.Status), view.Name, view.Address, view.Programme, view.CertifiedOn,
            view.ValidUntil, view.Reason, view.EffectiveAt, view.Sequence, view.LastEntryHash);
    }
}
