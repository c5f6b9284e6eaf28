using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Grains.MraAgreements;

/// <summary>
/// A Mutual Recognition Arrangement proposed by this administration. Lifecycle: proposed → (each
/// other party's signed acceptance recorded) → in force → suspended ⇄ in force → terminated (final);
/// a proposal may also be terminated (withdrawn). In force is derived from the recorded acceptances,
/// never asserted, so the ledger alone proves it. Everything else is refused with a reason.
/// </summary>
public sealed partial class MraAgreementGrain(AdministrationContext administration)
    : EntityGrain<MraAgreementView>(administration), IMraAgreementGrain
{
    /// <summary>The ledger entity kind.</summary>
    public const string EntityKind = "mra-agreement";

    /// <summary>Most parties to one agreement.</summary>
    public const int MaxParties = 64;

    /// <summary>Largest encoded acceptance entry recorded (an acceptance has two fields; this is generous).</summary>
    public const int MaxAcceptanceBytes = 16 * 1024;

    private const int MaxListItems = 64;
    private const int MaxPolicyFields = 256;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    protected override string Kind => EntityKind;

    /// <inheritdoc />
    protected override MraAgreementView Initial => Empty(Key);

    /// <inheritdoc />
    protected override void ValidateKey(string key) =>
        Fields.Matching(key, "agreementId", AgreementIdPattern(), "3 to 64 upper-case letters, digits or '-', starting with a letter or digit, e.g. MRA-NL-JP-2026");

    /// <inheritdoc />
    public Task<MraAgreementView> Propose(ProposeMraAgreement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var title = Fields.Text(command.Title, "title", 500);
        var parties = AdministrationIds(command.Parties, "parties");
        if (parties.Count < 2)
        {
            throw new InvalidCommandException("parties", $"An MRA has at least 2 parties; {parties.Count} given.");
        }

        if (!parties.Contains(Administration.AdministrationId, StringComparer.Ordinal))
        {
            throw new InvalidCommandException("parties", $"The parties must include this administration ({Administration.AdministrationId}).");
        }

        var programmes = List(command.AeoProgrammes, "aeoProgrammes", ProgrammePattern(), "2 to 32 upper-case letters or digits, e.g. AEOF");
        var documentTypes = List(command.DocumentTypes, "documentTypes", DocumentTypePattern(), "lower-case words joined by '-', e.g. phytosanitary-certificate");
        var policies = Policies(command.SharingPolicies, parties);
        if (command.EndorsementQuorum < 1 || command.EndorsementQuorum > parties.Count - 1)
        {
            throw new InvalidCommandException(
                "endorsementQuorum", $"endorsementQuorum {command.EndorsementQuorum} is out of range: 1 to {parties.Count - 1} (the other parties).");
        }

        return CommitAsync(state => state.Status switch
        {
            MraStatus.None => Change(
                "mra.proposed",
                MraStatus.Proposed,
                TermsFields(title, Administration.AdministrationId, parties, programmes, documentTypes, policies, command.EndorsementQuorum)),
            _ => throw Refuse(state, "propose", "an agreement id is proposed once; choose a new id"),
        });
    }

    /// <inheritdoc />
    public Task<MraAgreementView> Accept(AcceptMraAgreement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(command.Proposal, "proposal");
        var proposal = command.Proposal;
        var body = proposal.Entry.Body;
        var self = Administration.AdministrationId;
        if (body.EntityKind != EntityKind || body.EntityId != Key || body.EntryType != "mra.proposed")
        {
            throw new InvalidCommandException("proposal", $"An mra-agreement/{Key} mra.proposed entry is expected; {body.EntityKind}/{body.EntityId} {body.EntryType} given.");
        }

        if (body.Origin == self)
        {
            throw new DomainRuleException("mra-own-proposal", $"MRA {Key} was proposed by this administration; its proposal is already its acceptance.");
        }

        var keys = Administration.PartnerKeys
            ?? throw new DomainRuleException("mra-partner-keys-unknown", $"This node knows no partner keys, so the proposal of {body.Origin} cannot be verified.");
        var problem = proposal.VerifyFields()?.Describe() ?? Ledger.Chains.ChainVerifier.VerifySignature(proposal.Entry, keys)?.Describe();
        if (problem is not null)
        {
            throw new DomainRuleException("mra-proposal-invalid", $"The proposal of MRA {Key} by {body.Origin} does not verify: {problem}");
        }

        var terms = Fold(Empty(Key), proposal);
        if (!terms.Parties.Contains(self, StringComparer.Ordinal))
        {
            throw new DomainRuleException("mra-not-a-party", $"{self} is not a party to MRA {Key}; only {string.Join(", ", terms.Parties)} are.");
        }

        return CommitAsync(state => state.Status switch
        {
            MraStatus.None => Change(
                MraAcceptance.EntryType,
                MraStatus.Proposed,
                new(TermsFields(terms.Title ?? string.Empty, body.Origin, terms.Parties, terms.AeoProgrammes, terms.DocumentTypes, terms.SharingPolicies, terms.EndorsementQuorum))
                {
                    [MraAcceptance.ProposalHashField] = body.Hash.ToString(),
                }),
            _ => throw Refuse(state, "accept", "an agreement is accepted once"),
        });
    }

    /// <inheritdoc />
    public Task<MraAgreementView> RecordAcceptance(RecordMraAcceptance command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(command.Acceptance, "acceptance");
        var party = AdministrationId(command.PartyId, "partyId");
        var encoded = command.Acceptance.Entry.Encode();
        if (encoded.Length > MaxAcceptanceBytes)
        {
            throw new InvalidCommandException("acceptance", $"The acceptance entry is {encoded.Length} bytes; at most {MaxAcceptanceBytes} allowed.");
        }

        return CommitAsync(state =>
        {
            if (state.Status != MraStatus.Proposed)
            {
                throw Refuse(state, "record an acceptance of", "acceptances are recorded only while the agreement is proposed");
            }

            if (!state.Parties.Contains(party, StringComparer.Ordinal))
            {
                throw new DomainRuleException("mra-not-a-party", $"{party} is not a party to MRA {Key}; only {string.Join(", ", state.Parties)} are.");
            }

            if (state.AcceptedBy.Contains(party, StringComparer.Ordinal))
            {
                throw new DomainRuleException("mra-already-accepted", $"The acceptance of {party} is already recorded for MRA {Key}.");
            }

            var keys = Administration.PartnerKeys
                ?? throw new DomainRuleException("mra-partner-keys-unknown", $"This node knows no partner keys, so the acceptance of {party} cannot be verified.");
            var fault = MraAcceptance.Verify(command.Acceptance, party, Key, Hash256.FromHex(state.ProposalHash!), keys);
            if (fault is not null)
            {
                throw new DomainRuleException("mra-acceptance-invalid", $"The acceptance of {party} for MRA {Key} is refused: {fault.Describe()}");
            }

            var all = state.AcceptedBy.Count + 1 == state.Parties.Count;
            return Change("mra.acceptance-recorded", all ? MraStatus.InForce : MraStatus.Proposed, new()
            {
                ["party"] = party,
                ["proposalHash"] = state.ProposalHash!,
                ["acceptanceHash"] = command.Acceptance.Entry.Hash.ToString(),
                ["acceptance"] = Convert.ToBase64String(encoded),
                ["acceptanceFields"] = JsonSerializer.Serialize(command.Acceptance.Fields, Json),
            });
        });
    }

    /// <inheritdoc />
    public Task<MraAgreementView> Suspend(SuspendMraAgreement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            MraStatus.InForce => Change("mra.suspended", MraStatus.Suspended, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "suspend", "only an agreement in force can be suspended"),
        });
    }

    /// <inheritdoc />
    public Task<MraAgreementView> Resume(ResumeMraAgreement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            MraStatus.Suspended => Change("mra.resumed", MraStatus.InForce, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "resume", "only a suspended agreement can be resumed"),
        });
    }

    /// <inheritdoc />
    public Task<MraAgreementView> Terminate(TerminateMraAgreement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            MraStatus.Proposed or MraStatus.InForce or MraStatus.Suspended =>
                Change("mra.terminated", MraStatus.Terminated, Reasoned(reason, command.EffectiveAt)),
            _ => throw Refuse(state, "terminate", "only a proposed, in-force or suspended agreement can be terminated"),
        });
    }

    /// <inheritdoc />
    protected override MraAgreementView Apply(MraAgreementView state, DisclosedEntry entry) => Fold(state, entry);

    /// <summary>
    /// The state of agreement <paramref name="agreementId"/> folded from a chain of its entries: ours,
    /// or a partner's copy received over the mesh (MRA entries are disclosed whole to every party).
    /// </summary>
    public static MraAgreementView Replay(string agreementId, IEnumerable<DisclosedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Aggregate(Empty(agreementId), Fold);
    }

    private static MraAgreementView Empty(string agreementId) => new(agreementId, MraStatus.None, null, null, [], [], [], [], 0, null, [], null, null, 0, null);

    /// <summary>The agreement's terms as a proposal (and an acceptance, which copies them) writes them.</summary>
    private static Dictionary<string, string> TermsFields(
        string title, string proposedBy, IReadOnlyList<string> parties, IReadOnlyList<string> programmes, IReadOnlyList<string> documentTypes, IReadOnlyList<DataSharingPolicy> policies, int quorum) => new()
    {
        ["title"] = title,
        ["proposedBy"] = proposedBy,
        ["parties"] = JsonSerializer.Serialize(parties, Json),
        ["aeoProgrammes"] = JsonSerializer.Serialize(programmes, Json),
        ["documentTypes"] = JsonSerializer.Serialize(documentTypes, Json),
        ["sharingPolicies"] = JsonSerializer.Serialize(policies, Json),
        ["endorsementQuorum"] = quorum.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the terms that <see cref="TermsFields"/> wrote.</summary>
    private static MraAgreementView WithTerms(MraAgreementView next, DisclosedEntry entry) => next with
    {
        Status = MraStatus.Proposed,
        Title = entry["title"],
        ProposedBy = Required(entry, "proposedBy"),
        Parties = Deserialize<string[]>(entry, "parties"),
        AeoProgrammes = Deserialize<string[]>(entry, "aeoProgrammes"),
        DocumentTypes = Deserialize<string[]>(entry, "documentTypes"),
        SharingPolicies = Deserialize<DataSharingPolicy[]>(entry, "sharingPolicies"),
        EndorsementQuorum = int.Parse(Required(entry, "endorsementQuorum"), System.Globalization.CultureInfo.InvariantCulture),
        EffectiveAt = entry.Entry.Body.Timestamp,
    };

    private static MraAgreementView Fold(MraAgreementView state, DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.Entry.Body;
        var next = state with { Sequence = body.Sequence, LastEntryHash = body.Hash.ToString() };
        switch (body.EntryType)
        {
            case "mra.proposed":
                // The proposal is the proposer's own signed acceptance.
                var proposal = WithTerms(next, entry);
                return proposal with { ProposalHash = body.Hash.ToString(), AcceptedBy = [proposal.ProposedBy!] };
            case MraAcceptance.EntryType:
                // This administration's acceptance of another's proposal: the terms are copied from it.
                var acceptance = WithTerms(next, entry);
                return acceptance with { ProposalHash = Required(entry, MraAcceptance.ProposalHashField), AcceptedBy = [acceptance.ProposedBy!, body.Origin] };
            case "mra.acceptance-recorded":
                var accepted = state.AcceptedBy.Append(Required(entry, "party")).Distinct(StringComparer.Ordinal).ToImmutableArray();
                return next with
                {
                    AcceptedBy = accepted,
                    Status = state.Parties.All(accepted.Contains) ? MraStatus.InForce : MraStatus.Proposed,
                    EffectiveAt = state.Parties.All(accepted.Contains) ? body.Timestamp : state.EffectiveAt,
                };
            case "mra.suspended":
                return next with { Status = MraStatus.Suspended, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) };
            case "mra.resumed":
                return next with { Status = MraStatus.InForce, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) };
            case "mra.terminated":
                return next with { Status = MraStatus.Terminated, Reason = entry["reason"], EffectiveAt = Fields.ParseTime(entry["effectiveAt"]) };
            default:
                throw new InvalidOperationException($"Entry type {body.EntryType} is not an MRA agreement event (sequence {body.Sequence}).");
        }
    }

    /// <summary>The status as written in ledger fields and APIs.</summary>
    public static string StatusName(MraStatus status) => status switch
    {
        MraStatus.None => "not-proposed",
        MraStatus.InForce => "in-force",
        _ => status.ToString().ToLowerInvariant(),
    };

    private LedgerChange Change(string type, MraStatus status, Dictionary<string, string> fields)
    {
        fields["agreementId"] = Key;
        fields["status"] = StatusName(status);
        return new LedgerChange(type, fields);
    }

    private Dictionary<string, string> Reasoned(string reason, DateTimeOffset? effectiveAt) => new()
    {
        ["reason"] = reason,
        ["effectiveAt"] = Fields.Time(EntryBody.TruncateToMicros(effectiveAt ?? Administration.Time.GetUtcNow())),
    };

    private DomainRuleException Refuse(MraAgreementView state, string action, string rule) =>
        new($"mra-{StatusName(state.Status)}", $"Cannot {action} MRA {Key}: it is {StatusName(state.Status)}, and {rule}.");

    private static string AdministrationId(string? value, string field)
    {
        var problem = Identifier.Explain(value);
        if (problem is not null || value!.Length > 64)
        {
            throw new InvalidCommandException(field, $"{field} \"{value}\" is not an administration id: {problem ?? "longer than 64 characters"}.");
        }

        return value;
    }

    private static List<string> AdministrationIds(IReadOnlyList<string>? values, string field)
    {
        if (values is null || values.Count > MaxParties)
        {
            throw new InvalidCommandException(field, $"{field} lists 2 to {MaxParties} administrations; {values?.Count ?? 0} given.");
        }

        var ids = values.Select(v => AdministrationId(v, field)).ToList();
        var duplicate = ids.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidCommandException(field, $"{field} lists {duplicate.Key} twice.");
        }

        return ids;
    }

    private static List<string> List(IReadOnlyList<string>? values, string field, Regex pattern, string format)
    {
        if (values is null || values.Count == 0 || values.Count > MaxListItems)
        {
            throw new InvalidCommandException(field, $"{field} lists 1 to {MaxListItems} items; {values?.Count ?? 0} given.");
        }

        var items = values.Select(v => Fields.Matching(v, field, pattern, format)).ToList();
        if (items.Distinct(StringComparer.Ordinal).Count() != items.Count)
        {
            throw new InvalidCommandException(field, $"{field} lists an item twice.");
        }

        return items;
    }

    private static List<DataSharingPolicy> Policies(IReadOnlyList<DataSharingPolicy>? policies, List<string> parties)
    {
        const string field = "sharingPolicies";
        if (policies is null)
        {
            throw new InvalidCommandException(field, "sharingPolicies is required: one per party.");
        }

        var result = new List<DataSharingPolicy>(policies.Count);
        foreach (var policy in policies)
        {
            if (policy is null)
            {
                throw new InvalidCommandException(field, "sharingPolicies contains an empty policy.");
            }

            var party = AdministrationId(policy.PartyId, field);
            if (!parties.Contains(party, StringComparer.Ordinal))
            {
                throw new InvalidCommandException(field, $"A data-sharing policy names {party}, which is not a party.");
            }

            if (result.Any(p => string.Equals(p.PartyId, party, StringComparison.Ordinal)))
            {
                throw new InvalidCommandException(field, $"{party} has more than one data-sharing policy.");
            }

            if (policy.Kinds is null || policy.Kinds.Count > MaxListItems)
            {
                throw new InvalidCommandException(field, $"The policy of {party} lists 0 to {MaxListItems} entity kinds.");
            }

            var kinds = new List<SharedEntityKind>(policy.Kinds.Count);
            foreach (var kind in policy.Kinds)
            {
                if (kind is null || !Identifier.IsValid(kind.EntityKind) || kinds.Any(k => string.Equals(k.EntityKind, kind.EntityKind, StringComparison.Ordinal)))
                {
                    throw new InvalidCommandException(field, $"The policy of {party} names an entity kind that is missing, out of format or listed twice (\"{kind?.EntityKind}\").");
                }

                if (kind.FieldNames is null || kind.FieldNames.Count > MaxPolicyFields
                    || kind.FieldNames.Any(f => !Identifier.IsValid(f)) || kind.FieldNames.Distinct(StringComparer.Ordinal).Count() != kind.FieldNames.Count)
                {
                    throw new InvalidCommandException(field, $"The policy of {party} for {kind.EntityKind} must list 0 to {MaxPolicyFields} distinct field names in identifier format.");
                }

                kinds.Add(new SharedEntityKind(kind.EntityKind, [.. kind.FieldNames]));
            }

            result.Add(new DataSharingPolicy(party, kinds));
        }

        var missing = parties.FirstOrDefault(p => !result.Any(r => string.Equals(r.PartyId, p, StringComparison.Ordinal)));
        if (missing is not null)
        {
            throw new InvalidCommandException(field, $"{missing} has no data-sharing policy; every party needs one.");
        }

        return result;
    }

    private static string Required(DisclosedEntry entry, string name) =>
        entry[name] ?? throw new InvalidOperationException($"Entry {entry.Entry.Body.Sequence} ({entry.Entry.Body.EntryType}) lacks field {name}.");

    private static T Deserialize<T>(DisclosedEntry entry, string name)
        where T : class =>
        JsonSerializer.Deserialize<T>(Required(entry, name), Json)
            ?? throw new InvalidOperationException($"Entry {entry.Entry.Body.Sequence} has an empty {name}.");

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AgreementIdPattern();

    [GeneratedRegex("^[A-Z0-9]{2,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProgrammePattern();

    [GeneratedRegex("^(?=.{2,64}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DocumentTypePattern();
}
