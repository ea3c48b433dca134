using Udpx.Common;

namespace Udpx.Tests.Common;

/// <summary>The kernel's random bytes fill what they are asked to, and session ids are odd and differ.</summary>
public sealed class KernelRandomTests
{
    [Fact]
    public void Fills_every_byte_of_a_buffer_larger_than_one_call_needs()
    {
        // 4 KiB of zeros left with a run of 64 zero bytes would mean an unfilled tail (odds about 2^-512).
        var bytes = new byte[4096];
        KernelRandom.Fill(bytes);
        for (int i = 0; i + 64 <= bytes.Length; i += 64)
        {
            Assert.Contains(bytes.AsSpan(i, 64).ToArray(), b => b != 0);
        }
    }

    [Fact]
    public void Session_ids_are_never_zero_and_not_repeated()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => KernelRandom.NextSessionId()).ToList();
        Assert.All(ids, id => Assert.Equal(1UL, id & 1));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
