using System.Globalization;

namespace Interconnect.Storage.InMemory;

/// <summary>Per-partner replication state in memory, versioned by a counter for compare-and-set.</summary>
public sealed class InMemoryPartnerStateStore : IPartnerStateStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, PartnerState> _states = new(StringComparer.Ordinal);
    private long _nextVersion;

    /// <inheritdoc />
    public Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default)
    {
        Ledger.Entries.Identifier.Require(partner, "partner administration");
        lock (_gate)
        {
            return Task.FromResult(_states.TryGetValue(partner, out var state) ? Copy(state) : null);
        }
    }

    /// <inheritdoc />
    public Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default)
    {
        StoreInputRules.CheckPartnerState(state);
        lock (_gate)
        {
            _states.TryGetValue(state.Partner, out var stored);
            if (!string.Equals(stored?.Version, state.Version, StringComparison.Ordinal))
            {
                throw new ConcurrencyConflictException(stored is null
                    ? $"No state is stored for partner {state.Partner}, but version {state.Version} was expected."
                    : $"The state of partner {state.Partner} changed since it was read (version {stored.Version}, {state.Version ?? "none"} expected).");
            }

            var version = (++_nextVersion).ToString(CultureInfo.InvariantCulture);
            var saved = state with { LastCheckpoint = (byte[]?)state.LastCheckpoint?.Clone(), Version = version };
            _states[state.Partner] = saved;
            return Task.FromResult(Copy(saved));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<PartnerState>>(_states.Values.Select(Copy).ToArray());
        }
    }

    private static PartnerState Copy(PartnerState state) => state with { LastCheckpoint = (byte[]?)state.LastCheckpoint?.Clone() };
}
