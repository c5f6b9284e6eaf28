namespace Interconnect.Node.Replication;

/// <summary>
/// The sending state of one partner link (in memory; the acknowledged cursor is also stored). Held by
/// the link's grain, whose turns run one at a time, so it needs no locks.
/// </summary>
internal sealed class PartnerLink(string partner, long acknowledged, DateTimeOffset? acknowledgedAt, TimeSpan resendAfter)
{
    private readonly TimeSpan _initialResendAfter = resendAfter;
    private TimeSpan _resendAfter = resendAfter;

    public string Partner { get; } = partner;

    /// <summary>Leaves the partner acknowledged (the cursor).</summary>
    public long Acknowledged { get; private set; } = acknowledged;

    public DateTimeOffset? AcknowledgedAt { get; private set; } = acknowledgedAt;

    /// <summary>Leaves sent (at least <see cref="Acknowledged"/>).</summary>
    public long Sent { get; set; } = acknowledged;

    public DateTimeOffset SentAt { get; set; }

    public DateTimeOffset LastCheckpointSent { get; set; }

    /// <summary>Tree size of our last checkpoint the partner said it holds.</summary>
    public long PartnerCheckpointSize { get; set; }

    public void Acknowledge(long through, DateTimeOffset at)
    {
        if (through > Acknowledged)
        {
            Acknowledged = through;
            AcknowledgedAt = at;
            _resendAfter = _initialResendAfter;
        }

        if (Sent < Acknowledged)
        {
            Sent = Acknowledged;
        }
    }

    public void Rewind(long logFrom) => Sent = Math.Min(Sent, Math.Max(0, logFrom));

    /// <summary>
    /// Whether sent leaves have waited too long for an acknowledgement; doubles the wait each time.
    /// The wait runs from the later of the last send and the last acknowledgement that moved the
    /// cursor: a partner working through a backlog is slow, not deaf, and sending it everything
    /// again would only make it verify the same entries twice.
    /// </summary>
    public bool ResendDue(DateTimeOffset now)
    {
        var since = AcknowledgedAt is { } acknowledgedAt && acknowledgedAt > SentAt ? acknowledgedAt : SentAt;
        if (Sent <= Acknowledged || now - since < _resendAfter)
        {
            return false;
        }

        _resendAfter = TimeSpan.FromTicks(Math.Min(_resendAfter.Ticks * 2, TimeSpan.FromMinutes(5).Ticks));
        return true;
    }
}
