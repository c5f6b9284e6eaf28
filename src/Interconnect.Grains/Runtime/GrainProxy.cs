using System.Collections.Concurrent;
using System.ComponentModel;
using System.Linq.Expressions;
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
    // One dispatcher per interface method, built on first call: every later call is a delegate
    // call into the turn, with no reflection on the way in or out.
    private static readonly ConcurrentDictionary<MethodInfo, Dispatcher> Dispatchers = new();

    internal GrainRuntime Runtime { get; set; } = null!;

    internal GrainId Id { get; set; }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!Dispatchers.TryGetValue(targetMethod, out var dispatcher))
        {
            dispatcher = Dispatchers.GetOrAdd(targetMethod, Dispatcher.For(targetMethod));
        }

        return dispatcher.Dispatch(this, args ?? []);
    }

    /// <summary>Runs one interface method as a turn of the activation.</summary>
    private abstract class Dispatcher
    {
        public static Dispatcher For(MethodInfo method)
        {
            var returns = method.ReturnType;
            if (returns == typeof(Task))
            {
                return new UntypedDispatcher(Compile<Task>(method));
            }

            if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
            {
                var type = typeof(TypedDispatcher<>).MakeGenericType(returns.GenericTypeArguments[0]);
                return (Dispatcher)Activator.CreateInstance(type, method)!;
            }

            throw new NotSupportedException($"Grain method {method.Name} must return Task or Task<T>.");
        }

        public abstract object Dispatch(GrainProxy proxy, object?[] args);

        // (grain, args) => ((TInterface)grain).Method((TArg0)args[0], ...): a direct interface call,
        // so the grain's exceptions surface as thrown, not wrapped in TargetInvocationException.
        protected static Func<Grain, object?[], TResult> Compile<TResult>(MethodInfo method)
        {
            var grain = Expression.Parameter(typeof(Grain), "grain");
            var args = Expression.Parameter(typeof(object?[]), "args");
            var parameters = method.GetParameters().Select((p, i) =>
                Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType));
            var call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, parameters);
            return Expression.Lambda<Func<Grain, object?[], TResult>>(call, grain, args).Compile();
        }
    }

    private sealed class UntypedDispatcher(Func<Grain, object?[], Task> call) : Dispatcher
    {
        public override object Dispatch(GrainProxy proxy, object?[] args) =>
            proxy.Runtime.InvokeAsync(proxy.Id, (call, args), static async (grain, state) =>
            {
                await state.call(grain, state.args).ConfigureAwait(false);
                return true;
            });
    }

    private sealed class TypedDispatcher<T>(MethodInfo method) : Dispatcher
    {
        private readonly Func<Grain, object?[], Task<T>> _call = Compile<Task<T>>(method);

        public override object Dispatch(GrainProxy proxy, object?[] args) =>
            proxy.Runtime.InvokeAsync(proxy.Id, (_call, args), static (grain, state) => state._call(grain, state.args));
    }
}
