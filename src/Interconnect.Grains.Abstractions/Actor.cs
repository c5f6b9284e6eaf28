namespace Interconnect.Grains.Runtime;

/// <summary>
/// Who acts: the authenticated principal on whose behalf a command runs. Every entry a command
/// signs while an actor is in scope records it in the fields <see cref="IdField"/> and
/// <see cref="RoleField"/>, so the ledger says who did what, not only which administration.
/// </summary>
/// <param name="Id">The principal's id, as configured (e.g. "nl-officer-0042").</param>
/// <param name="Role">The role it acted in (officer, supervisor, ...).</param>
public sealed record Actor(string Id, string Role)
{
    // Orleans' request context travels with every grain call (and the calls a grain makes in turn),
    // across silos; on the caller's side it flows with the asynchronous flow, like an AsyncLocal.
    private const string IdKey = "interconnect.actor.id";
    private const string RoleKey = "interconnect.actor.role";

    /// <summary>The entry field holding the acting principal's id.</summary>
    public const string IdField = Ledger.KeySets.KeySetFormat.ActorField;

    /// <summary>The entry field holding the role the principal acted in.</summary>
    public const string RoleField = Ledger.KeySets.KeySetFormat.ActorRoleField;

    /// <summary>
    /// The actor of the command running in this asynchronous flow or grain call, or null (a node's own
    /// work, such as recording a partner's acceptance, has none).
    /// </summary>
    /// <remarks>
    /// Ambient rather than a parameter of every command: the HTTP pipeline sets it once per request,
    /// and every grain command reached from that request records it, with no command able to forget.
    /// </remarks>
    public static Actor? Current =>
        RequestContext.Get(IdKey) is string id && RequestContext.Get(RoleKey) is string role ? new Actor(id, role) : null;

    /// <summary>Makes <paramref name="actor"/> the current actor until the returned scope is disposed.</summary>
    public static IDisposable Enter(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var scope = new Scope(Current);
        Set(actor);
        return scope;
    }

    /// <summary>
    /// No actor until the returned scope is disposed: for a node's own work, such as handling a
    /// partner's message, which must never be attributed to a principal whose flow happened to start it
    /// (in one process, an in-memory transport can carry the sender's flow into the receiver).
    /// </summary>
    public static IDisposable None()
    {
        var scope = new Scope(Current);
        Set(null);
        return scope;
    }

    private static void Set(Actor? actor)
    {
        if (actor is null)
        {
            RequestContext.Remove(IdKey);
            RequestContext.Remove(RoleKey);
            return;
        }

        RequestContext.Set(IdKey, actor.Id);
        RequestContext.Set(RoleKey, actor.Role);
    }

    private sealed class Scope(Actor? previous) : IDisposable
    {
        public void Dispose() => Set(previous);
    }
}
