using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.AeoOperators;

/// <summary>Status of an AEO certification (WCO SAFE AEO lifecycle).</summary>
[GenerateSerializer]
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
[GenerateSerializer, Immutable]
public sealed record CertifyAeoOperator([property: Id(0)] string Name, [property: Id(1)] string Address, [property: Id(2)] string Programme, [property: Id(3)] DateOnly CertifiedOn, [property: Id(4)] DateOnly? ValidUntil);

/// <summary>Correct or update the operator's name or address without changing its status.</summary>
/// <param name="Name">Legal name of the operator.</param>
/// <param name="Address">Registered address.</param>
[GenerateSerializer, Immutable]
public sealed record AmendAeoOperator([property: Id(0)] string Name, [property: Id(1)] string Address);

/// <summary>Suspend a certification.</summary>
/// <param name="Reason">Why (recorded in the ledger and shown to partners the policy allows).</param>
/// <param name="EffectiveAt">When the suspension takes effect; now when omitted.</param>
[GenerateSerializer, Immutable]
public sealed record SuspendAeoCertification([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>Reinstate a suspended certification.</summary>
[GenerateSerializer, Immutable]
public sealed record ReinstateAeoCertification([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>Revoke a certification for good.</summary>
[GenerateSerializer, Immutable]
public sealed record RevokeAeoCertification([property: Id(0)] string Reason, [property: Id(1)] DateTimeOffset? EffectiveAt = null);

/// <summary>Record that the validity period has ended.</summary>
[GenerateSerializer, Immutable]
public sealed record ExpireAeoCertification([property: Id(0)] DateOnly ExpiredOn);

/// <summary>The state of an AEO operator as folded from its ledger.</summary>
[GenerateSerializer, Immutable]
public sealed record AeoOperatorView(
    [property: Id(0)] string AeoNumber,
    [property: Id(1)] AeoStatus Status,
    [property: Id(2)] string? Name,
    [property: Id(3)] string? Address,
    [property: Id(4)] string? Programme,
    [property: Id(5)] DateOnly? CertifiedOn,
    [property: Id(6)] DateOnly? ValidUntil,
    [property: Id(7)] string? Reason,
    [property: Id(8)] DateTimeOffset? EffectiveAt,
    [property: Id(9)] ulong Sequence,
    [property: Id(10)] string? LastEntryHash);

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
