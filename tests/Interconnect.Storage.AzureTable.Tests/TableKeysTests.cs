namespace Interconnect.Storage.AzureTable.Tests;

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("UCR/2026/GB/1")]
    [InlineData("a.b..c")]
    [InlineData("x#y\\z?w\u0001\u007f!'\"")]
    [InlineData("plain-id_1:2")]
    public void Escape_round_trips_and_leaves_no_character_azure_forbids_in_keys(string value)
    {
        var escaped = TableKeys.Escape(value);

        Assert.Equal(value, TableKeys.Unescape(escaped));
        Assert.DoesNotContain(escaped, c => c is '/' or '\\' or '#' or '?' or TableKeys.Separator || char.IsControl(c));
    }

    [Fact]
    public void Escape_keeps_the_ordinal_order_of_identifiers()
    {
        string[] ids = ["a", "a-", "a.", "a/", "a0", "a:", "aA", "a_", "b", "a./", "a/.", "a..", "a//", "0/x", "0.x", "0-x"];

        var byRaw = ids.Order(StringComparer.Ordinal).ToArray();
        var byEscaped = ids.OrderBy(TableKeys.Escape, StringComparer.Ordinal).ToArray();

        Assert.Equal(byRaw, byEscaped);
    }

    [Fact]
    public void Entity_partitions_parse_back_to_their_key()
    {
        var key = new EntityKey("GB", "shipment", "UCR/2026.1:x");

        Assert.Equal(key, TableKeys.ParseEntityPartition(TableKeys.EntityPartition(key)));
    }
}
