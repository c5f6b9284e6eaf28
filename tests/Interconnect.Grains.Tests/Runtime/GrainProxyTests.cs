using Interconnect.Grains.Runtime;
using Interconnect.Grains.Tests.Support;

namespace Interconnect.Grains.Tests.Runtime;

/// <summary>Calls through a grain reference reach the activation with their arguments, results and exceptions intact.</summary>
public sealed class GrainProxyTests : IAsyncDisposable
{
    private readonly GrainRuntime _runtime = new GrainRuntime(new ManualTime()).Register<ICounterGrain>(_ => new CounterGrain());

    public interface ICounterGrain : IGrainWithStringKey
    {
        Task Add(int amount, string note);

        Task<int> Total();

        Task<IReadOnlyList<string>> Notes();

        Task<int> RefuseNow(string reason);

        Task<int> RefuseLater(string reason);

        Task Fail();
    }

    [Fact]
    public async Task Calls_with_value_and_reference_arguments_and_no_result_reach_the_activation()
    {
        var grain = _runtime.GetGrain<ICounterGrain>("a");

        await grain.Add(2, "two");
        await grain.Add(40, "forty");

        Assert.Equal(42, await grain.Total());
        Assert.Equal(["two", "forty"], await grain.Notes());
        Assert.Equal(0, await _runtime.GetGrain<ICounterGrain>("b").Total());
    }

    [Fact]
    public async Task Exceptions_reach_the_caller_as_thrown_whether_thrown_before_or_after_the_first_await()
    {
        var grain = _runtime.GetGrain<ICounterGrain>("a");

        var now = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.RefuseNow("too early"));
        var later = await Assert.ThrowsAsync<DomainRuleException>(() => grain.RefuseLater("too late"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail());

        Assert.Equal("too early", now.Message);
        Assert.Equal("too late", later.Message);
        Assert.Equal(0, await grain.Total());
    }

    public ValueTask DisposeAsync() => _runtime.DisposeAsync();

    private sealed class CounterGrain : Grain, ICounterGrain
    {
        private readonly List<string> _notes = [];
        private int _total;

        public Task Add(int amount, string note)
        {
            _total += amount;
            _notes.Add(note);
            return Task.CompletedTask;
        }

        public Task<int> Total() => Task.FromResult(_total);

        public Task<IReadOnlyList<string>> Notes() => Task.FromResult<IReadOnlyList<string>>([.. _notes]);

        public Task<int> RefuseNow(string reason) => throw new InvalidCommandException("reason", reason);

        public async Task<int> RefuseLater(string reason)
        {
            await Task.Yield();
            throw new DomainRuleException(reason);
        }

        public async Task Fail()
        {
            await Task.Yield();
            throw new InvalidOperationException("failed");
        }
    }
}
