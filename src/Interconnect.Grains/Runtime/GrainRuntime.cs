using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interconnect.Grains.Runtime;

/// <summary>Identifies an activation: the grain interface and the key.</summary>
public readonly record struct GrainId(Type Interface, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Interface.Name}/{Key}";
}

/// <summary>Settings of the grain runtime.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>An activation unused this long is collected.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// A small grain runtime in the shape of Orleans: grain references by interface and key, one
/// activation per key in this process, one call at a time per activation, activation on first use
/// and collection after an idle period measured with <see cref="TimeProvider"/>. Consistency
/// across processes comes from storage (conditional appends), not from this class.
/// </summary>
public sealed partial class GrainRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();
    private readonly Dictionary<Type, Func<string, Grain>> _factories = [];
    private readonly TimeProvider _time;
    private readonly GrainRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly ITimer _collector;
    private long _activationCount;

    /// <summary>Creates a runtime; register grain kinds with <see cref="Register{TInterface}"/> before use.</summary>
    public GrainRuntime(TimeProvider time, GrainRuntimeOptions? options = null, ILogger<GrainRuntime>? logger = null)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new GrainRuntimeOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _collector = _time.CreateTimer(_ => _ = CollectIdleAsync(), null, _options.CollectionInterval, _options.CollectionInterval);
    }

    /// <summary>Activations created since start (for metrics and tests).</summary>
    public long ActivationsCreated => Interlocked.Read(ref _activationCount);

    /// <summary>Activations currently in memory.</summary>
    public int ActiveCount => _activations.Count;

    /// <summary>Registers how to create the grain behind <typeparamref name="TInterface"/> for a key.</summary>
    public GrainRuntime Register<TInterface>(Func<string, Grain> factory)
        where TInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!typeof(TInterface).IsInterface)
        {
            throw new ArgumentException($"{typeof(TInterface).Name} must be an interface.", nameof(TInterface));
        }

        _factories[typeof(TInterface)] = factory;
        return this;
    }

    /// <summary>A reference to the grain with that key; cheap, activates nothing until called.</summary>
    public TInterface GetGrain<TInterface>(string key)
        where TInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_factories.ContainsKey(typeof(TInterface)))
        {
            throw new InvalidOperationException($"No grain is registered for {typeof(TInterface).Name}.");
        }

        var proxy = DispatchProxy.Create<TInterface, GrainProxy>();
        var handle = (GrainProxy)(object)proxy!;
        handle.Runtime = this;
        handle.Id = new GrainId(typeof(TInterface), key);
        return proxy;
    }

    /// <summary>Runs <paramref name="call"/> as one turn of the activation for <paramref name="id"/>.</summary>
    internal async Task<T> InvokeAsync<TState, T>(GrainId id, TState state, Func<Grain, TState, Task<T>> call)
    {
        while (true)
        {
            if (!_activations.TryGetValue(id, out var activation))
            {
                activation = _activations.GetOrAdd(id, NewActivation);
            }

            await activation.Turn.WaitAsync().ConfigureAwait(false);
            try
            {
                if (activation.Collected)
                {
                    continue; // collected between lookup and turn: take a fresh activation
                }

                if (!activation.Activated)
                {
                    try
                    {
                        await activation.Instance.OnActivateAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch
                    {
                        // A failed activation must not stay cached half-loaded; the next call retries.
                        activation.Collected = true;
                        _activations.TryRemove(new KeyValuePair<GrainId, Activation>(id, activation));
                        throw;
                    }

                    activation.Activated = true;
                    Interlocked.Increment(ref _activationCount);
                    LogActivated(id);
                }

                activation.LastUsed = _time.GetUtcNow();
                return await call(activation.Instance, state).ConfigureAwait(false);
            }
            finally
            {
                activation.LastUsed = _time.GetUtcNow();
                activation.Turn.Release();
            }
        }
    }

    /// <summary>Collects activations idle for longer than the idle timeout; busy ones are left alone.</summary>
    public async Task<int> CollectIdleAsync()
    {
        var now = _time.GetUtcNow();
        var collected = 0;
        foreach (var (id, activation) in _activations)
        {
            if (now - activation.LastUsed < _options.IdleTimeout || !activation.Turn.Wait(0))
            {
                continue;
            }

            try
            {
                if (activation.Collected || now - activation.LastUsed < _options.IdleTimeout)
                {
                    continue;
                }

                activation.Collected = true;
                _activations.TryRemove(new KeyValuePair<GrainId, Activation>(id, activation));
                collected++;
                if (activation.Activated)
                {
                    try
                    {
                        await activation.Instance.OnDeactivateAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        LogDeactivationFailed(e, id);
                    }
                }
            }
            finally
            {
                activation.Turn.Release();
            }
        }

        return collected;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _collector.DisposeAsync().ConfigureAwait(false);
        foreach (var activation in _activations.Values)
        {
            activation.Turn.Dispose();
        }

        _activations.Clear();
    }

    private Activation NewActivation(GrainId id)
    {
        var grain = _factories[id.Interface](id.Key);
        grain.Key = id.Key;
        return new Activation(grain, _time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Activated grain {GrainId}")]
    private partial void LogActivated(GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating grain {GrainId} failed")]
    private partial void LogDeactivationFailed(Exception exception, GrainId grainId);

    private sealed class Activation(Grain instance, DateTimeOffset created)
    {
        public Grain Instance { get; } = instance;

        public SemaphoreSlim Turn { get; } = new(1, 1);

        public DateTimeOffset LastUsed { get; set; } = created;

        public bool Activated { get; set; }

        public bool Collected { get; set; }
    }
}
