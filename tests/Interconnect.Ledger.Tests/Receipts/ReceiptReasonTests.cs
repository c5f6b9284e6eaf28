using Interconnect.Ledger.Receipts;

namespace Interconnect.Ledger.Tests.Receipts;

public sealed class ReceiptReasonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 11, 0, 5, TimeSpan.Zero);

    private static Receipt Rejection(string reason) =>
        new("JP", "NL", "aeo-operator", "NLAEOF0000123", 1, Hash256.Of("entry"u8), ReceiptVerdict.Rejected, reason, At);

    [Fact]
    public void FitReason_KeepsAReasonThatFits()
    {
        var reason = new string('x', Receipt.MaxReasonBytes);
        Assert.Equal(reason, Receipt.FitReason(reason));
    }

    [Theory]
    [InlineData("é")] // 2 bytes
    [InlineData("€")] // 3 bytes
    [InlineData("𝔸")] // 4 bytes (a surrogate pair)
    public void FitReason_CutsALongNonAsciiReasonAtACharacterBoundary_SoAReceiptAcceptsIt(string character)
    {
        var reason = string.Concat(Enumerable.Repeat(character, 900));

        var fitted = Receipt.FitReason(reason);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(fitted) <= Receipt.MaxReasonBytes);
        Assert.EndsWith("…", fitted, StringComparison.Ordinal);
        Assert.StartsWith(fitted[..^1], reason, StringComparison.Ordinal);
        Assert.Equal(fitted, Rejection(fitted).Reason);
        Assert.Throws<ArgumentException>(() => Rejection(reason));
    }

    [Fact]
    public void FitReason_ReplacesALoneSurrogate()
    {
        var fitted = Receipt.FitReason("bad \ud800 name");
        Assert.Equal("bad \ufffd name", fitted);
        Assert.Equal(fitted, Rejection(fitted).Reason);
    }
}
