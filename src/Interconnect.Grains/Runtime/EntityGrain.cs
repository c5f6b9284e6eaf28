using Interconnect.Grains.KeySets;
using Interconnect.Ledger;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;
using Interconnect.Storage;

namespace Interconnect.Grains.Runtime;

/// <summary>One change a command makes: the entry type and its fields (all strings).</summary>
public sealed record LedgerChange(string EntryType, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// An Orleans grain whose state is the fold of its signed, hash-chained ledger (event sourcing; the
/// ledger is the source of truth, the state a projection). Commands decide a change from the current
/// state; the change is signed and appended with the expected sequence, so a concurrent writer (a
/// second activation during a membership change, or a stale silo) makes the append fail, the grain
/// reloads, decides again, and retries a bounded number of times. State changes only after the append
/// is durable. Single activation makes conflicts rare; correctness never rests on it (ADR 0010).
/// </summary>
/// <remarks>
/// Grain code awaits without <c>ConfigureAwait(false)</c>: continuations must run in the
/// activation's turn, which is what makes the state safe without locks.
/// </remarks>
/// <typeparam name="TState">Immutable state record.</typeparam>
public abstract class EntityGrain<TState>(AdministrationContext administration) : Grain
    where TState : class
{
    private const int PageSize = 500;
    private EntryBody? _head;
    private EntityKey? _entity;

    /// <summary>The grain's key: the entity's natural id (an AEO number, an agreement id, a UCR).</summary>
    protected string Key => this.GetPrimaryKeyString();

    /// <summary>The administration this node belongs to.</summary>
    protected AdministrationContext Administration { get; } = administration ?? throw new ArgumentNullException(nameof(administration));

    /// <summary>The ledger entity kind of this grain (e.g. "aeo-operator").</summary>
    protected abstract string Kind { get; }

    /// <summary>The state of an entity with no entries.</summary>
    protected abstract TState Initial { get; }

    /// <summary>The current state (the fold of every entry).</summary>
    protected TState State { get; private set; } = null!;

    /// <summary>Sequence of the last entry; 0 for a new entity.</summary>
    protected ulong Sequence => _head?.Sequence ?? 0;

    /// <summary>The entity this grain keeps.</summary>
    protected EntityKey Entity => _entity ??= new(Administration.AdministrationId, Kind, Key); // the key never changes after activation

    /// <summary>Folds one entry into the state. Pure.</summary>
    protected abstract TState Apply(TState state, DisclosedEntry entry);

    /// <summary>Throws <see cref="InvalidCommandException"/> when the key is out of format for this kind.</summary>
    protected abstract void ValidateKey(string key);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ValidateKey(Key);
        await ReloadAsync(cancellationToken);
        Administration.Activations.Activated();
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Administration.Activations.Deactivated();
        return Task.CompletedTask;
    }

    /// <summary>The current state (implements every entity grain interface's <c>GetState</c>).</summary>
    public Task<TState> GetState() => Task.FromResult(State);

    /// <summary>Entries of this entity from <paramref name="fromSequence"/>, as stored (all fields).</summary>
    public Task<IReadOnlyList<DisclosedEntry>> GetLedger(ulong fromSequence, int maxCount) =>
        Administration.Store.Entities.ReadAsync(Entity, Math.Max(1, fromSequence), Math.Clamp(maxCount, 1, 1000));

    /// <summary>
    /// Decides a change from the current state, signs and appends it, and folds it in. The decision
    /// throws <see cref="DomainRuleException"/> or <see cref="InvalidCommandException"/> to refuse.
    /// </summary>
    protected async Task<TState> CommitAsync(Func<TState, LedgerChange> decide, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        for (var attempt = 0; ; attempt++)
        {
            var change = decide(State);
            var entry = Sign(change);
            EntityHead stored;
            try
            {
                stored = await Administration.Store.Entities.AppendAsync(Entity, Sequence, [entry], cancellationToken);
            }
            catch (ConcurrencyConflictException e)
            {
                // Reload even when giving up: otherwise this activation keeps deciding from a state
                // that storage has moved past, and every later call conflicts again.
                await ReloadAsync(cancellationToken);
                if (attempt >= Administration.MaxConflictRetries)
                {
                    throw new GrainConcurrencyException(
                        $"{Entity} kept changing concurrently; gave up after {attempt + 1} attempts. Nothing was applied; try again.", e);
                }

                continue;
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                // The store may have applied the append and then failed to answer: the entry would be
                // in the ledger and not in the log. The log's repair looks for exactly that.
                Administration.Log.SuspectUnloggedEntries();
                throw;
            }

            State = Apply(State, entry);
            _head = entry.Entry.Body;
            await Administration.Log.RecordAsync(Entity, [entry.Entry], stored.LoggedThrough, cancellationToken);
            return State;
        }
    }

    private DisclosedEntry Sign(LedgerChange change)
    {
        SealedPayload payload;
        try
        {
            // Sealed through the storage library, so the store's input check trusts these digests without hashing them again.
            payload = SealedFields.Seal(WithActor(change.Fields));
        }
        catch (ArgumentException e)
        {
            throw new InvalidCommandException(e.ParamName ?? string.Empty, e.Message);
        }

        // Time never goes backwards within a chain, even if this replica's clock is behind another's.
        // Key and time come from one stamp: a rotation between reading the key id and signing would
        // otherwise name one key and sign with another, or date an entry outside its key's validity.
        var (signer, now) = NodeSigner.Stamp(Administration.Signer, Administration.Time, _head?.Timestamp ?? DateTimeOffset.MinValue);
        var body = new EntryBody(
            Administration.AdministrationId, Kind, Key, Sequence + 1, _head?.Hash ?? Hash256.Zero,
            now, change.EntryType, payload.Commitments, signer.KeyId, signer.Algorithm);
        return new DisclosedEntry(LedgerEntry.Sign(body, signer), payload.Fields);
    }

    // The acting principal goes into the entry itself, under the signature: who did it is evidence too.
    private static IReadOnlyDictionary<string, string> WithActor(IReadOnlyDictionary<string, string> fields)
    {
        if (Actor.Current is not { } actor)
        {
            return fields;
        }

        if (fields.ContainsKey(Actor.IdField) || fields.ContainsKey(Actor.RoleField))
        {
            throw new InvalidOperationException($"A change may not set {Actor.IdField} or {Actor.RoleField} itself; they record the acting principal.");
        }

        return new Dictionary<string, string>(fields, StringComparer.Ordinal) { [Actor.IdField] = actor.Id, [Actor.RoleField] = actor.Role };
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var state = Initial;
        EntryBody? head = null;
        while (true)
        {
            var page = await Administration.Store.Entities.ReadAsync(Entity, (head?.Sequence ?? 0) + 1, PageSize, cancellationToken);
            foreach (var entry in page)
            {
                // Our own storage is checked too: a broken chain is an incident, never repaired silently.
                var problem = ChainVerifier.VerifyLink(head, entry.Entry.Body)?.Describe() ?? entry.VerifyFields()?.Describe();
                if (problem is not null)
                {
                    throw new StorageException($"The stored ledger of {Entity} is broken: {problem}");
                }

                state = Apply(state, entry);
                head = entry.Entry.Body;
            }

            if (page.Count < PageSize)
            {
                break;
            }
        }

        State = state;
        _head = head;
    }
}
