using Interconnect.Contracts;
using Interconnect.Grains.AeoOperators;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Shipments;
using Interconnect.Grains.MraAgreements;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Checkpoints;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Merkle;
using Interconnect.Ledger.Receipts;
using Interconnect.Ledger.Signing;
using Interconnect.Node.Hosting;
using Interconnect.Node.Mesh;
using Interconnect.Storage;

namespace Interconnect.Node.Replication;

/// <summary>
/// Receives partners' entries: checks the origin is a partner with an agreement, the signature
/// against the origin's keys, the disclosed fields against their digests and against the policy,
/// the chain's continuity; drops duplicates; applies each entity's entries in order, holding a gap
/// and asking for the range; checks the origin's checkpoint against the last one held; and answers
/// with a signed endorsement or a signed rejection with a reason for every entry it decides on.
/// </summary>
internal sealed partial class InboundReceiver(
    AdministrationNode node,
    AgreementBook agreements,
    ClusterChanges changes,
    IPartnerChannel channel,
    MeshAlarms alarms,
    Telemetry.NodeTelemetry telemetry,
    ILogger<InboundReceiver> logger)
{
    private static readonly TimeSpan GapRequestInterval = TimeSpan.FromSeconds(2);
    private readonly Dictionary<string, (long From, DateTimeOffset At)> _gapRequests = new(StringComparer.Ordinal);

    /// <summary>Rejections issued, by reason code (for metrics and tests).</summary>
    public RejectionCounter Rejections { get; } = new();

    /// <summary>
    /// Refuses a message whose sender is no partner of ours: counted and logged, never answered
    /// (answering would only serve whoever forged it). Returns true when it was refused.
    /// </summary>
    public bool RefusedStranger(string origin)
    {
        if (node.IsPartner(origin))
        {
            return false;
        }

        Rejections.Count("not-a-partner");
        telemetry.Rejected(origin, issued: true, "not-a-partner");
        LogStranger(logger, origin);
        return true;
    }

    /// <summary>
    /// Handles one log-ordered message of a partner's stream, where we stand at <paramref name="stream"/>.
    /// Returns null, having applied nothing, when the message starts beyond that (the caller holds it
    /// a while, and asks for the gap if its predecessor does not come); otherwise how far the stream
    /// is now processed, the checkpoint accepted, if any, and the receipts. The caller stores the new
    /// position, then acknowledges (<see cref="AcknowledgeAsync"/>).
    /// </summary>
    public async Task<ReceivedMessage?> ReceiveAsync(ReplicateEntries message, PartnerStreamPosition stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(stream);
        var origin = message.Origin;
        using var span = telemetry.StartSpan("receive", System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag(Telemetry.MetricNames.PartnerTag, origin).SetTag("interconnect.log.from", message.LogFrom).SetTag("interconnect.log.through", message.LogThrough)
            .SetTag("interconnect.entries", message.Entries?.Count ?? 0);
        RefuseIfTooLarge(origin, message.Entries);
        if (message.LogFrom > stream.ReceivedThrough)
        {
            return null;
        }

        var receipts = new List<byte[]>();
        var checkpoint = CheckCheckpoint(message, stream.LastCheckpoint);
        if (checkpoint.Problem is { } problem)
        {
            // Never accepted silently: every entry of the message is refused with the alarm's reason.
            foreach (var wire in message.Entries ?? [])
            {
                var (entry, _) = WireCodec.FromWire(wire);
                receipts.Add(Reject(origin, entry, "checkpoint-inconsistent", problem));
            }
        }
        else
        {
            await ApplyAsync(origin, message.Entries ?? [], receipts, cancellationToken).ConfigureAwait(false);
        }

        return new ReceivedMessage(Math.Max(stream.ReceivedThrough, message.LogThrough), checkpoint.Accepted, receipts);
    }

    /// <summary>Answers <paramref name="origin"/>: our position in its stream, the size of its checkpoint we hold, and the receipts.</summary>
    public Task AcknowledgeAsync(string origin, PartnerStreamPosition stream, IReadOnlyList<byte[]> receipts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReplyAsync(origin, new EntriesAcknowledged(node.Id, origin, stream.ReceivedThrough, [.. receipts], stream.CheckpointSize), cancellationToken);
    }

    /// <summary>Asks <paramref name="origin"/> for its stream again from <paramref name="receivedThrough"/>, what we received of it.</summary>
    public Task RequestStreamGapAsync(string origin, long receivedThrough, CancellationToken cancellationToken) =>
        RequestGapAsync(origin, receivedThrough, cancellationToken);

    /// <summary>Handles entries of one entity of a partner's stream, sent to fill a gap; returns the receipts.</summary>
    public async Task<IReadOnlyList<byte[]>> ReceiveRangeAsync(ReplicateEntityRange message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var span = telemetry.StartSpan("receive range", System.Diagnostics.ActivityKind.Consumer);
        span?.SetTag(Telemetry.MetricNames.PartnerTag, message.Origin).SetTag("interconnect.entries", message.Entries?.Count ?? 0);
        RefuseIfTooLarge(message.Origin, message.Entries);
        var receipts = new List<byte[]>();
        await ApplyAsync(message.Origin, message.Entries ?? [], receipts, cancellationToken).ConfigureAwait(false);
        return receipts;
    }

    private async Task ApplyAsync(string origin, IReadOnlyList<WireEntry> wires, List<byte[]> receipts, CancellationToken cancellationToken)
    {
        foreach (var wire in wires)
        {
            if (WireCodec.EntryTooLarge(wire) is { } tooLarge)
            {
                receipts.Add(Reject(origin, WireCodec.HeaderOf(wire), "oversized", tooLarge));
                continue;
            }

            var (entry, problem) = WireCodec.FromWire(wire);
            if (entry is null)
            {
                receipts.Add(Reject(origin, null, "malformed", problem!));
                continue;
            }

            Verdict verdict;
            using (var verify = telemetry.StartSpan("verify"))
            {
                verify?.SetTag("interconnect.entry", entry.Entry.ToString());
                verdict = await DecideAsync(origin, entry, cancellationToken).ConfigureAwait(false);
                verify?.SetTag("interconnect.verdict", verdict switch { Verdict.Endorse => "endorse", Verdict.Refuse r => "refuse: " + r.Code, _ => "hold" });
            }

            switch (verdict)
            {
                case Verdict.Endorse:
                    receipts.Add(await EndorseAsync(entry, cancellationToken).ConfigureAwait(false));
                    break;
                case Verdict.Refuse refuse:
                    receipts.Add(Reject(origin, entry, refuse.Code, refuse.Reason));
                    break;
                case Verdict.Hold:
                    break;
            }
        }
    }

    private async Task<Verdict> DecideAsync(string origin, DisclosedEntry entry, CancellationToken cancellationToken)
    {
        var body = entry.Entry.Body;
        if (!string.Equals(body.Origin, origin, StringComparison.Ordinal))
        {
            return new Verdict.Refuse("wrong-origin", $"The entry originates from {body.Origin}, but {origin} sent it.");
        }

        // A key-set entry is judged by the partner's key set itself (signer, chain, anchor) when it is next in line.
        var isKeySet = body.EntityKind == KeySetFormat.EntityKind;
        if (isKeySet)
        {
            if (!string.Equals(body.EntityId, origin, StringComparison.Ordinal))
            {
                return new Verdict.Refuse("key-set-refused", $"{origin} can only write its own key set, not {body.EntityId}'s.");
            }
        }
        else if (CheckSignature(entry) is { } signatureRefused)
        {
            return signatureRefused;
        }

        if (entry.VerifyFields() is { } fieldFault)
        {
            return new Verdict.Refuse("bad-field", fieldFault.Describe());
        }

        if (!isKeySet && await CheckEntitlementAsync(entry, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var key = EntityKey.Of(body);
        var head = await node.Store.Entities.GetHeadAsync(key, cancellationToken).ConfigureAwait(false);
        var last = head?.LastSequence ?? 0;
        if (body.Sequence <= last)
        {
            var stored = await node.Store.Entities.ReadAsync(key, body.Sequence, 1, cancellationToken).ConfigureAwait(false);
            if (stored.Count == 1 && stored[0].Entry.Hash == entry.Entry.Hash)
            {
                return new Verdict.Endorse();
            }

            // A key-set entry skipped the signature check above; a forgery of a place we hold is no fork of the partner's.
            if (isKeySet && CheckSignature(entry) is { } forged)
            {
                return forged;
            }

            var message = $"{key} entry {body.Sequence} is {entry.Entry.Hash}, but we hold {(stored.Count == 1 ? stored[0].Entry.Hash : "another")} for that sequence.";
            alarms.Raise(origin, "chain-fork", message);
            return new Verdict.Refuse("fork", "Two different entries with one sequence: " + message);
        }

        if (body.Sequence > last + 1)
        {
            await RequestEntityRangeAsync(origin, key, last + 1, body.Sequence, cancellationToken).ConfigureAwait(false);
            return new Verdict.Hold();
        }

        var previous = head?.LastHash ?? Hash256.Zero;
        if (body.PreviousHash != previous)
        {
            return new Verdict.Refuse("broken-chain", $"{key} entry {body.Sequence} links to {body.PreviousHash}, but entry {last} is {previous}.");
        }

        if (isKeySet && node.Keys.Check(entry) is { } keySetFault)
        {
            return new Verdict.Refuse("key-set-refused", keySetFault.Describe());
        }

        try
        {
            await node.Store.Entities.AppendAsync(key, last, [entry], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Another replica of this node stored it meanwhile; decide again against what is stored.
            return await DecideAsync(origin, entry, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return new Verdict.Refuse("refused-by-store", e.Message);
        }

        await OnStoredAsync(entry, cancellationToken).ConfigureAwait(false);
        return new Verdict.Endorse();
    }

    /// <summary>Whether we may receive this entry at all, and only the fields the policy gives us.</summary>
    private async Task<Verdict.Refuse?> CheckEntitlementAsync(DisclosedEntry entry, CancellationToken cancellationToken)
    {
        var body = entry.Entry.Body;
        if (body.EntityKind == MraAgreementGrain.EntityKind)
        {
            var withheld = entry.WithheldFieldNames.ToList();
            if (withheld.Count > 0)
            {
                return new Verdict.Refuse("incomplete-mra", $"MRA entries are disclosed whole to the parties; {string.Join(", ", withheld)} withheld.");
            }

            if (body.EntryType is "mra.proposed" or MraAcceptance.EntryType)
            {
                var terms = MraAgreementGrain.Replay(body.EntityId, [entry]);
                return terms.Parties.Contains(node.Id, StringComparer.Ordinal)
                    ? null
                    : new Verdict.Refuse("not-a-party", $"{node.Id} is not a party to MRA {body.EntityId}.");
            }

            var known = await agreements.FindAsync(body.EntityId, cancellationToken).ConfigureAwait(false);
            return known is not null
                ? null
                : new Verdict.Refuse("no-agreement", $"MRA {body.EntityId} is unknown here; its proposal must come first.");
        }

        var agreement = await agreements.GoverningAsync(body.Origin, node.Id, body.EntityKind, cancellationToken).ConfigureAwait(false);
        if (agreement is null)
        {
            return new Verdict.Refuse("no-agreement", $"No MRA in force between {body.Origin} and {node.Id} covers {body.EntityKind} entries.");
        }

        var allowed = agreement.PolicyFor(node.Id)!.FieldsFor(body.EntityKind)!;
        var beyond = entry.Fields.Select(f => f.Name).Where(n => !allowed.Contains(n, StringComparer.Ordinal)).ToList();
        return beyond.Count == 0
            ? null
            : new Verdict.Refuse("beyond-policy", $"Fields {string.Join(", ", beyond)} are beyond what MRA {agreement.AgreementId} discloses to {node.Id}.");
    }

    /// <summary>
    /// The entry's signature against its origin's keys as they stood at the entry's time. A key known
    /// but not valid then is told apart from a bad or unknown signature: <c>key-revoked</c> when a
    /// revocation reaches that time (its effective time and reason in the text), else <c>key-not-valid</c>.
    /// </summary>
    private Verdict.Refuse? CheckSignature(DisclosedEntry entry)
    {
        var body = entry.Entry.Body;
        switch (ChainVerifier.VerifySignature(entry.Entry, node.Keys))
        {
            case null:
                return null;
            case EntryFault.KeyNotValidAtTime notValid:
                if (node.Keys.RevokedAt(body.Origin, body.KeyId, body.Timestamp) is { } revoked)
                {
                    var which = revoked.Key.KeyId == body.KeyId ? $"key {body.KeyId}" : $"key {body.KeyId} (added under key {revoked.Key.KeyId})";
                    return new Verdict.Refuse(
                        "key-revoked",
                        $"{body.Origin} revoked {which} effective {KeySetFormat.FormatTime(revoked.Revocation.EffectiveAt)} ({revoked.Revocation.Reason}); "
                        + $"entry {body.Sequence} is dated {KeySetFormat.FormatTime(body.Timestamp)}.");
                }

                return new Verdict.Refuse("key-not-valid", notValid.Describe());
            case var fault:
                return new Verdict.Refuse("bad-signature", fault.Describe());
        }
    }

    private async Task OnStoredAsync(DisclosedEntry entry, CancellationToken cancellationToken)
    {
        var body = entry.Entry.Body;
        if (body.EntityKind == KeySetFormat.EntityKind)
        {
            await OnKeySetEntryStoredAsync(entry, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (body.EntityKind != MraAgreementGrain.EntityKind)
        {
            return;
        }

        await changes.AgreementsChangedAsync().ConfigureAwait(false);
        if (body.EntryType != MraAcceptance.EntryType)
        {
            return;
        }

        // A partner accepted an agreement: if we proposed it, its acceptance goes into our ledger.
        var ours = await node.Store.Entities.GetHeadAsync(new EntityKey(node.Id, MraAgreementGrain.EntityKind, body.EntityId), cancellationToken).ConfigureAwait(false);
        if (ours is null)
        {
            return;
        }

        try
        {
            await node.Grains.GetGrain<IMraAgreementGrain>(body.EntityId)
                .RecordAcceptance(new RecordMraAcceptance(body.Origin, entry)).ConfigureAwait(false);
            await changes.AgreementsChangedAsync().ConfigureAwait(false);
        }
        catch (DomainRuleException e)
        {
            LogAcceptanceNotRecorded(logger, body.Origin, body.EntityId, e.Message);
        }
    }

    /// <summary>
    /// Applies a partner's stored key-set entry. A revocation reaching back in time cannot un-endorse
    /// what we already took: every stored entry of that partner signed by the revoked key at or after
    /// the effective time raises an alarm naming it, for an operator to follow up.
    /// </summary>
    private async Task OnKeySetEntryStoredAsync(DisclosedEntry entry, CancellationToken cancellationToken)
    {
        var body = entry.Entry.Body;
        if (node.Keys.Apply(entry) is { } fault)
        {
            // Checked just before it was stored; only a concurrent apply of the same entry gets here.
            LogKeySetNotApplied(logger, body.Origin, body.Sequence, fault.Describe());
            return;
        }

        LogKeySetApplied(logger, body.Origin, body.Sequence, body.EntryType);
        // The other silos verify this partner's entries too: they reload its key set before we go on.
        await changes.KeySetsChangedAsync().ConfigureAwait(false);
        if (body.EntryType != KeySetFormat.KeyRevoked || entry[KeySetFormat.KeyIdField] is not { } revokedKey
            || !KeySetFormat.TryParseTime(entry[KeySetFormat.EffectiveAtField], out var effectiveAt))
        {
            return;
        }

        var affected = new List<string>();
        var count = 0;
        foreach (var kind in MeshQueries.SharedKinds)
        {
            await foreach (var entity in node.Store.Entities.ListAsync(body.Origin, kind, cancellationToken).ConfigureAwait(false))
            {
                for (ulong next = 1; ;)
                {
                    var page = await node.Store.Entities.ReadAsync(entity, next, 500, cancellationToken).ConfigureAwait(false);
                    foreach (var stored in page.Where(e => e.Entry.Body.KeyId == revokedKey && e.Entry.Body.Timestamp >= effectiveAt))
                    {
                        count++;
                        if (affected.Count < 20)
                        {
                            affected.Add($"{entity} #{stored.Entry.Body.Sequence} ({KeySetFormat.FormatTime(stored.Entry.Body.Timestamp)})");
                        }
                    }

                    if (page.Count < 500)
                    {
                        break;
                    }

                    next = page[^1].Entry.Body.Sequence + 1;
                }
            }
        }

        if (count > 0)
        {
            alarms.Raise(
                body.Origin,
                "revoked-key-entries",
                $"{body.Origin} revoked key {revokedKey} effective {KeySetFormat.FormatTime(effectiveAt)}; {count} entr{(count == 1 ? "y" : "ies")} signed with it "
                + $"at or after that time {(count == 1 ? "was" : "were")} already taken here and cannot be un-endorsed: {string.Join(", ", affected)}{(count > affected.Count ? ", ..." : string.Empty)}.");
        }
    }

    /// <summary>
    /// A message beyond the limits is not worked through entry by entry (that is the cost its sender
    /// wants us to pay): it is counted and refused whole, and goes to the error queue with the reason.
    /// </summary>
    private void RefuseIfTooLarge(string origin, IReadOnlyList<WireEntry>? entries)
    {
        if (WireCodec.MessageTooLarge(entries) is not { } tooLarge)
        {
            return;
        }

        Rejections.Count("oversized");
        telemetry.Rejected(origin, issued: true, "oversized");
        LogRejected(logger, origin, "(whole message)", "oversized", tooLarge);
        throw new MalformedMessageException(tooLarge);
    }

    private (byte[]? Accepted, string? Problem) CheckCheckpoint(ReplicateEntries message, byte[]? held)
    {
        if (message.Checkpoint is null)
        {
            return (null, null);
        }

        var decoded = SignedCheckpoint.Decode(message.Checkpoint);
        if (!decoded.Ok)
        {
            return Alarm(message.Origin, "checkpoint-malformed", "The checkpoint cannot be decoded: " + decoded.Error!.Message);
        }

        var newer = decoded.Value!;
        if (newer.Checkpoint.Origin != message.Origin)
        {
            return Alarm(message.Origin, "checkpoint-inconsistent", $"The checkpoint is of {newer.Checkpoint.Origin}'s log, not {message.Origin}'s.");
        }

        // Only when our keys do not verify it: the message may carry the key-set entry that does.
        if (newer.Verify(node.PartnerKeys) is { } fault && (KeysWith(message) is not { } withEntries || newer.Verify(withEntries) is not null))
        {
            // A checkpoint of more of the log than this message carries may be signed by a key whose
            // key-set entry is still ahead in the stream (a rotation): it cannot be checked yet, like a
            // checkpoint without its proof. It is not kept; the entries are checked one by one as ever.
            if (fault is CheckpointFault.UnknownKey && newer.Checkpoint.TreeSize > message.LogThrough && node.Keys.HoldsKeySet(message.Origin))
            {
                return (null, null);
            }

            return Alarm(message.Origin, "checkpoint-inconsistent", "The checkpoint's signature does not verify: " + fault.Describe());
        }

        if (held is null)
        {
            return (message.Checkpoint, null);
        }

        var older = SignedCheckpoint.Decode(held).Value!;
        if (newer.Checkpoint.TreeSize < older.Checkpoint.TreeSize && newer.Checkpoint.Timestamp <= older.Checkpoint.Timestamp)
        {
            // Signed before the one we hold: the message was overtaken (sent again, or delivered
            // again by a broker) and its checkpoint is simply old. Not kept, and no evidence of
            // anything. A smaller tree signed after the one we hold is a rollback: the check says so.
            return (null, null);
        }

        ConsistencyProof? proof = null;
        if (message.ConsistencyProof is not null)
        {
            var decodedProof = ConsistencyProof.Decode(message.ConsistencyProof);
            if (!decodedProof.Ok)
            {
                return Alarm(message.Origin, "checkpoint-inconsistent", "The consistency proof cannot be decoded: " + decodedProof.Error!.Message);
            }

            proof = decodedProof.Value;
        }

        var result = CheckpointConsistency.Check(older, newer, proof);
        return result.Conflict switch
        {
            null => (newer.Checkpoint.TreeSize >= older.Checkpoint.TreeSize ? message.Checkpoint : null, null),

            // The origin did not know which checkpoint we hold; keep ours and tell it in the acknowledgement.
            CheckpointConflict.ProofMissing or CheckpointConflict.ProofForOtherSizes => (null, null),
            CheckpointConflict.Fork => Alarm(message.Origin, "checkpoint-fork", result.Conflict.Describe()),
            _ => Alarm(message.Origin, "checkpoint-inconsistent", result.Conflict.Describe()),
        };
    }

    /// <summary>
    /// The keys to check a message's checkpoint with: the checkpoint may be signed by a key that a
    /// key-set entry in the same message brings in (the first checkpoint after a rotation), so those
    /// entries are applied to a copy of the origin's key set first. Nothing is kept from the copy.
    /// Null when the message brings no key-set entry: the keys already tried are all there is.
    /// </summary>
    private KeySet? KeysWith(ReplicateEntries message)
    {
        if (node.Keys.Partner(message.Origin) is not { } keySet)
        {
            return null;
        }

        KeySet? copy = null;
        foreach (var wire in message.Entries ?? [])
        {
            if (WireCodec.FromWire(wire).Entry is not { } entry || entry.Entry.Body.EntityKind != KeySetFormat.EntityKind)
            {
                continue;
            }

            copy ??= keySet.Fork();
            _ = copy.Apply(entry);
        }

        return copy?.Head is null ? null : copy;
    }

    private (byte[]? Accepted, string? Problem) Alarm(string origin, string kind, string problem)
    {
        alarms.Raise(origin, kind, problem);
        return (null, problem);
    }

    private async Task<byte[]> EndorseAsync(DisclosedEntry entry, CancellationToken cancellationToken)
    {
        using var span = telemetry.StartSpan("endorse");
        span?.SetTag("interconnect.entry", entry.Entry.ToString());
        var signed = Sign(entry.Entry.Body.Origin, entry, ReceiptVerdict.Endorsed, string.Empty);
        var body = entry.Entry.Body;
        await node.Store.Receipts.SaveAsync(
            new StoredReceipt(EntityKey.Of(body), body.Sequence, entry.Entry.Hash, node.Id, ReceiptVerdict.Endorsed, signed, node.Time.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        telemetry.Endorsed(body.Origin, issued: true);
        return signed;
    }

    private byte[] Reject(string origin, DisclosedEntry? entry, string code, string reason)
    {
        using var span = telemetry.StartSpan("reject");
        span?.SetTag("interconnect.entry", entry?.Entry.ToString()).SetTag(Telemetry.MetricNames.ReasonTag, code);
        Rejections.Count(code);
        telemetry.Rejected(origin, issued: true, code);
        LogRejected(logger, origin, entry?.Entry.ToString() ?? "(unreadable entry)", code, reason);
        return Sign(origin, entry, ReceiptVerdict.Rejected, $"{code}: {reason}");
    }

    private byte[] Sign(string origin, DisclosedEntry? entry, ReceiptVerdict verdict, string reason)
    {
        var body = entry?.Entry.Body;
        // One stamp: the receipt is dated within the validity of the key that signs it.
        var stamp = node.Signer.Stamp(DateTimeOffset.MinValue);
        var receipt = new Receipt(
            node.Id, origin, body?.EntityKind ?? string.Empty, body?.EntityId ?? string.Empty, body?.Sequence ?? 0,
            entry?.Entry.Hash ?? Hash256.Zero, verdict, Receipt.FitReason(reason), stamp.Timestamp);
        return SignedReceipt.Sign(receipt, stamp.Key).Encode();
    }

    private async Task RequestGapAsync(string origin, long from, CancellationToken cancellationToken)
    {
        var now = node.Time.GetUtcNow();
        lock (_gapRequests)
        {
            if (_gapRequests.TryGetValue(origin, out var last) && last.From == from && now - last.At < GapRequestInterval)
            {
                return;
            }

            _gapRequests[origin] = (from, now);
        }

        LogGap(logger, origin, from);
        await ReplyAsync(origin, new RequestLogRange(node.Id, origin, from), cancellationToken).ConfigureAwait(false);
    }

    private Task RequestEntityRangeAsync(string origin, EntityKey entity, ulong from, ulong through, CancellationToken cancellationToken) =>
        ReplyAsync(origin, new RequestEntityRange(node.Id, origin, entity.Kind, entity.Id, from, through), cancellationToken);

    private async Task ReplyAsync<T>(string partner, T message, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await channel.SendAsync(partner, message, cancellationToken).ConfigureAwait(false);
        }
        catch (PartnerUnreachableException e)
        {
            // Nothing is lost: the partner sends again what we have not acknowledged, and we answer again.
            LogReplyFailed(logger, partner, typeof(T).Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Key set of {Origin}: entry {Sequence} ({EntryType}) applied")]
    private static partial void LogKeySetApplied(ILogger logger, string origin, ulong sequence, string entryType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key set of {Origin}: stored entry {Sequence} not applied: {Fault}")]
    private static partial void LogKeySetNotApplied(ILogger logger, string origin, ulong sequence, string fault);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a message from {Origin}, which is not a configured partner")]
    private static partial void LogStranger(ILogger logger, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Entry} from {Origin}: {Code}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string origin, string entry, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gap in {Origin}'s stream: asking for it again from leaf {From}")]
    private static partial void LogGap(ILogger logger, string origin, long from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Message} to {Partner} now: {Reason}")]
    private static partial void LogReplyFailed(ILogger logger, string partner, string message, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acceptance of MRA {AgreementId} by {Party} not recorded: {Reason}")]
    private static partial void LogAcceptanceNotRecorded(ILogger logger, string party, string agreementId, string reason);

    private abstract record Verdict
    {
        public sealed record Endorse : Verdict;

        public sealed record Hold : Verdict;

        public sealed record Refuse(string Code, string Reason) : Verdict;
    }
}

/// <summary>Counts rejections by reason code.</summary>
internal sealed class RejectionCounter
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Count(string code) => _counts.AddOrUpdate(code, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);
}
