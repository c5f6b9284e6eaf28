using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.AeoOperators;

/// <summary>Status of an AEO certification (WCO SAFE AEO lifecycle).</summary>
public enum AeoStatus
{
    /// <summary>No certification recorded yet.</summary>
    None,

    /// <summary>Certified and valid.</summary>
    Certified,

    /// <summary>Temporarily suspended; may be reinstated or revoked.</summary>
    Suspended,

    /// <summary>Reinstated after a suspension; valid.</summary>
    Reinstated,

    /// <summary>Revoked; final.</summary>
    Revoked,

    /// <summary>The validity period ended; a new certification may follow.</summary>
    Expired,
}

/// <summary>Certify an operator as AEO (first certification, or again after expiry).</summary>
/// <param name="Name">Legal name of the operator.</param>
/// <param name="Address">Registered address.</param>
/// <param name="Programme">Programme, e.g. AEOF (full), AEOC (customs simplifications), AEOS (security and safety).</param>
/// <param name="CertifiedOn">Date of certification.</param>
/// <param name="ValidUntil">End of validity, if limited.</param>
public sealed record CertifyAeoOperator(string Name, string Address, string Programme, DateOnly CertifiedOn, DateOnly? ValidUntil);

/// <summary>Correct or update the operator's name or address without changing its status.</summary>
/// <param name="Name">Legal name of the operator.</param>
/// <param name="Address">Registered address.</param>
public sealed record AmendAeoOperator(string Name, string Address);

/// <summary>Suspend a certification.</summary>
/// <param name="Reason">Why (recorded in the ledger and shown to partners the policy allows).</param>
/// <param name="EffectiveAt">When the suspension takes effect; now when omitted.</param>
public sealed record SuspendAeoCertification(string Reason, DateTimeOffset? EffectiveAt = null);

/// <summary>Reinstate a suspended certification.</summary>
public sealed record ReinstateAeoCertification(string Reason, DateTimeOffset? EffectiveAt = null);

/// <summary>Revoke a certification for good.</summary>
public sealed record RevokeAeoCertification(string Reason, DateTimeOffset? EffectiveAt = null);

/// <summary>Record that the validity period has ended.</summary>
public sealed record ExpireAeoCertification(DateOnly ExpiredOn);

/// <summary>The state of an AEO operator as folded from its ledger.</summary>
public sealed record AeoOperatorView(
    string AeoNumber,
    AeoStatus Status,
    string? Name,
    string? Address,
    string? Programme,
    DateOnly? CertifiedOn,
    DateOnly? ValidUntil,
    string? Reason,
    DateTimeOffset? EffectiveAt,
    ulong Sequence,
    string? LastEntryHash);

/// <summary>An AEO operator (keyed by its AEO / trader identification number).</summary>
public interface IAeoOperatorGrain : IGrainWithStringKey
{
    /// <summary>Certifies the operator.</summary>
    Task<AeoOperatorView> Certify(CertifyAeoOperator command);

    /// <summary>Amends the operator's name or address.</summary>
    Task<AeoOperatorView> Amend(AmendAeoOperator command);

    /// <summary>Suspends the certification.</summary>
    Task<AeoOperatorView> Suspend(SuspendAeoCertification command);

    /// <summary>Reinstates a suspended certification.</summary>
    Task<AeoOperatorView> Reinstate(ReinstateAeoCertification command);

    /// <summary>Revokes the certification.</summary>
    Task<AeoOperatorView> Revoke(RevokeAeoCertification command);

    /// <summary>Records expiry of the certification.</summary>
    Task<AeoOperatorView> Expire(ExpireAeoCertification command);

    /// <summary>The current state.</summary>
    Task<AeoOperatorView> GetState();

    /// <summary>The operator's ledger entries with all fields, from a sequence on.</summary>
    Task<IReadOnlyList<DisclosedEntry>> GetLedger(ulong fromSequence, int maxCount);
}
