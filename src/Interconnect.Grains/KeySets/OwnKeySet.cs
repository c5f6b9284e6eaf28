using Interconnect.Grains.Log;
using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.KeySets;
using Interconnect.Ledger.Signing;
using Interconnect.Storage;

namespace Interconnect.Grains.KeySets;

/// <summary>
/// This administration's key set, kept as a ledger entity of its own (<c>key-set</c>/our id): signed,
/// chained, stored and logged like every other entity, so it replicates and is proven like them.
/// Writes the genesis on first start, rotates, adds standby keys and revokes, one change at a time,
/// and keeps the <see cref="NodeSigner"/> on the key that the set says is current.
/// </summary>
/// <param name="administrationId">Our administration id.</param>
/// <param name="store">The node's storage.</param>
/// <param name="log">The node's Merkle log.</param>
/// <param name="signer">The signer the grains use; this class chooses its key.</param>
/// <param name="held">The private keys this node holds (configured key first), by id.</param>
/// <param name="time">The clock.</param>
/// <param name="wrap">Wraps a key before the grains sign with it (telemetry), or null.</param>
public sealed class OwnKeySet(
    string administrationId, INodeStore store, IAdministrationLog log, NodeSigner signer, IReadOnlyList<ISigner> held, TimeProvider time, Func<ISigner, ISigner>? wrap = null) : IDisposable
{
    /// <summary>How far in the future a revocation may take effect: beyond that it is more likely a mistake than a plan.</summary>
    public static readonly TimeSpan MaxRevocationLead = TimeSpan.FromDays(1);

    private const int PageSize = 500;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly List<ISigner> _held = held.DistinctBy(k => k.KeyId, StringComparer.Ordinal).ToList();
    private KeySet? _keySet;

    /// <summary>The ledger entity that holds our key set.</summary>
    public EntityKey Entity { get; } = new(administrationId, KeySetFormat.EntityKind, administrationId);

    /// <summary>The key set as stored and folded; null before <see cref="StartAsync"/>.</summary>
    public KeySet? KeySet => Volatile.Read(ref _keySet);

    /// <summary>The private keys this node holds (their public halves).</summary>
    public IReadOnlyList<PublicKey> HeldKeys => [.. _held.Select(k => k.PublicKey)];

    /// <summary>
    /// Loads and verifies the stored key set; on first start (no entries) writes the genesis for the
    /// first held key. Then signs with the held key the set says is valid now, or stops signing and
    /// says why (never a new genesis over an existing set).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entries = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            if (entries.Count == 0)
            {
                var configured = _held[0];
                var genesis = new KeySetAuthor(administrationId).Genesis(configured, EntryBody.TruncateToMicros(time.GetUtcNow()));
                try
                {
                    await AppendAsync(0, genesis, cancellationToken).ConfigureAwait(false);
                    entries = [genesis];
                }
                catch (ConcurrencyConflictException)
                {
                    // Another replica wrote the genesis first: its set is ours.
                    entries = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            var anchor = new TrustAnchor.GenesisKey(administrationId, entries[0].Entry.Body.KeyId);
            var load = KeySet.Load(anchor, entries);
            if (load.Fault is { } fault)
            {
                throw new StorageException($"The stored key set of {administrationId} does not verify: {fault.Describe()}");
            }

            Volatile.Write(ref _keySet, load.KeySet);
            Select(load.KeySet, null);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Rotates the current key to the held key <paramref name="newKeyId"/> (key.rotated signed by the
    /// current key); entries from the rotation on are signed by the new key.
    /// </summary>
    public async Task<DisclosedEntry> RotateAsync(string newKeyId, CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keySet = Started();
            var current = CurrentHeld();
            var next = Held(newKeyId, "rotate to");
            if (keySet.Find(newKeyId) is not null)
            {
                throw new DomainRuleException("key-in-set", $"Key {newKeyId} is already in the key set of {administrationId}; a rotation brings in a key not used before.");
            }

            var at = signer.BeginEnding(keySet.Head!.Timestamp);
            try
            {
                var entry = Write(keySet, author => author.Rotate(current, next.PublicKey, at));
                await AppendAsync(keySet.Head!.Sequence, entry, cancellationToken).ConfigureAwait(false);
                Apply(keySet, entry);
                signer.Use(Wrap(next), at);
                return entry;
            }
            catch
            {
                signer.CancelEnding();
                throw;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Adds the held key <paramref name="keyId"/> as a standby (key.added signed by the current key).</summary>
    public async Task<DisclosedEntry> AddStandbyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keySet = Started();
            var standby = Held(keyId, "add");
            if (keySet.Find(keyId) is not null)
            {
                throw new DomainRuleException("key-in-set", $"Key {keyId} is already in the key set of {administrationId}.");
            }

            var stamp = signer.Stamp(keySet.Head!.Timestamp);
            var entry = Write(keySet, author => author.AddKey(Raw(stamp.Key), standby.PublicKey, stamp.Timestamp));
            await AppendAsync(keySet.Head!.Sequence, entry, cancellationToken).ConfigureAwait(false);
            Apply(keySet, entry);
            return entry;
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Revokes <paramref name="keyId"/> from <paramref name="effectiveAt"/>: signed by another held key
    /// valid now if there is one, else by the key itself. When it is the current key the node signs
    /// with a valid standby from then on, or stops signing when it holds none.
    /// </summary>
    public async Task<DisclosedEntry> RevokeAsync(string keyId, DateTimeOffset effectiveAt, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(reason);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keySet = Started();
            var now = EntryBody.TruncateToMicros(time.GetUtcNow());
            var key = keySet.Find(keyId) ?? throw new DomainRuleException("unknown-key", $"Key {keyId} is not in the key set of {administrationId}.");
            if (effectiveAt > now + MaxRevocationLead)
            {
                throw new InvalidCommandException("effectiveAt", $"effectiveAt {effectiveAt:O} is more than {MaxRevocationLead.TotalHours:0} hours ahead; a revocation takes effect now or at a time already past.");
            }

            if (key.ValidUntil is { } until && until <= effectiveAt)
            {
                throw new DomainRuleException("key-already-ended", $"Key {keyId} already stopped being valid at {until:O}; a revocation must shorten its validity.");
            }

            var previous = signer.Current;
            var revokingCurrent = previous is not null && string.Equals(previous.KeyId, keyId, StringComparison.Ordinal);
            // A standby added under the revoked key after the effective time is void with it: not a successor.
            var successor = Choose(keySet, now, except: keyId, voidedBy: (keyId, EntryBody.TruncateToMicros(effectiveAt)));
            SigningStamp stamp;
            if (revokingCurrent && successor is not null)
            {
                // The standby takes over before the revocation is written: nothing more is signed with the key being revoked.
                signer.Use(Wrap(successor), keySet.Find(successor.KeyId)!.ValidFrom);
                stamp = signer.Stamp(keySet.Head!.Timestamp);
            }
            else if (!revokingCurrent && previous is not null)
            {
                // The key that signs now is held, valid and not the one revoked.
                stamp = signer.Stamp(keySet.Head!.Timestamp);
            }
            else
            {
                // Self-signed: no other key this node holds could sign it.
                var self = _held.FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal))
                    ?? throw new DomainRuleException("no-key-to-sign", $"This node holds no key valid now to sign the revocation of {keyId}: neither another key of the set nor the key itself.");
                stamp = revokingCurrent
                    ? signer.Stamp(keySet.Head!.Timestamp) with { Key = self }
                    : new SigningStamp(self, now > keySet.Head!.Timestamp ? now : keySet.Head!.Timestamp);
                if (revokingCurrent)
                {
                    signer.Stop($"Key {keyId} is revoked and this node holds no other valid key: add a key with a rotation from a node that holds a valid one, or restore one.");
                }
            }

            try
            {
                var entry = Write(keySet, author => author.Revoke(Raw(stamp.Key), keyId, EntryBody.TruncateToMicros(effectiveAt), reason, stamp.Timestamp));
                await AppendAsync(keySet.Head!.Sequence, entry, cancellationToken).ConfigureAwait(false);
                Apply(keySet, entry);
                Select(keySet, signer.Current?.KeyId);
                return entry;
            }
            catch when (revokingCurrent && successor is null && previous is not null)
            {
                // Not revoked after all: the key signs on until an operator tries again.
                signer.Use(previous, key.ValidFrom);
                throw;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Every stored entry of our key set, in order.</summary>
    public async Task<IReadOnlyList<DisclosedEntry>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<DisclosedEntry>();
        while (true)
        {
            var page = await store.Entities.ReadAsync(Entity, (ulong)entries.Count + 1, PageSize, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page);
            if (page.Count < PageSize)
            {
                return entries;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _turn.Dispose();

    /// <summary>Signs with the held key the set says is valid now (the current line of succession first); stops signing when none is.</summary>
    private void Select(KeySet keySet, string? preferred)
    {
        var now = EntryBody.TruncateToMicros(time.GetUtcNow());
        if (preferred is not null && IsHeldAndValid(keySet, preferred, now))
        {
            return;
        }

        if (Choose(keySet, now, except: null) is { } key)
        {
            signer.Use(Wrap(key), keySet.Find(key.KeyId)!.ValidFrom);
            return;
        }

        var held = string.Join(", ", _held.Select(k => keySet.Find(k.KeyId) is { } known
            ? $"{k.KeyId} ({(keySet.ValidAt(now).Contains(known) ? "valid" : "not valid now")})"
            : $"{k.KeyId} (not in the key set)"));
        signer.Stop(
            $"None of the keys this node holds is valid now in the key set of {administrationId}: {held}. "
            + "Configure a key the set holds as valid (Node:SigningKeyFile or Node:AdditionalSigningKeyFiles); the key set is never started again.");
    }

    /// <summary>
    /// The held key to sign with at <paramref name="at"/>: valid keys of the line of succession (the
    /// genesis key and the keys rotated in), latest first, then standby keys, latest first.
    /// </summary>
    private ISigner? Choose(KeySet keySet, DateTimeOffset at, string? except, (string KeyId, DateTimeOffset EffectiveAt)? voidedBy = null)
    {
        var keys = keySet.Keys;
        var line = new HashSet<string>(StringComparer.Ordinal) { keys[0].KeyId };
        foreach (var key in keys)
        {
            if (key.Rotation is { } rotation)
            {
                line.Add(rotation.SuccessorKeyId);
            }
        }

        return keySet.ValidAt(at)
            .Where(k => !string.Equals(k.KeyId, except, StringComparison.Ordinal))
            .Where(k => voidedBy is not { } revoked || !AddedUnder(keySet, k, revoked.KeyId, revoked.EffectiveAt))
            .OrderByDescending(k => line.Contains(k.KeyId))
            .ThenByDescending(k => k.AddedInSequence)
            .Select(k => _held.FirstOrDefault(h => string.Equals(h.KeyId, k.KeyId, StringComparison.Ordinal)))
            .FirstOrDefault(h => h is not null);
    }

    // Whether the key was added, directly or down a chain of additions, under keyId at or after effectiveAt.
    private static bool AddedUnder(KeySet keySet, AdministrationKey key, string keyId, DateTimeOffset effectiveAt)
    {
        for (var current = key; !current.IsGenesis;)
        {
            if (string.Equals(current.AuthorizedBy, keyId, StringComparison.Ordinal) && effectiveAt <= current.ValidFrom)
            {
                return true;
            }

            current = keySet.Find(current.AuthorizedBy)!;
        }

        return false;
    }

    private bool IsHeldAndValid(KeySet keySet, string keyId, DateTimeOffset at) =>
        _held.Any(h => string.Equals(h.KeyId, keyId, StringComparison.Ordinal))
        && keySet.Resolve(administrationId, keyId, at) is KeyLookup.Found;

    private KeySet Started() => KeySet ?? throw new InvalidOperationException("The key set has not been loaded; start the node first.");

    private ISigner CurrentHeld()
    {
        var current = signer.Current ?? throw new DomainRuleException("no-signing-key", signer.Unavailable ?? "The node has no signing key.");
        return Raw(current);
    }

    private ISigner Held(string keyId, string what) =>
        _held.FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal))
        ?? throw new DomainRuleException("key-not-held", $"Cannot {what} key {keyId}: this node does not hold its private key (Node:AdditionalSigningKeyFiles).");

    // The held key behind a (possibly wrapped) signer: key-set entries are signed by the key itself.
    private ISigner Raw(ISigner key) => _held.FirstOrDefault(k => string.Equals(k.KeyId, key.KeyId, StringComparison.Ordinal)) ?? key;

    private ISigner Wrap(ISigner key) => wrap is null ? key : wrap(key);

    private static DisclosedEntry Write(KeySet keySet, Func<KeySetAuthor, DisclosedEntry> write)
    {
        try
        {
            // Key operations are commands too: the entry records who asked for them, when someone did.
            var author = KeySetAuthor.Continue(keySet);
            author.Actor = Runtime.Actor.Current is { } actor ? (actor.Id, actor.Role) : null;
            return write(author);
        }
        catch (InvalidOperationException e)
        {
            // The author refuses what partners would refuse; the fault says exactly why.
            throw new DomainRuleException("key-set-refused", e.Message);
        }
    }

    private static void Apply(KeySet keySet, DisclosedEntry entry)
    {
        if (keySet.Apply(entry) is { } fault)
        {
            throw new InvalidOperationException($"A key-set entry written and stored does not apply: {fault.Describe()}");
        }
    }

    private async Task AppendAsync(ulong expected, DisclosedEntry entry, CancellationToken cancellationToken)
    {
        EntityHead stored;
        try
        {
            stored = await store.Entities.AppendAsync(Entity, expected, [entry], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (ArgumentException or ConcurrencyConflictException))
        {
            log.SuspectUnloggedEntries();
            throw;
        }

        await log.RecordAsync(Entity, [entry.Entry], stored.LoggedThrough, cancellationToken).ConfigureAwait(false);
    }
}
