using Interconnect.Storage.Conformance;

namespace Interconnect.Storage.InMemory.Tests;

public sealed class InMemoryNodeStoreTests : IDisposable
{
    private readonly TestLedger _ledger = new();

    [Fact]
    public async Task Mutating_what_was_appended_or_read_does_not_change_what_is_stored()
    {
        var store = new InMemoryNodeStore();
        var entity = new EntityKey("GB", "aeo-operator", "X1");
        var entry = _ledger.Next(entity, null);
        await store.Entities.AppendAsync(entity, 0, [entry]);
        var originalSalt = entry.Fields[0].Salt.ToArray();

        entry.Fields[0].Salt[0] ^= 0xFF;
        (await store.Entities.ReadAsync(entity, 1, 1))[0].Fields[0].Salt[1] ^= 0xFF;

        var stored = (await store.Entities.ReadAsync(entity, 1, 1))[0];
        Assert.Equal(originalSalt, stored.Fields[0].Salt);
        Assert.Null(stored.VerifyFields());
    }

    [Fact]
    public void SizeOf_counts_the_encoded_entry_and_each_fields_name_value_and_salt()
    {
        var entry = _ledger.Next(new EntityKey("GB", "aeo-operator", "X1"), null, TestLedger.LargeValues(3, 3000));

        var expected = entry.Entry.Encode().Length
            + entry.Fields.Sum(f => f.Name.Length + System.Text.Encoding.UTF8.GetByteCount(f.Value) + f.Salt.Length);

        Assert.Equal(expected, StorageLimits.SizeOf(entry));
    }

    public void Dispose() => _ledger.Dispose();
}
