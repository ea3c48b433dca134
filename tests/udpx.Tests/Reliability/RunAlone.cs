namespace Udpx.Tests.Reliability;

/// <summary>
/// Tests that measure the whole process (managed memory) or saturate the machine run in this collection:
/// by themselves, after the parallel ones, so that no other test's buffers count against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "alone";
}
