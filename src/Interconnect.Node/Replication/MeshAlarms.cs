using System.Collections.Concurrent;
using Interconnect.Node.Mesh;

namespace Interconnect.Node.Replication;

/// <summary>
/// Alarms about partners: a checkpoint that does not extend the last one, a fork, a chain rewritten.
/// They stay until the node restarts (and are logged as errors), so nobody misses one.
/// </summary>
internal sealed partial class MeshAlarms(TimeProvider time, Telemetry.NodeTelemetry telemetry, ILogger<MeshAlarms> logger)
{
    private readonly ConcurrentQueue<MeshAlarm> _alarms = new();

    public IReadOnlyList<MeshAlarm> All => [.. _alarms.Reverse()];

    public MeshAlarm? Latest(string partner) => _alarms.LastOrDefault(a => a.Partner == partner);

    public void Raise(string partner, string kind, string message)
    {
        var alarm = new MeshAlarm(partner, kind, message, time.GetUtcNow());
        _alarms.Enqueue(alarm);
        telemetry.Alarm(partner, kind);
        LogAlarm(logger, partner, kind, message);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "ALARM from partner {Partner}: {Kind}: {Detail}")]
    private static partial void LogAlarm(ILogger logger, string partner, string kind, string detail);
}
