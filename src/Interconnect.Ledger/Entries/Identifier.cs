using System.Diagnostics.CodeAnalysis;

namespace Interconnect.Ledger.Entries;

/// <summary>
/// The grammar of identifiers in signed bytes (administration ids, entity kinds and ids, entry types,
/// field names, key ids): 1 to 128 ASCII characters, a letter or digit first, then letters, digits
/// and <c>. _ - : /</c>. Printable ASCII only, so there is one byte form and no Unicode confusables.
/// </summary>
public static class Identifier
{
    /// <summary>The longest identifier, in characters (= bytes).</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="value"/> follows the grammar.</summary>
    public static bool IsValid([NotNullWhen(true)] string? value) => Explain(value) is null;

    /// <summary>Why <paramref name="value"/> is not an identifier, or null when it is.</summary>
    public static string? Explain(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is empty";
        }

        if (value.Length > MaxLength)
        {
            return $"is {value.Length} characters long; at most {MaxLength} allowed";
        }

        if (!char.IsAsciiLetterOrDigit(value[0]))
        {
            return "must start with an ASCII letter or digit";
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or ':' or '/'))
            {
                return $"contains '{(char.IsControl(c) ? '?' : c)}' (U+{(int)c:X4}); only ASCII letters, digits and . _ - : / are allowed";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="what"/> unless valid.</summary>
    public static void Require(string? value, string what)
    {
        var problem = Explain(value);
        if (problem is not null)
        {
            throw new ArgumentException($"The {what} \"{value}\" {problem}.", what);
        }
    }
}
