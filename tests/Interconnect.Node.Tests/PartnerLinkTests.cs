using Interconnect.Node.Replication;

namespace Interconnect.Node.Tests;

public sealed class PartnerLinkTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(10);

    [Fact]
    public void ResendDue_WhenNothingIsAcknowledgedForTheWait_AndTheWaitDoublesEachTime()
    {
        var link = new PartnerLink("JP", 0, null, ResendAfter) { Sent = 100, SentAt = Start };

        Assert.False(link.ResendDue(Start.AddSeconds(9)));
        Assert.True(link.ResendDue(Start.AddSeconds(10)));
        Assert.False(link.ResendDue(Start.AddSeconds(19)));
        Assert.True(link.ResendDue(Start.AddSeconds(20)));
    }

    [Fact]
    public void ResendDue_NotWhileThePartnerWorksThroughTheBacklog()
    {
        var link = new PartnerLink("JP", 0, null, ResendAfter) { Sent = 1000, SentAt = Start };

        // Acknowledgements keep moving the cursor, each well inside the wait, long after the last send.
        for (var second = 5; second <= 60; second += 5)
        {
            link.Acknowledge(second * 10, Start.AddSeconds(second));
            Assert.False(link.ResendDue(Start.AddSeconds(second + 9)), $"resent at {second + 9} s although the partner acknowledged at {second} s");
        }

        // The partner stops answering: the resend comes one wait after its last acknowledgement.
        Assert.True(link.ResendDue(Start.AddSeconds(70)));
    }

    [Fact]
    public void ResendDue_NeverWhenEverythingSentIsAcknowledged()
    {
        var link = new PartnerLink("JP", 0, null, ResendAfter) { Sent = 50, SentAt = Start };
        link.Acknowledge(50, Start.AddSeconds(1));

        Assert.False(link.ResendDue(Start.AddHours(1)));
    }
}
