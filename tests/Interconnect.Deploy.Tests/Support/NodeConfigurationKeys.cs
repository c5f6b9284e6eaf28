using System.Collections;
using System.Reflection;
using Interconnect.Node.Configuration;

namespace Interconnect.Deploy.Tests.Support;

/// <summary>
/// The environment variables the node binds into <see cref="NodeOptions"/>, found by reflection the
/// way the configuration binder walks it: settable scalars, nested option objects, and list items
/// (index written as N): Node__Partners__N__PublicKeys__N.
/// </summary>
internal static class NodeConfigurationKeys
{
    public static IReadOnlyList<string> All() => [.. Walk(typeof(NodeOptions), NodeOptions.Section, depth: 0)];

    private static IEnumerable<string> Walk(Type type, string prefix, int depth)
    {
        if (depth > 8)
        {
            throw new InvalidOperationException($"{prefix}: options nested deeper than expected (a cycle?).");
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            var key = $"{prefix}__{property.Name}";
            var propertyType = property.PropertyType;
            var settable = property.SetMethod is { IsPublic: true };
            if (IsScalar(propertyType))
            {
                if (settable)
                {
                    yield return key;
                }
            }
            else if (ElementType(propertyType) is { } element)
            {
                // The binder fills a get-only list it finds already created, as NodeOptions' lists are.
                foreach (var inner in IsScalar(element) ? [$"{key}__N"] : Walk(element, $"{key}__N", depth + 1))
                {
                    yield return inner;
                }
            }
            else if (typeof(IDictionary).IsAssignableFrom(propertyType) || propertyType.GetInterfaces().Any(IsGenericDictionary))
            {
                throw new NotSupportedException($"{key}: a dictionary option; decide how the chart sets its keys, then teach this walk.");
            }
            else if (propertyType.IsClass)
            {
                foreach (var inner in Walk(propertyType, key, depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime)
            || underlying == typeof(Uri) || underlying == typeof(Guid);
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var list = type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyList<>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        return type != typeof(string) && list is not null && !IsGenericDictionary(type) ? list.GetGenericArguments()[0] : null;
    }

    private static bool IsGenericDictionary(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));
}
