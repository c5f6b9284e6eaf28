using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace Interconnect.Grains.Runtime;

/// <summary>
/// A grain reference: implements the grain interface and sends each call into the activation's
/// turn queue. Callers hold these, never the grain object, as with Orleans grain references.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#pragma warning disable CA1852 // DispatchProxy derives a runtime type from this class, so it cannot be sealed.
public class GrainProxy : DispatchProxy
#pragma warning restore CA1852
{
    private static readonly MethodInfo TypedInvoke =
        typeof(GrainProxy).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private static readonly ConcurrentDictionary<Type, MethodInfo> TypedInvokers = new();

    internal GrainRuntime Runtime { get; set; } = null!;

    internal GrainId Id { get; set; }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returns = targetMethod.ReturnType;
        if (returns == typeof(Task))
        {
            return Runtime.InvokeAsync<bool>(Id, async grain =>
            {
                await ((Task)Call(grain, targetMethod, args)!).ConfigureAwait(false);
                return true;
            });
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var invoker = TypedInvokers.GetOrAdd(returns.GenericTypeArguments[0], t => TypedInvoke.MakeGenericMethod(t));
            return invoker.Invoke(this, [targetMethod, args]);
        }

        throw new NotSupportedException($"Grain method {targetMethod.Name} must return Task or Task<T>.");
    }

    private Task<T> InvokeTyped<T>(MethodInfo method, object?[]? args) =>
        Runtime.InvokeAsync(Id, grain => (Task<T>)Call(grain, method, args)!);

    private static object? Call(Grain grain, MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(grain, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
