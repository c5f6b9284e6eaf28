using System.Diagnostics;
using Interconnect.Ledger;
using Interconnect.Ledger.Disclosure;
using Interconnect.Storage;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Wraps whichever store the node was composed with: times every call into the storage duration
/// histogram, and gives writes a span (so a log append or a receipt save shows in the trace of the
/// command or message that caused it). Appends of our own entries also remember the creating span
/// (replication links to it) and feed the appended counter. Measured here, at the boundary, so
/// every provider is measured the same way.
/// </summary>
internal sealed class TimedNodeStore(INodeStore inner, NodeTelemetry telemetry, TimeProvider time) : INodeStore
{
    public IEntityLedgerStore Entities { get; } = new TimedEntities(inner.Entities, new Timer(telemetry, time));

    public IMerkleLogStore Log { get; } = new TimedLog(inner.Log, new Timer(telemetry, time));

    public IPartnerStateStore Partners { get; } = new TimedPartners(inner.Partners, new Timer(telemetry, time));

    public IReceiptStore Receipts { get; } = new TimedReceipts(inner.Receipts, new Timer(telemetry, time));

    /// <summary>The wrapped store.</summary>
    public INodeStore Inner => inner;

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        new Timer(telemetry, time).Run("store.initialize", (inner, cancellationToken), static s => s.inner.InitializeAsync(s.cancellationToken));

    /// <summary>Times calls and starts the spans of writes. The call and its arguments come as a static lambda and a state, so timing a call allocates no closure.</summary>
    private sealed class Timer(NodeTelemetry telemetry, TimeProvider time)
    {
        public NodeTelemetry Telemetry => telemetry;

        public async Task<T> Run<TState, T>(string operation, TState state, Func<TState, Task<T>> call, Action<Activity, TState>? describe = null)
        {
            // Writes get a span (when anyone listens); reads are only timed.
            using var span = describe is null || !NodeTelemetry.Source.HasListeners() ? null : telemetry.StartSpan("storage " + operation);
            if (span is not null)
            {
                span.SetTag(MetricNames.OperationTag, operation);
                describe!(span, state);
            }

            var started = time.GetTimestamp();
            try
            {
                var result = await call(state).ConfigureAwait(false);
                telemetry.StorageCall(operation, "ok", time.GetElapsedTime(started).TotalSeconds);
                return result;
            }
            catch (Exception e)
            {
                var outcome = e is ConcurrencyConflictException or EntryAlreadyLoggedException ? "conflict" : "error";
                telemetry.StorageCall(operation, outcome, time.GetElapsedTime(started).TotalSeconds);
                span?.SetStatus(ActivityStatusCode.Error, outcome == "conflict" ? "conflict" : e.Message);
                throw;
            }
        }

        public async Task Run<TState>(string operation, TState state, Func<TState, Task> call, Action<Activity, TState>? describe = null) =>
            await Run(operation, (state, call), static async s =>
            {
                await s.call(s.state).ConfigureAwait(false);
                return true;
            }, describe is null ? null : (span, s) => describe(span, s.state)).ConfigureAwait(false);
    }

    private sealed class TimedEntities(IEntityLedgerStore inner, Timer timer) : IEntityLedgerStore
    {
        public Task<EntityHead?> GetHeadAsync(EntityKey entity, CancellationToken cancellationToken = default) =>
            timer.Run("entities.head", (inner, entity, cancellationToken), static s => s.inner.GetHeadAsync(s.entity, s.cancellationToken));

        public Task<IReadOnlyList<DisclosedEntry>> ReadAsync(EntityKey entity, ulong fromSequence, int maxCount, CancellationToken cancellationToken = default) =>
            timer.Run("entities.read", (inner, entity, fromSequence, maxCount, cancellationToken), static s => s.inner.ReadAsync(s.entity, s.fromSequence, s.maxCount, s.cancellationToken));

        public async Task<EntityHead> AppendAsync(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries, CancellationToken cancellationToken = default)
        {
            var head = await timer.Run(
                "entities.append",
                (inner, entity, expectedLastSequence, entries, cancellationToken),
                static s => s.inner.AppendAsync(s.entity, s.expectedLastSequence, s.entries, s.cancellationToken),
                static (span, s) => span.SetTag("interconnect.entity", s.entity.ToString()).SetTag("interconnect.entries", s.entries.Count)).ConfigureAwait(false);
            if (string.Equals(entity.Origin, timer.Telemetry.AdministrationId, StringComparison.Ordinal))
            {
                foreach (var entry in entries)
                {
                    timer.Telemetry.RememberOrigin(entry.Entry.Hash);
                }
            }

            return head;
        }

        public Task MarkLoggedAsync(EntityKey entity, ulong sequence, CancellationToken cancellationToken = default) =>
            timer.Run("entities.mark-logged", (inner, entity, sequence, cancellationToken), static s => s.inner.MarkLoggedAsync(s.entity, s.sequence, s.cancellationToken));

        public IAsyncEnumerable<EntityKey> FindUnloggedAsync(string origin, CancellationToken cancellationToken = default) =>
            inner.FindUnloggedAsync(origin, cancellationToken);

        public IAsyncEnumerable<EntityKey> ListAsync(string origin, string kind, CancellationToken cancellationToken = default) =>
            inner.ListAsync(origin, kind, cancellationToken);
    }

    private sealed class TimedLog(IMerkleLogStore inner, Timer timer) : IMerkleLogStore
    {
        public Task<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
            timer.Run("log.size", (inner, cancellationToken), static s => s.inner.GetSizeAsync(s.cancellationToken));

        public async Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default)
        {
            await timer.Run(
                "log.append",
                (inner, expectedSize, leaves, cancellationToken),
                static s => s.inner.AppendAsync(s.expectedSize, s.leaves, s.cancellationToken),
                static (span, s) => span.SetTag("interconnect.log.from", s.expectedSize).SetTag("interconnect.entries", s.leaves.Count)).ConfigureAwait(false);
            timer.Telemetry.Appended(expectedSize, leaves.Count);
        }

        public Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default) =>
            timer.Run("log.read", (inner, from, maxCount, cancellationToken), static s => s.inner.ReadAsync(s.from, s.maxCount, s.cancellationToken));

        public Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default) =>
            timer.Run("log.find", (inner, entryHash, cancellationToken), static s => s.inner.FindAsync(s.entryHash, s.cancellationToken));

        public Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default) =>
            timer.Run(
                "checkpoint.save",
                (inner, treeSize, signedCheckpoint, cancellationToken),
                static s => s.inner.SaveCheckpointAsync(s.treeSize, s.signedCheckpoint, s.cancellationToken),
                static (span, s) => span.SetTag("interconnect.log.size", s.treeSize));

        public Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default) =>
            timer.Run("checkpoint.latest", (inner, cancellationToken), static s => s.inner.GetLatestCheckpointAsync(s.cancellationToken));

        public Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default) =>
            timer.Run("checkpoint.read", (inner, treeSize, cancellationToken), static s => s.inner.GetCheckpointAsync(s.treeSize, s.cancellationToken));
    }

    private sealed class TimedPartners(IPartnerStateStore inner, Timer timer) : IPartnerStateStore
    {
        public Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default) =>
            timer.Run("partners.read", (inner, partner, cancellationToken), static s => s.inner.GetAsync(s.partner, s.cancellationToken));

        public Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default) =>
            timer.Run(
                "partners.save",
                (inner, state, cancellationToken),
                static s => s.inner.SaveAsync(s.state, s.cancellationToken),
                static (span, s) => span.SetTag(MetricNames.PartnerTag, s.state.Partner));

        public Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default) =>
            timer.Run("partners.list", (inner, cancellationToken), static s => s.inner.ListAsync(s.cancellationToken));
    }

    private sealed class TimedReceipts(IReceiptStore inner, Timer timer) : IReceiptStore
    {
        public Task SaveAsync(StoredReceipt receipt, CancellationToken cancellationToken = default) =>
            timer.Run(
                "receipts.save",
                (inner, receipt, cancellationToken),
                static s => s.inner.SaveAsync(s.receipt, s.cancellationToken),
                static (span, s) => span.SetTag("interconnect.entity", s.receipt.Entity.ToString()));

        public Task<IReadOnlyList<StoredReceipt>> ListAsync(EntityKey entity, CancellationToken cancellationToken = default) =>
            timer.Run("receipts.list", (inner, entity, cancellationToken), static s => s.inner.ListAsync(s.entity, s.cancellationToken));
    }
}
