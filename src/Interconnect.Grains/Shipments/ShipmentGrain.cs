using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Grains.Shipments;

/// <summary>
/// A consignment and its documents. Lifecycle: declared → pre-arrival-data-sent → under-control →
/// released or held (held → released) → exited (final). Documents are issued, replaced (with
/// references both ways) or withdrawn until exit; delivery to each partner is tracked in the ePhyto
/// hub vocabulary and closed by the partner's business response. Everything else is refused.
/// </summary>
public sealed partial class ShipmentGrain(AdministrationContext administration)
    : EntityGrain<ShipmentView>(administration), IShipmentGrain
{
    /// <summary>The ledger entity kind.</summary>
    public const string EntityKind = "shipment";

    /// <summary>Most documents on one consignment.</summary>
    public const int MaxDocuments = 200;

    /// <summary>Document types this grain accepts (ePhyto and WCO data model names).</summary>
    public static readonly FrozenSet<string> DocumentTypes = new[]
    {
        "phytosanitary-certificate",
        "phytosanitary-certificate-for-re-export",
        "certificate-of-origin",
        "pre-arrival-data",
        "veterinary-certificate",
        "commercial-invoice",
        "packing-list",
        "transport-document",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <inheritdoc />
    protected override string Kind => EntityKind;

    /// <inheritdoc />
    protected override ShipmentView Initial => new(Key, ShipmentStatus.None, null, null, null, null, [], [], null, 0, null);

    /// <inheritdoc />
    protected override void ValidateKey(string key) =>
        Fields.Matching(key, "ucr", UcrPattern(), "5 to 35 upper-case letters, digits or '-', starting with a letter or digit (WCO UCR), e.g. 6NL123456789-2026-0001");

    /// <inheritdoc />
    public Task<ShipmentView> Declare(DeclareShipment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var exporter = AdministrationId(command.ExportingAdministration, "exportingAdministration");
        var importer = AdministrationId(command.ImportingAdministration, "importingAdministration");
        if (string.Equals(exporter, importer, StringComparison.Ordinal))
        {
            throw new InvalidCommandException("importingAdministration", $"The importing administration must differ from the exporting one ({exporter}).");
        }

        var us = Administration.AdministrationId;
        if (!string.Equals(exporter, us, StringComparison.Ordinal) && !string.Equals(importer, us, StringComparison.Ordinal))
        {
            throw new InvalidCommandException("exportingAdministration", $"This administration ({us}) must be the exporting or the importing one.");
        }

        var consignor = Fields.Text(command.Consignor, "consignor", 500);
        var consignee = Fields.Text(command.Consignee, "consignee", 500);
        return CommitAsync(state => state.Status switch
        {
            ShipmentStatus.None => Change("shipment.declared", ShipmentStatus.Declared, new()
            {
                ["exportingAdministration"] = exporter,
                ["importingAdministration"] = importer,
                ["consignor"] = consignor,
                ["consignee"] = consignee,
            }),
            _ => throw Refuse(state, "declare", "a consignment reference is declared once"),
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> AttachDocument(AttachShipmentDocument command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var type = DocumentType(command.DocumentType);
        var number = DocumentNumber(command.Number, "number");
        var digest = Digest(command.ContentDigest);
        return CommitAsync(state =>
        {
            RequireOpenForDocuments(state, "attach a document to");
            RequireNewNumber(state, number);
            return Change("shipment.document-attached", state.Status, new()
            {
                ["documentType"] = type,
                ["number"] = number,
                ["issuedOn"] = Fields.Date(command.IssuedOn),
                ["contentDigest"] = digest,
            });
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> ReplaceDocument(ReplaceShipmentDocument command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var replaced = DocumentNumber(command.ReplacedNumber, "replacedNumber");
        var number = DocumentNumber(command.Number, "number");
        var digest = Digest(command.ContentDigest);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state =>
        {
            RequireOpenForDocuments(state, "replace a document of");
            var old = RequireIssued(state, replaced, "replaced");
            RequireNewNumber(state, number);
            return Change("shipment.document-replaced", state.Status, new()
            {
                ["documentType"] = old.DocumentType,
                ["number"] = number,
                ["issuedOn"] = Fields.Date(command.IssuedOn),
                ["contentDigest"] = digest,
                ["replaces"] = replaced,
                ["reason"] = reason,
            });
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> WithdrawDocument(WithdrawShipmentDocument command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var number = DocumentNumber(command.Number, "number");
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state =>
        {
            RequireOpenForDocuments(state, "withdraw a document of");
            RequireIssued(state, number, "withdrawn");
            return Change("shipment.document-withdrawn", state.Status, new() { ["number"] = number, ["reason"] = reason });
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> MarkPreArrivalSent(SendPreArrivalData command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CommitAsync(state =>
        {
            if (state.Status != ShipmentStatus.Declared)
            {
                throw Refuse(state, "send pre-arrival data for", "pre-arrival data is sent once, right after the declaration");
            }

            if (!string.Equals(state.ExportingAdministration, Administration.AdministrationId, StringComparison.Ordinal))
            {
                throw new DomainRuleException(
                    "shipment-not-exporter", $"Only the exporting administration ({state.ExportingAdministration}) sends pre-arrival data for {Key}.");
            }

            return Change("shipment.pre-arrival-data-sent", ShipmentStatus.PreArrivalDataSent, new()
            {
                ["importingAdministration"] = state.ImportingAdministration!,
            });
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> PlaceUnderControl(PlaceShipmentUnderControl command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            ShipmentStatus.PreArrivalDataSent => Change("shipment.placed-under-control", ShipmentStatus.UnderControl, new() { ["reason"] = reason }),
            _ => throw Refuse(state, "place under control", "only a consignment whose pre-arrival data was sent can be placed under control"),
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> Hold(HoldShipment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reason = Fields.Text(command.Reason, "reason");
        return CommitAsync(state => state.Status switch
        {
            ShipmentStatus.UnderControl => Change("shipment.held", ShipmentStatus.Held, new() { ["reason"] = reason }),
            _ => throw Refuse(state, "hold", "only a consignment under control can be held"),
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> Release(ReleaseShipment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var remarks = Optional(command.Remarks, "remarks");
        return CommitAsync(state => state.Status switch
        {
            ShipmentStatus.UnderControl or ShipmentStatus.Held => Change("shipment.released", ShipmentStatus.Released, new() { ["remarks"] = remarks }),
            _ => throw Refuse(state, "release", "only a consignment under control or held can be released"),
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> Exit(RecordShipmentExit command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var remarks = Optional(command.Remarks, "remarks");
        return CommitAsync(state => state.Status switch
        {
            ShipmentStatus.Released => Change("shipment.exited", ShipmentStatus.Exited, new() { ["remarks"] = remarks }),
            _ => throw Refuse(state, "record the exit of", "only a released consignment can exit"),
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> RecordDelivery(RecordShipmentDelivery command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var partner = AdministrationId(command.Partner, "partner");
        if (!Enum.IsDefined(command.State))
        {
            throw new InvalidCommandException("state", $"Delivery state {(int)command.State} is unknown.");
        }

        var warnings = Optional(command.Warnings, "warnings");
        if (command.State == DeliveryState.DeliveredWithWarnings && warnings.Length == 0)
        {
            throw new InvalidCommandException("warnings", "warnings are required when the data was delivered with warnings.");
        }

        return CommitAsync(state =>
        {
            RequirePartner(state, partner);
            if (state.Status is ShipmentStatus.None or ShipmentStatus.Declared)
            {
                throw Refuse(state, "record a delivery of", "nothing has been sent to partners before the pre-arrival data");
            }

            if (state.DeliveryTo(partner)?.Decision is { } decision)
            {
                throw new DomainRuleException(
                    "shipment-response-final", $"{partner} already gave its final business response ({DecisionName(decision)}) for {Key}; its delivery state is closed.");
            }

            return Change("shipment.delivery-recorded", state.Status, new()
            {
                ["partner"] = partner,
                ["deliveryState"] = DeliveryStateName(command.State),
                ["warnings"] = warnings,
            });
        });
    }

    /// <inheritdoc />
    public Task<ShipmentView> RecordBusinessResponse(RecordShipmentBusinessResponse command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var partner = AdministrationId(command.Partner, "partner");
        if (!Enum.IsDefined(command.Decision))
        {
            throw new InvalidCommandException("decision", $"Business decision {(int)command.Decision} is unknown.");
        }

        var reason = command.Decision == BusinessDecision.Rejected ? Fields.Text(command.Reason, "reason") : Optional(command.Reason, "reason");
        return CommitAsync(state =>
        {
            RequirePartner(state, partner);
            var delivery = state.DeliveryTo(partner);
            if (delivery is null || delivery.State is not (DeliveryState.Delivered or DeliveryState.DeliveredWithWarnings))
            {
                throw new DomainRuleException(
                    "shipment-not-delivered",
                    $"{partner} cannot respond to {Key}: the data is {(delivery is null ? "not sent to it" : DeliveryStateName(delivery.State))}, and a response follows a delivery.");
            }

            if (delivery.Decision is { } decision)
            {
                throw new DomainRuleException("shipment-response-final", $"{partner} already responded to {Key} ({DecisionName(decision)}); a business response is final.");
            }

            return Change("shipment.business-response-recorded", state.Status, new()
            {
                ["partner"] = partner,
                ["decision"] = DecisionName(command.Decision),
                ["reason"] = reason,
            });
        });
    }

    /// <inheritdoc />
    protected override ShipmentView Apply(ShipmentView state, DisclosedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(entry);
        var body = entry.Entry.Body;
        var next = state with { Sequence = body.Sequence, LastEntryHash = body.Hash.ToString() };
        return body.EntryType switch
        {
            "shipment.declared" => next with
            {
                Status = ShipmentStatus.Declared,
                ExportingAdministration = entry["exportingAdministration"],
                ImportingAdministration = entry["importingAdministration"],
                Consignor = entry["consignor"],
                Consignee = entry["consignee"],
            },
            "shipment.document-attached" => next with { Documents = [.. state.Documents, NewDocument(entry, null)] },
            "shipment.document-replaced" => next with
            {
                Documents =
                [
                    .. state.Documents.Select(d => string.Equals(d.Number, entry["replaces"], StringComparison.Ordinal)
                        ? d with { Status = DocumentStatus.Replaced, ReplacedBy = entry["number"], Reason = entry["reason"] }
                        : d),
                    NewDocument(entry, entry["replaces"]),
                ],
            },
            "shipment.document-withdrawn" => next with
            {
                Documents =
                [
                    .. state.Documents.Select(d => string.Equals(d.Number, entry["number"], StringComparison.Ordinal)
                        ? d with { Status = DocumentStatus.Withdrawn, Reason = entry["reason"] }
                        : d),
                ],
            },
            "shipment.pre-arrival-data-sent" => next with { Status = ShipmentStatus.PreArrivalDataSent },
            "shipment.placed-under-control" => next with { Status = ShipmentStatus.UnderControl, Reason = entry["reason"] },
            "shipment.held" => next with { Status = ShipmentStatus.Held, Reason = entry["reason"] },
            "shipment.released" => next with { Status = ShipmentStatus.Released, Reason = null },
            "shipment.exited" => next with { Status = ShipmentStatus.Exited },
            "shipment.delivery-recorded" => next with
            {
                Deliveries = Upsert(state.Deliveries, Required(entry, "partner"), d => d with
                {
                    State = ParseDeliveryState(Required(entry, "deliveryState")),
                    Warnings = NullIfEmpty(entry["warnings"]),
                }),
            },
            "shipment.business-response-recorded" => next with
            {
                Deliveries = Upsert(state.Deliveries, Required(entry, "partner"), d => d with
                {
                    Decision = Required(entry, "decision") == DecisionName(BusinessDecision.Accepted) ? BusinessDecision.Accepted : BusinessDecision.Rejected,
                    Reason = NullIfEmpty(entry["reason"]),
                }),
            },
            _ => throw new InvalidOperationException($"Entry type {body.EntryType} is not a shipment event (sequence {body.Sequence})."),
        };
    }

    /// <summary>The status as written in ledger fields and APIs.</summary>
    public static string StatusName(ShipmentStatus status) => status switch
    {
        ShipmentStatus.None => "not-declared",
        ShipmentStatus.PreArrivalDataSent => "pre-arrival-data-sent",
        ShipmentStatus.UnderControl => "under-control",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The delivery state as written in ledger fields (ePhyto hub tracking vocabulary).</summary>
    public static string DeliveryStateName(DeliveryState state) => state switch
    {
        DeliveryState.DeliveredWithWarnings => "delivered-with-warnings",
        DeliveryState.NotReadable => "not-readable",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The business decision as written in ledger fields.</summary>
    public static string DecisionName(BusinessDecision decision) => decision.ToString().ToLowerInvariant();

    private static DeliveryState ParseDeliveryState(string name) =>
        Enum.GetValues<DeliveryState>().First(s => string.Equals(DeliveryStateName(s), name, StringComparison.Ordinal));

    private LedgerChange Change(string type, ShipmentStatus status, Dictionary<string, string> fields)
    {
        fields["ucr"] = Key;
        fields["status"] = StatusName(status);
        return new LedgerChange(type, fields);
    }

    private DomainRuleException Refuse(ShipmentView state, string action, string rule) =>
        new($"shipment-{StatusName(state.Status)}", $"Cannot {action} consignment {Key}: it is {StatusName(state.Status)}, and {rule}.");

    private void RequireOpenForDocuments(ShipmentView state, string action)
    {
        if (state.Status is ShipmentStatus.None or ShipmentStatus.Exited)
        {
            throw Refuse(state, action, "documents change only between declaration and exit");
        }
    }

    private void RequireNewNumber(ShipmentView state, string number)
    {
        // Numbers stay unique over the consignment's history: a replaced or withdrawn number is never reused.
        if (state.Document(number) is { } existing)
        {
            throw new DomainRuleException(
                "shipment-document-exists", $"Consignment {Key} already has document {number} ({existing.DocumentType}, {existing.Status.ToString().ToLowerInvariant()}).");
        }

        if (state.Documents.Count >= MaxDocuments)
        {
            throw new DomainRuleException("shipment-too-many-documents", $"Consignment {Key} has {MaxDocuments} documents, the most allowed.");
        }
    }

    private ShipmentDocumentView RequireIssued(ShipmentView state, string number, string becoming)
    {
        var document = state.Document(number)
            ?? throw new DomainRuleException("shipment-document-unknown", $"Consignment {Key} has no document {number}.");
        if (document.Status != DocumentStatus.Issued)
        {
            throw new DomainRuleException(
                $"shipment-document-{document.Status.ToString().ToLowerInvariant()}",
                $"Document {number} of consignment {Key} is {document.Status.ToString().ToLowerInvariant()}; only an issued document can be {becoming}.");
        }

        return document;
    }

    private void RequirePartner(ShipmentView state, string partner)
    {
        if (state.Status == ShipmentStatus.None)
        {
            throw Refuse(state, "track a partner of", "the consignment must be declared first");
        }

        if (!string.Equals(partner, state.ExportingAdministration, StringComparison.Ordinal)
            && !string.Equals(partner, state.ImportingAdministration, StringComparison.Ordinal))
        {
            throw new DomainRuleException(
                "shipment-not-a-partner",
                $"{partner} is neither the exporting ({state.ExportingAdministration}) nor the importing ({state.ImportingAdministration}) administration of {Key}.");
        }

        if (string.Equals(partner, Administration.AdministrationId, StringComparison.Ordinal))
        {
            throw new DomainRuleException("shipment-partner-is-self", $"{partner} is this administration; deliveries and responses are tracked for the partner.");
        }
    }

    private static ShipmentDocumentView NewDocument(DisclosedEntry entry, string? replaces) => new(
        Required(entry, "documentType"),
        Required(entry, "number"),
        Fields.ParseDate(Required(entry, "issuedOn"))!.Value,
        Required(entry, "contentDigest"),
        DocumentStatus.Issued,
        replaces,
        null,
        null);

    private static ImmutableArray<PartnerDeliveryView> Upsert(IReadOnlyList<PartnerDeliveryView> deliveries, string partner, Func<PartnerDeliveryView, PartnerDeliveryView> update)
    {
        var existing = deliveries.FirstOrDefault(d => string.Equals(d.Partner, partner, StringComparison.Ordinal));
        var updated = update(existing ?? new PartnerDeliveryView(partner, DeliveryState.Pending, null, null, null));
        return existing is null ? [.. deliveries, updated] : [.. deliveries.Select(d => ReferenceEquals(d, existing) ? updated : d)];
    }

    private static string AdministrationId(string? value, string field)
    {
        var problem = Identifier.Explain(value);
        if (problem is not null || value!.Length > 64)
        {
            throw new InvalidCommandException(field, $"{field} \"{value}\" is not an administration id: {problem ?? "longer than 64 characters"}.");
        }

        return value;
    }

    private static string DocumentType(string? value)
    {
        if (value is null || !DocumentTypes.Contains(value))
        {
            throw new InvalidCommandException("documentType", $"documentType \"{value}\" is unknown; expected one of {string.Join(", ", DocumentTypes.Order(StringComparer.Ordinal))}.");
        }

        return value;
    }

    private static string DocumentNumber(string? value, string field) =>
        Fields.Matching(value, field, DocumentNumberPattern(), "1 to 64 letters, digits or . / -, starting with a letter or digit");

    private static string Digest(string? value) =>
        Fields.Matching(value, "contentDigest", DigestPattern(), "64 hex digits (SHA-256)").ToLowerInvariant();

    private static string Optional(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? string.Empty : Fields.Text(value, field);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Required(DisclosedEntry entry, string name) =>
        entry[name] ?? throw new InvalidOperationException($"Entry {entry.Entry.Body.Sequence} ({entry.Entry.Body.EntryType}) lacks field {name}.");

    [GeneratedRegex("^[0-9A-Z][0-9A-Z-]{4,34}$", RegexOptions.CultureInvariant)]
    private static partial Regex UcrPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9./-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex DocumentNumberPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();
}
