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
        new Timer(telemetry, time).Run("store.initialize", () => inner.InitializeAsync(cancellationToken), write: false);

    /// <summary>Times calls and starts the spans of writes.</summary>
    private sealed class Timer(NodeTelemetry telemetry, TimeProvider time)
    {
        public NodeTelemetry Telemetry => telemetry;

        public async Task<T> Run<T>(string operation, Func<Task<T>> call, bool write, Action<Activity>? describe = null)
        {
            using var span = write ? telemetry.StartSpan("storage " + operation, ActivityKind.Internal) : null;
            if (span is not null)
            {
                span.SetTag(MetricNames.OperationTag, operation);
                describe?.Invoke(span);
            }

            var started = time.GetTimestamp();
            try
            {
                var result = await call().ConfigureAwait(false);
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

        public async Task Run(string operation, Func<Task> call, bool write, Action<Activity>? describe = null) =>
            await Run(operation, async () =>
            {
                await call().ConfigureAwait(false);
                return true;
            }, write, describe).ConfigureAwait(false);
    }

    private sealed class TimedEntities(IEntityLedgerStore inner, Timer timer) : IEntityLedgerStore
    {
        public Task<EntityHead?> GetHeadAsync(EntityKey entity, CancellationToken cancellationToken = default) =>
            timer.Run("entities.head", () => inner.GetHeadAsync(entity, cancellationToken), write: false);

        public Task<IReadOnlyList<DisclosedEntry>> ReadAsync(EntityKey entity, ulong fromSequence, int maxCount, CancellationToken cancellationToken = default) =>
            timer.Run("entities.read", () => inner.ReadAsync(entity, fromSequence, maxCount, cancellationToken), write: false);

        public async Task<EntityHead> AppendAsync(EntityKey entity, ulong expectedLastSequence, IReadOnlyList<DisclosedEntry> entries, CancellationToken cancellationToken = default)
        {
            var head = await timer.Run(
                "entities.append",
                () => inner.AppendAsync(entity, expectedLastSequence, entries, cancellationToken),
                write: true,
                span => span.SetTag("interconnect.entity", entity.ToString()).SetTag("interconnect.entries", entries.Count)).ConfigureAwait(false);
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
            timer.Run("entities.mark-logged", () => inner.MarkLoggedAsync(entity, sequence, cancellationToken), write: false);

        public IAsyncEnumerable<EntityKey> FindUnloggedAsync(string origin, CancellationToken cancellationToken = default) =>
            inner.FindUnloggedAsync(origin, cancellationToken);

        public IAsyncEnumerable<EntityKey> ListAsync(string origin, string kind, CancellationToken cancellationToken = default) =>
            inner.ListAsync(origin, kind, cancellationToken);
    }

    private sealed class TimedLog(IMerkleLogStore inner, Timer timer) : IMerkleLogStore
    {
        public Task<long> GetSizeAsync(CancellationToken cancellationToken = default) =>
            timer.Run("log.size", () => inner.GetSizeAsync(cancellationToken), write: false);

        public async Task AppendAsync(long expectedSize, IReadOnlyList<LogLeaf> leaves, CancellationToken cancellationToken = default)
        {
            await timer.Run(
                "log.append",
                () => inner.AppendAsync(expectedSize, leaves, cancellationToken),
                write: true,
                span => span.SetTag("interconnect.log.from", expectedSize).SetTag("interconnect.entries", leaves.Count)).ConfigureAwait(false);
            timer.Telemetry.Appended(expectedSize, leaves.Count);
        }

        public Task<IReadOnlyList<LogLeaf>> ReadAsync(long from, int maxCount, CancellationToken cancellationToken = default) =>
            timer.Run("log.read", () => inner.ReadAsync(from, maxCount, cancellationToken), write: false);

        public Task<LogLeaf?> FindAsync(Hash256 entryHash, CancellationToken cancellationToken = default) =>
            timer.Run("log.find", () => inner.FindAsync(entryHash, cancellationToken), write: false);

        public Task SaveCheckpointAsync(long treeSize, byte[] signedCheckpoint, CancellationToken cancellationToken = default) =>
            timer.Run("checkpoint.save", () => inner.SaveCheckpointAsync(treeSize, signedCheckpoint, cancellationToken), write: true, span => span.SetTag("interconnect.log.size", treeSize));

        public Task<byte[]?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default) =>
            timer.Run("checkpoint.latest", () => inner.GetLatestCheckpointAsync(cancellationToken), write: false);

        public Task<byte[]?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken = default) =>
            timer.Run("checkpoint.read", () => inner.GetCheckpointAsync(treeSize, cancellationToken), write: false);
    }

    private sealed class TimedPartners(IPartnerStateStore inner, Timer timer) : IPartnerStateStore
    {
        public Task<PartnerState?> GetAsync(string partner, CancellationToken cancellationToken = default) =>
            timer.Run("partners.read", () => inner.GetAsync(partner, cancellationToken), write: false);

        public Task<PartnerState> SaveAsync(PartnerState state, CancellationToken cancellationToken = default) =>
            timer.Run("partners.save", () => inner.SaveAsync(state, cancellationToken), write: true, span => span.SetTag(MetricNames.PartnerTag, state.Partner));

        public Task<IReadOnlyList<PartnerState>> ListAsync(CancellationToken cancellationToken = default) =>
            timer.Run("partners.list", () => inner.ListAsync(cancellationToken), write: false);
    }

    private sealed class TimedReceipts(IReceiptStore inner, Timer timer) : IReceiptStore
    {
        public Task SaveAsync(StoredReceipt receipt, CancellationToken cancellationToken = default) =>
            timer.Run("receipts.save", () => inner.SaveAsync(receipt, cancellationToken), write: true, span => span.SetTag("interconnect.entity", receipt.Entity.ToString()));

        public Task<IReadOnlyList<StoredReceipt>> ListAsync(EntityKey entity, CancellationToken cancellationToken = default) =>
            timer.Run("receipts.list", () => inner.ListAsync(entity, cancellationToken), write: false);
    }
}
