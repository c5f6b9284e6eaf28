// One test class at a time: each starts several nodes, and the machine's cores are shared.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
