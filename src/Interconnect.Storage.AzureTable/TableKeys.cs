using System.Globalization;
using System.Text;

namespace Interconnect.Storage.AzureTable;

/// <summary>
/// PartitionKey and RowKey values. Azure forbids / \ # ? and control characters in keys, and the
/// entity grammar allows '/', so key components are escaped with '.' as the escape character:
/// '.' becomes "..", '/' becomes ".:", anything else outside [A-Za-z0-9_:-] becomes ".x" and four
/// hex digits. The mapping is reversible and, for every identifier, keeps ordinal order (both
/// escapes start with '.', which sorts where '.' and '/' did), so a range scan over partition keys
/// lists entities ordered by id. Components are joined with '!', which never survives escaping.
/// </summary>
internal static class TableKeys
{
    public const char Separator = '!';

    /// <summary>The character right after <see cref="Separator"/>: the exclusive end of a prefix range.</summary>
    public const char SeparatorEnd = '"';

    public const string HeadRow = "head";

    public static string Escape(string component)
    {
        var builder = new StringBuilder(component.Length + 8);
        foreach (var c in component)
        {
            if (c == '.')
            {
                builder.Append("..");
            }
            else if (c == '/')
            {
                builder.Append(".:");
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '-')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(".x").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string Unescape(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != '.')
            {
                builder.Append(c);
                continue;
            }

            var next = i + 1 < escaped.Length ? escaped[i + 1] : '\0';
            switch (next)
            {
                case '.':
                    builder.Append('.');
                    i++;
                    break;
                case ':':
                    builder.Append('/');
                    i++;
                    break;
                case 'x' when i + 5 < escaped.Length:
                    builder.Append((char)int.Parse(escaped.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 5;
                    break;
                default:
                    throw new StorageException($"The stored key \"{escaped}\" has a malformed escape at position {i}.");
            }
        }

        return builder.ToString();
    }

    public static string EntityPartition(EntityKey entity) =>
        $"{Escape(entity.Origin)}{Separator}{Escape(entity.Kind)}{Separator}{Escape(entity.Id)}";

    /// <summary>Inclusive start and exclusive end of the partitions of one origin, or one origin and kind.</summary>
    public static (string From, string To) EntityPartitionRange(string origin, string? kind)
    {
        var prefix = kind is null ? Escape(origin) : $"{Escape(origin)}{Separator}{Escape(kind)}";
        return ($"{prefix}{Separator}", $"{prefix}{SeparatorEnd}");
    }

    public static EntityKey ParseEntityPartition(string partitionKey)
    {
        var parts = partitionKey.Split(Separator);
        if (parts.Length != 3)
        {
            throw new StorageException($"The stored partition key \"{partitionKey}\" does not name an entity.");
        }

        return new EntityKey(Unescape(parts[0]), Unescape(parts[1]), Unescape(parts[2]));
    }

    /// <summary>Entry rows: the sequence zero-padded to 20 digits (all of ulong), so rows sort in chain order.</summary>
    public static string SequenceRow(ulong sequence) => sequence.ToString("D20", CultureInfo.InvariantCulture);

    public const string LastSequenceRow = "99999999999999999999";

    /// <summary>Receipt rows: the sequence as in <see cref="SequenceRow"/>, then the escaped issuer, so rows sort by sequence then issuer.</summary>
    public static string ReceiptRow(ulong sequence, string issuer) => $"{SequenceRow(sequence)}{Separator}{Escape(issuer)}";

    public static string LeafRow(long index) => "L" + index.ToString("D19", CultureInfo.InvariantCulture);

    public static string HashRow(Ledger.Hash256 hash) => "H" + hash.ToString();

    /// <summary>Checkpoints sort newest first: the row key counts down from long.MaxValue.</summary>
    public static string CheckpointRow(long treeSize) => "C" + (long.MaxValue - treeSize).ToString("D19", CultureInfo.InvariantCulture);
}
