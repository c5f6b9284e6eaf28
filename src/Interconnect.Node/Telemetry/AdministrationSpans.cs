using System.Diagnostics;
using OpenTelemetry;

namespace Interconnect.Node.Telemetry;

/// <summary>
/// Hands to <paramref name="export"/> only the spans of one node: those tagged with its administration,
/// or under a span that is; a span no node claims is exported when this is the only node in the
/// process. ActivitySources are process-wide, so every node's tracer provider sees every node's spans.
/// </summary>
internal sealed class AdministrationSpans(string administrationId, BaseProcessor<Activity> export) : CompositeProcessor<Activity>([export])
{
    public override void OnEnd(Activity data)
    {
        if (Owns(data))
        {
            base.OnEnd(data);
        }
    }

    private bool Owns(Activity activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (a.GetTagItem(TelemetryNames.AdministrationAttribute) is string owner)
            {
                return string.Equals(owner, administrationId, StringComparison.Ordinal);
            }
        }

        return NodeTelemetry.NodesInProcess <= 1;
    }
}
