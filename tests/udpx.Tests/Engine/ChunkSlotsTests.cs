using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class ChunkSlotsTests
{
    [Fact]
    public void A_chunk_goes_from_unsent_to_in_flight_to_lost_to_acknowledged()
    {
        var slots = new ChunkSlots(64);
        Assert.Equal(ChunkSlotState.Unsent, slots.StateOf(5));
        Assert.Equal(1, slots.MarkSent(5));
        Assert.Equal(ChunkSlotState.InFlight, slots.StateOf(5));
        slots.MarkLost(5);
        Assert.Equal(ChunkSlotState.Lost, slots.StateOf(5));
        Assert.Equal(ChunkSlotState.Lost, slots.MarkAcked(5));
        Assert.Equal(ChunkSlotState.Acked, slots.StateOf(5));
    }

    [Fact]
    public void Each_send_is_numbered_and_only_the_latest_one_is_in_flight()
    {
        var slots = new ChunkSlots(64);
        ushort first = slots.MarkSent(9);
        slots.MarkLost(9);
        ushort second = slots.MarkSent(9);
        Assert.Equal(2, second);
        Assert.False(slots.IsInFlightFrom(9, first));
        Assert.True(slots.IsInFlightFrom(9, second));
        slots.MarkAcked(9);
        Assert.False(slots.IsInFlightFrom(9, second));
    }

    [Fact]
    public void The_send_count_saturates_instead_of_wrapping_to_a_number_already_used()
    {
        var slots = new ChunkSlots(64);
        for (int i = 0; i < ushort.MaxValue + 10; i++)
        {
            slots.MarkSent(3);
        }
        Assert.Equal(ushort.MaxValue, slots.MarkSent(3));
    }

    [Fact]
    public void Acknowledging_an_unsent_or_already_acknowledged_chunk_changes_nothing()
    {
        var slots = new ChunkSlots(64);
        Assert.Equal(ChunkSlotState.Unsent, slots.MarkAcked(4));
        Assert.Equal(ChunkSlotState.Unsent, slots.StateOf(4));
        Assert.Equal(0UL, slots.AckedBitsFrom(0));
        slots.MarkSent(4);
        Assert.Equal(ChunkSlotState.InFlight, slots.MarkAcked(4));
        Assert.Equal(ChunkSlotState.Acked, slots.MarkAcked(4));
        Assert.Equal(1UL << 4, slots.AckedBitsFrom(0));
    }

    [Fact]
    public void The_acknowledged_bits_start_at_the_asked_chunk_and_stop_at_its_word()
    {
        var slots = new ChunkSlots(128);
        foreach (ulong chunk in new ulong[] { 60, 62, 63, 64, 65 })
        {
            slots.MarkSent(chunk);
            slots.MarkAcked(chunk);
        }
        Assert.Equal(0b1101UL, slots.AckedBitsFrom(60));
        Assert.Equal(0b1UL, slots.AckedBitsFrom(63));
        Assert.Equal(0b11UL, slots.AckedBitsFrom(64));
        Assert.Equal(0b1UL, slots.AckedBitsFrom(65));
    }

    [Fact]
    public void A_chunk_one_ring_later_uses_the_same_slot_once_it_is_released()
    {
        var slots = new ChunkSlots(64);
        slots.MarkSent(10);
        slots.MarkAcked(10);
        Assert.Equal(ChunkSlotState.Acked, slots.StateOf(10 + 64));
        Assert.Equal(1UL, slots.AckedBitsFrom(10 + 64));

        slots.Release(10);
        Assert.Equal(ChunkSlotState.Unsent, slots.StateOf(10 + 64));
        Assert.Equal(0UL, slots.AckedBitsFrom(10 + 64));
        Assert.Equal(1, slots.MarkSent(10 + 64));
        Assert.Equal(ChunkSlotState.Unsent, slots.StateOf(11 + 64));
    }

    [Fact]
    public void Chunks_far_past_the_first_ring_map_like_the_first_ring()
    {
        var slots = new ChunkSlots(256);
        ulong far = (1UL << 40) + 7;
        slots.MarkSent(far);
        slots.MarkAcked(far);
        Assert.Equal(ChunkSlotState.Acked, slots.StateOf(7));
        Assert.Equal(1UL, slots.AckedBitsFrom(far));
        Assert.Equal(1UL << 7, slots.AckedBitsFrom(far - 7));
    }

    [Fact]
    public void Clear_makes_every_slot_unsent_with_no_sends_counted()
    {
        var slots = new ChunkSlots(64);
        for (ulong chunk = 0; chunk < 64; chunk++)
        {
            slots.MarkSent(chunk);
            if (chunk % 2 == 0)
            {
                slots.MarkAcked(chunk);
            }
        }
        slots.Clear();
        for (ulong chunk = 0; chunk < 64; chunk++)
        {
            Assert.Equal(ChunkSlotState.Unsent, slots.StateOf(chunk));
        }
        Assert.Equal(0UL, slots.AckedBitsFrom(0));
        Assert.Equal(1, slots.MarkSent(0));
    }
}
