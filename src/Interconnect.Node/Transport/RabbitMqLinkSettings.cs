namespace Interconnect.Node.Transport;

/// <summary>
/// Tuning of the RabbitMQ transport's partner links. The defaults suit production; tests shorten the
/// waits. Not deployment configuration: the broker addresses live in <see cref="Configuration.NodeOptions"/>.
/// </summary>
public sealed class RabbitMqLinkSettings
{
    /// <summary>Messages the forwarder takes from the outbound queue ahead of the one it is forwarding.</summary>
    public ushort Prefetch { get; init; } = 16;

    /// <summary>First wait after a failed connection or forward; doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts to reach a broker.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the partner's broker may take to confirm a forwarded message before the link is restarted.</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a send may wait for our own broker to confirm before <see cref="Mesh.PartnerUnreachableException"/>.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values the link cannot work with.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfZero(Prefetch);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConfirmTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SendTimeout, TimeSpan.Zero);
    }
}
