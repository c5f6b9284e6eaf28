using System.Text.RegularExpressions;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;

namespace Interconnect.Grains.AeoOperators;

/// <summary>
/// An AEO operator's certification under this administration's programme. Lifecycle:
/// certified → suspended → reinstated (→ suspended ...) ; any valid or suspended state → revoked
/// (final) or expired (a new certification may follow). Everything else is refused with a reason.
/// </summary>
public sealed partial class AeoOperatorGrain(AdministrationContext administration)
    : EntityGrain<AeoOperatorView>(administration), IAeoOperatorGrain
{
    /// <summary>The ledger entity kind.</summary>
    public const string EntityKind = "aeo-operator";

    /// <inheritdoc />
    protected override string Kind => EntityKind;

    /// <inheritdoc />
    protected override AeoOperatorView Initial => new(Key, AeoStatus.None, null, null, null, null, null, null, null, 0, null);

    /// <inheritdoc />
    protected override void ValidateKey(string key) =>
        Fields.Matching(key, "aeoNumber", AeoNumberPattern(), "an ISO 3166 alpha-2 country code followed by 3 to 33 upper-case letters or digits, e.g. NLAEOF0000123");

    /// <inheritdoc />
    public Task<AeoOperatorView> Certify(CertifyAeoOperator command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var name = Fields.Text(command.Name, "name", 500);
        var address = Fields.Text(command.Address, "address", 1000);
        var programme = Fields.Matching(command.Programme, "programme", ProgrammePattern(), "2 to 32 upper-case letters or digits, e.g. AEOF");
        if (command.ValidUntil is { } until && until <= command.CertifiedOn)
        {
            throw new InvalidCommandException("validUntil", $"validUntil {Fields.Date(until)} must be after certifiedOn {Fields.Date(command.CertifiedOn)}.");
        }

        return CommitAsync(state => state.Status switch
        {
            AeoStatus.None or AeoStatus.Expired => Change("aeo.certified", AeoStatus.Certified, new()
            {
                ["name"] = name,
                ["address"] = address,
                ["programme"] = programme,
                ["certifiedOn"] = Fields.Date(command.CertifiedOn),
                ["validUntil"] = command.ValidUntil is { } v ? Fields.Date(v) : string.Empty,
            }),
            _ => throw Refuse(state, "certify", "only an operator never certified or whose certification expired can be certified; amend, revoke or let it expire instead"),
        });
    }

    /// <inheritdoc />
    public Task<AeoOperatorView> Amend(AmendAeoOperator command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var name = Fields.Text(command.Name, "name", 500);
        var address = Fields.Text(command.Address, "address", 1000);
        return CommitAsync(state => state.Status switch
        {
            // A revoked or expired record is history; corrections to it are a new certification.
            AeoStatus.Certified or AeoStatus.Reinstated or AeoStatus.Suspended =>
                Change("aeo.amended", state.Status, new() { ["name"] = name, ["address"] = address }),
            _ => throw Refuse(state, "amend", "only a current certification can be amended"),
        });
    }

    /// <inheritdoc />
    public Task<AeoOperatorView> Suspend(SuspendAeoCertification command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            AeoStatus.Certified or AeoStatus.Reinstated => Change("aeo.suspended", AeoStatus.Suspended, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "suspend", "only a certified or reinstated operator can be suspended"),
        });
    }

    /// <inheritdoc />
    public Task<AeoOperatorView> Reinstate(ReinstateAeoCertification command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            AeoStatus.Suspended => Change("aeo.reinstated", AeoStatus.Reinstated, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "reinstate", "only a suspended operator can be reinstated"),
        });
    }

    /// <inheritdoc />
    public Task<AeoOperatorView> Revoke(RevokeAeoCertification command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            AeoStatus.Certified or AeoStatus.Reinstated or AeoStatus.Suspended =>
                Change("aeo.revoked", AeoStatus.Revoked, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "revoke", "only a certified, reinstated or suspended operator can be revoked"),
        });
    }

    /// <inheritdoc />
    public Task<AeoOperatorView> Expire(ExpireAeoCertification command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CommitAsync(state =>
        {
            if (state.Status is not (AeoStatus.Certified or AeoStatus.Reinstated or AeoStatus.Suspended))
            {
                throw Refuse(state, "expire", "only a current certification can expire");
            }

            if (state.ValidUntil is not { } until || command.ExpiredOn < until)
            {
                throw new DomainRuleException(
                    "aeo-not-yet-expired",
                    $"AEO {Key} is valid until {(state.ValidUntil is { } u ? Fields.Date(u) : "further notice")}; it cannot expire on {Fields.Date(command.ExpiredOn)}.");
            }

            return Change("aeo.expired", AeoStatus.Expired, new() { ["expiredOn"] = Fields.Date(command.ExpiredOn) });
        });
    }

    /// <inheritdoc />
    protected override AeoOperatorView Apply(AeoOperatorView state, DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.Entry.Body;
        var next = state with { Sequence = body.Sequence, LastEntryHash = body.Hash.ToString() };
        return body.EntryType switch
        {
            "aeo.certified" => next with
            {
                Status = AeoStatus.Certified,
                Name = entry["name"],
                Address = entry["address"],
                Programme = entry["programme"],
                CertifiedOn = Fields.ParseDate(entry["certifiedOn"]),
                ValidUntil = Fields.ParseDate(entry["validUntil"]),
                Reason = null,
                EffectiveAt = body.Timestamp,
            },
            "aeo.amended" => next with { Name = entry["name"], Address = entry["address"] },
            "aeo.suspended" => next with { Status = AeoStatus.Suspended, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) },
            "aeo.reinstated" => next with { Status = AeoStatus.Reinstated, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) },
            "aeo.revoked" => next with { Status = AeoStatus.Revoked, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) },
            "aeo.expired" => next with { Status = AeoStatus.Expired, Reason = null, EffectiveAt = body.Timestamp },
            _ => throw new InvalidOperationException($"Entry type {body.EntryType} is not an AEO operator event (sequence {body.Sequence})."),
        };
    }

    private LedgerChange Change(string type, AeoStatus status, Dictionary<string, string> fields)
    {
        fields["aeoNumber"] = Key;
        fields["status"] = StatusName(status);
        return new LedgerChange(type, fields);
    }

    private Dictionary<string, string> Reasoned(string reason, DateTimeOffset? effectiveAt) => new()
    {
        ["reason"] = reason,
        ["effectiveAt"] = Fields.Time(Ledger.Entries.EntryBody.TruncateToMicros(effectiveAt ?? Administration.Time.GetUtcNow())),
    };

    private DomainRuleException Refuse(AeoOperatorView state, string action, string rule) =>
        new($"aeo-{StatusName(state.Status)}", $"Cannot {action} AEO {Key}: it is {StatusName(state.Status)}, and {rule}.");

    /// <summary>The status as written in ledger fields and APIs.</summary>
    public static string StatusName(AeoStatus status) => status switch
    {
        AeoStatus.None => "not-certified",
        _ => status.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex("^[A-Z]{2}[A-Z0-9]{3,33}$", RegexOptions.CultureInvariant)]
    private static partial Regex AeoNumberPattern();

    [GeneratedRegex("^[A-Z0-9]{2,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProgrammePattern();
}
