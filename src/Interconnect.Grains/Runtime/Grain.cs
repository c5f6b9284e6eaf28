namespace Interconnect.Grains.Runtime;

/// <summary>Marker for grain interfaces: async methods, immutable records in and out, keyed by a string.</summary>
#pragma warning disable CA1040 // A marker interface is the point: it names what the runtime may activate, as in Orleans.
public interface IGrainWithStringKey
#pragma warning restore CA1040
{
}

/// <summary>
/// Base of every grain implementation. The runtime calls <see cref="OnActivateAsync"/> before the
/// first call and <see cref="OnDeactivateAsync"/> when the activation is collected; between them it
/// runs one call at a time (turn-based), so grain code needs no locks.
/// </summary>
public abstract class Grain
{
    /// <summary>The grain's key (a natural id such as an AEO number).</summary>
    public string Key { get; internal set; } = string.Empty;

    /// <summary>Loads state; called once per activation, inside the first turn.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Releases resources; called when the activation is collected.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
