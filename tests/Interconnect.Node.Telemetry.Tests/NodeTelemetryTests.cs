using System.Diagnostics;
using Interconnect.Ledger;
using Interconnect.Node.Replication;
using Interconnect.Node.Telemetry.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interconnect.Node.Telemetry.Tests;

/// <summary>The replication span's parent and links, the alarm counter, and the append times behind the lag in seconds.</summary>
public sealed class NodeTelemetryTests
{
    [Fact]
    public void ReplicationSpan_ContinuesTheFirstEntrysTrace_AndLinksTheOthers()
    {
        using var commands = new ActivitySource("Interconnect.Node.Telemetry.Tests.Commands");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is TelemetryNames.ActivitySource || s == commands,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var telemetry = new NodeTelemetry("NL", TimeProvider.System);
        var first = Hash256.Of("first"u8);
        var second = Hash256.Of("second"u8);
        var unknown = Hash256.Of("never appended here"u8);
        ActivityContext firstCommand, secondCommand;
        using (var command = commands.StartActivity("command one"))
        {
            firstCommand = command!.Context;
            telemetry.RememberOrigin(first);
        }

        using (var command = commands.StartActivity("command two"))
        {
            secondCommand = command!.Context;
            telemetry.RememberOrigin(second);
        }

        using var replicate = telemetry.StartReplication("replicate", "JP", [unknown, first, second]);

        Assert.NotNull(replicate);
        Assert.Equal(firstCommand.TraceId, replicate.TraceId);
        Assert.Equal(firstCommand.SpanId, replicate.ParentSpanId);
        Assert.Equal([secondCommand], replicate.Links.Select(l => l.Context));
        Assert.Equal(ActivityKind.Producer, replicate.Kind);
        Assert.Equal("NL", replicate.GetTagItem(TelemetryNames.AdministrationAttribute));
        Assert.Equal("JP", replicate.GetTagItem(MetricNames.PartnerTag));
    }

    [Fact]
    public void Alarm_CountsByPartnerAndKind()
    {
        using var recorder = new MeterRecorder();
        using var telemetry = new NodeTelemetry("NL", TimeProvider.System);
        var alarms = new MeshAlarms(TimeProvider.System, telemetry, NullLogger<MeshAlarms>.Instance);

        alarms.Raise("JP", "checkpoint-fork", "Two roots for tree size 7.");

        Assert.Equal(1, recorder.Value(telemetry, MetricNames.MeshAlarms, "interconnect.partner=JP", "interconnect.alarm.kind=checkpoint-fork"));
        Assert.Single(alarms.All);
    }

    [Fact]
    public void RejectionReasons_AreCappedAtSixtyFourCodes_TheRestCountAsOther()
    {
        using var recorder = new MeterRecorder();
        using var telemetry = new NodeTelemetry("NL", TimeProvider.System);

        for (var i = 0; i < 70; i++)
        {
            telemetry.Rejected("JP", issued: false, $"code-{i}");
        }

        telemetry.Rejected("JP", issued: false, "code-0");

        Assert.Equal(2, recorder.Value(telemetry, MetricNames.EntriesRejected, "interconnect.reason=code-0"));
        Assert.Equal(0, recorder.Value(telemetry, MetricNames.EntriesRejected, "interconnect.reason=code-64"));
        Assert.Equal(6, recorder.Value(telemetry, MetricNames.EntriesRejected, "interconnect.reason=other"));
    }

    [Fact]
    public void RejectionReasons_APartnersFloodOfCodes_DoesNotHideOurOwn()
    {
        using var recorder = new MeterRecorder();
        using var telemetry = new NodeTelemetry("NL", TimeProvider.System);
        for (var i = 0; i < 70; i++)
        {
            telemetry.Rejected("JP", issued: false, $"code-{i}");
        }

        telemetry.Rejected("JP", issued: true, "bad-signature");

        Assert.Equal(1, recorder.Value(telemetry, MetricNames.EntriesRejected, "interconnect.reason=bad-signature"));
    }

    [Fact]
    public void AppendTimes_AnswerPerLeaf_AndLeavesFromBeforeTheStartCountFromIt()
    {
        var time = new SteppedTime(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
        using var telemetry = new NodeTelemetry("NL", time);
        var started = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(10));
        telemetry.Appended(5, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        telemetry.Appended(8, 1);

        Assert.Equal(started, telemetry.AppendedAt(2));
        Assert.Equal(started.AddSeconds(10), telemetry.AppendedAt(5));
        Assert.Equal(started.AddSeconds(10), telemetry.AppendedAt(7));
        Assert.Equal(started.AddSeconds(20), telemetry.AppendedAt(8));

        telemetry.ForgetAppendsBelow(8);
        Assert.Equal(started.AddSeconds(20), telemetry.AppendedAt(8));
    }

    private sealed class SteppedTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
