using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Interconnect.Ledger.Disclosure;
using Interconnect.Ledger.Entries;

namespace Interconnect.Storage.InMemory;

/// <summary>Entity ledgers in memory. One lock guards all chains: appends are short and memory-bound.</summary>
public sealed class InMemoryEntityLedgerStore : IEntityLedgerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<EntityKey, Chain> _chains = [];

    /// <inheritdoc />
    public Task<EntityHead?> GetHeadAsync(EntityKey entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_gate)
        {
            return Task.FromResult(_chains.TryGetValue(entity, out var chain) ? chain.Head() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DisclosedEntry>> ReadAsync(EntityKey entity, ulong fromSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        StoreInputRules.CheckMaxCount(maxCount);
        lock (_gate)
        {
            if (!_chains.TryGetValue(entity, out var chain))
            {
                return Task.FromResult<IReadOnlyList<DisclosedEntry>>([]);
            }

            var start = fromSequence <= 1 ? 0 : fromSequence - 1;
            if (start >= (ulong)chain.Entries.Count)
            {
                return Task.FromResult<IReadOnlyList<DisclosedEntry>>([]);
            }

            var count = (int)Math.Min((ulong)maxCount, (ulong)chain.Entries.Count - start);
            IReadOnlyList<DisclosedEntry> slice = chain.Entries.GetRange((int)start, count).Select(Copy).ToArray();
            return Task.FromResult(slice);
        }
    }

    /// <inheritdoc />
    public Task<EntityHead> AppendAsync(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckEntityAppend(entity, expectedLastSequence, entries);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _chains.TryGetValue(entity, out var chain);
            var stored = chain?.Head();
            var actual = stored?.LastSequence ?? 0;
            if (actual != expectedLastSequence)
            {
                throw new ConcurrencyConflictException(
                    $"{entity} ends at sequence {actual}, not {expectedLastSequence}; another writer appended first.");
            }

            if (stored is not null)
            {
                StoreInputRules.CheckLink(entity, stored.LastHash, entries[0]);
            }

            chain ??= _chains[entity] = new Chain();
            chain.Entries.AddRange(entries.Select(Copy));
            return Task.FromResult(chain.Head()!);
        }
    }

    /// <inheritdoc />
    public Task MarkLoggedAsync(EntityKey entity, ulong sequence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_gate)
        {
            if (!_chains.TryGetValue(entity, out var chain))
            {
                throw new ArgumentException($"{entity} has no entries; nothing can be marked logged.", nameof(entity));
            }

            if (sequence > (ulong)chain.Entries.Count)
            {
                throw new ArgumentException($"{entity} ends at sequence {chain.Entries.Count}; {sequence} cannot be marked logged.", nameof(sequence));
            }

            chain.LoggedThrough = Math.Max(chain.LoggedThrough, sequence);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EntityKey> FindUnloggedAsync(string origin, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Identifier.Require(origin, "origin administration");
        EntityKey[] found;
        lock (_gate)
        {
            found = _chains
                .Where(c => string.Equals(c.Key.Origin, origin, StringComparison.Ordinal) && c.Value.LoggedThrough < (ulong)c.Value.Entries.Count)
                .Select(c => c.Key)
                .OrderBy(k => k.Kind, StringComparer.Ordinal)
                .ThenBy(k => k.Id, StringComparer.Ordinal)
                .ToArray();
        }

        foreach (var key in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EntityKey> ListAsync(string origin, string kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Identifier.Require(origin, "origin administration");
        Identifier.Require(kind, "entity kind");
        EntityKey[] found;
        lock (_gate)
        {
            found = _chains.Keys
                .Where(k => string.Equals(k.Origin, origin, StringComparison.Ordinal) && string.Equals(k.Kind, kind, StringComparison.Ordinal))
                .OrderBy(k => k.Id, StringComparer.Ordinal)
                .ToArray();
        }

        foreach (var key in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // Callers get their own copies: a salt array mutated by a caller must not change what is stored.
    private static DisclosedEntry Copy(DisclosedEntry entry) =>
        entry with { Fields = entry.Fields.Select(f => f with { Salt = (byte[])f.Salt.Clone() }).ToImmutableArray() };

    private sealed class Chain
    {
        public List<DisclosedEntry> Entries { get; } = [];

        public ulong LoggedThrough { get; set; }

        public EntityHead? Head() =>
            Entries.Count == 0 ? null : new EntityHead((ulong)Entries.Count, Entries[^1].Entry.Hash, LoggedThrough);
    }
}
