using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
            var slice = new DisclosedEntry[count];
            for (var i = 0; i < count; i++)
            {
                slice[i] = chain.Entries[(int)start + i].Unpack();
            }

            return Task.FromResult<IReadOnlyList<DisclosedEntry>>(slice);
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
            foreach (var entry in entries)
            {
                chain.Entries.Add(StoredEntry.Pack(entry));
            }

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

    /// <summary>
    /// An entry as this store keeps it: the (immutable) signed entry, and the fields packed into two
    /// arrays of its own. Callers never share what is stored: a salt array mutated after an append or
    /// a read must not change it. Two arrays instead of an object per field and per salt also keep
    /// what every garbage collection has to trace small, since everything appended stays.
    /// </summary>
    private sealed class StoredEntry(LedgerEntry entry, string[] namesAndValues, byte[] salts)
    {
        public LedgerEntry Entry { get; } = entry;

        public static StoredEntry Pack(DisclosedEntry disclosed)
        {
            var fields = disclosed.Fields;
            var namesAndValues = new string[fields.Length * 2];
            var saltBytes = 0;
            for (var i = 0; i < fields.Length; i++)
            {
                namesAndValues[2 * i] = fields[i].Name;
                namesAndValues[(2 * i) + 1] = fields[i].Value;
                saltBytes += 1 + fields[i].Salt.Length;
            }

            // Each salt with a one-byte length prefix (salts are at most 64 bytes once checked).
            var salts = new byte[saltBytes];
            var at = 0;
            foreach (var field in fields)
            {
                salts[at++] = checked((byte)field.Salt.Length);
                field.Salt.CopyTo(salts, at);
                at += field.Salt.Length;
            }

            return new StoredEntry(disclosed.Entry, namesAndValues, salts);
        }

        public DisclosedEntry Unpack()
        {
            var fields = new DisclosedField[namesAndValues.Length / 2];
            var at = 0;
            for (var i = 0; i < fields.Length; i++)
            {
                int length = salts[at++];
                fields[i] = new DisclosedField(namesAndValues[2 * i], namesAndValues[(2 * i) + 1], salts.AsSpan(at, length).ToArray());
                at += length;
            }

            return new DisclosedEntry(Entry, ImmutableCollectionsMarshal.AsImmutableArray(fields));
        }
    }

    private sealed class Chain
    {
        public List<StoredEntry> Entries { get; } = [];

        public ulong LoggedThrough { get; set; }

        public EntityHead? Head() =>
            Entries.Count == 0 ? null : new EntityHead((ulong)Entries.Count, Entries[^1].Entry.Hash, LoggedThrough);
    }
}
