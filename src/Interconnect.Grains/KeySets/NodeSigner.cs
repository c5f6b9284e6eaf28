using Interconnect.Grains.Runtime;
using Interconnect.Ledger.Entries;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.KeySets;

/// <summary>A signing key and a timestamp taken together, so that what is signed names the key that signs and a time that key was valid.</summary>
/// <param name="Key">The key to sign with.</param>
/// <param name="Timestamp">The time to put in what is signed (whole microseconds).</param>
public readonly record struct SigningStamp(ISigner Key, DateTimeOffset Timestamp);

/// <summary>
/// The node's signing key as its own key set says it stands now. The key is swapped atomically at a
/// rotation or revocation; callers take one <see cref="Stamp(DateTimeOffset)"/> per entry (key and time under one
/// lock) so that the key id, the signature and the entry's time always agree with the key set.
/// </summary>
/// <remarks>
/// While a rotation at time R is being written, stamps with the old key are held just below R, so
/// every entry the old key signs is dated inside its validity even if it is logged after the rotation.
/// </remarks>
public sealed class NodeSigner(TimeProvider time) : ISigner
{
    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);
    private readonly Lock _gate = new();
    private ISigner? _current;
    private DateTimeOffset _validFrom = DateTimeOffset.MinValue;
    private DateTimeOffset? _endingAt;
    private DateTimeOffset _lastIssued = DateTimeOffset.MinValue;
    private string _unavailable = "The node's key set has not been loaded yet.";

    /// <summary>The key that signs now, or null while the node may not sign.</summary>
    public ISigner? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Why the node cannot sign now, or null when it can.</summary>
    public string? Unavailable
    {
        get
        {
            lock (_gate)
            {
                return _current is null ? _unavailable : null;
            }
        }
    }

    /// <inheritdoc />
    public string KeyId => Require().KeyId;

    /// <inheritdoc />
    public SignatureAlgorithm Algorithm => Require().Algorithm;

    /// <inheritdoc />
    public PublicKey PublicKey => Require().PublicKey;

    /// <inheritdoc />
    /// <remarks>For callers that date nothing; whatever carries a time takes a <see cref="Stamp(DateTimeOffset)"/> instead.</remarks>
    public byte[] Sign(ReadOnlySpan<byte> data) => Require().Sign(data);

    /// <summary>The key to sign with and a time not before <paramref name="notBefore"/> at which that key is valid.</summary>
    /// <exception cref="DomainRuleException">The node has no valid key (code <c>no-signing-key</c>).</exception>
    public SigningStamp Stamp(DateTimeOffset notBefore)
    {
        lock (_gate)
        {
            var key = _current ?? throw NoKey(_unavailable);
            var at = Max(EntryBody.TruncateToMicros(time.GetUtcNow()), Max(notBefore, _validFrom));
            if (_endingAt is { } end && at >= end)
            {
                at = end - Microsecond;
                if (at < notBefore || at < _validFrom)
                {
                    throw NoKey($"Key {key.KeyId} is being rotated at {end:O}; try again.");
                }
            }

            _lastIssued = Max(_lastIssued, at);
            return new SigningStamp(key, at);
        }
    }

    /// <summary>A stamp from <paramref name="signer"/>: through the lock when it is a <see cref="NodeSigner"/>, else its key and the clock's time.</summary>
    public static SigningStamp Stamp(ISigner signer, TimeProvider time, DateTimeOffset notBefore)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(time);
        return signer is NodeSigner node
            ? node.Stamp(notBefore)
            : new SigningStamp(signer, Max(EntryBody.TruncateToMicros(time.GetUtcNow()), notBefore));
    }

    /// <summary>Signs with <paramref name="key"/> from now on; it is valid from <paramref name="validFrom"/>.</summary>
    internal void Use(ISigner key, DateTimeOffset validFrom)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            _current = key;
            _validFrom = validFrom;
            _endingAt = null;
        }
    }

    /// <summary>Stops signing; every stamp is refused with <paramref name="why"/>.</summary>
    internal void Stop(string why)
    {
        lock (_gate)
        {
            _current = null;
            _unavailable = why;
            _endingAt = null;
        }
    }

    /// <summary>
    /// Chooses the time a rotation takes effect (after every stamp issued so far and not before
    /// <paramref name="notBefore"/>) and holds the current key's stamps below it until
    /// <see cref="Use"/> or <see cref="CancelEnding"/>.
    /// </summary>
    internal DateTimeOffset BeginEnding(DateTimeOffset notBefore)
    {
        lock (_gate)
        {
            var at = Max(EntryBody.TruncateToMicros(time.GetUtcNow()), Max(notBefore, _lastIssued == DateTimeOffset.MinValue ? _lastIssued : _lastIssued + Microsecond));
            _endingAt = at;
            return at;
        }
    }

    /// <summary>The rotation begun was not written: the current key signs on as before.</summary>
    internal void CancelEnding()
    {
        lock (_gate)
        {
            _endingAt = null;
        }
    }

    private ISigner Require() => Current ?? throw NoKey(Unavailable ?? "The node has no signing key.");

    private static DomainRuleException NoKey(string why) => new("no-signing-key", why);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
