using System.ComponentModel.DataAnnotations;

namespace Interconnect.Node.Api;

/// <summary>One page of a list, with the cursor for the next page (null on the last).</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items, ordered by id.</param>
/// <param name="Next">Pass as <c>after</c> to read the next page; null when this is the last page.</param>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>A status change with its reason (suspend, reinstate, revoke; MRA suspend, resume, terminate).</summary>
/// <param name="Reason">Why; recorded in the ledger.</param>
/// <param name="EffectiveAt">When it takes effect; now when omitted.</param>
public sealed record ReasonedChangeRequest([property: Required] string? Reason, DateTimeOffset? EffectiveAt = null);
