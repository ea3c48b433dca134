namespace Udpx.Protocol;

/// <summary>
/// Which packet numbers of one direction of one session have been seen, as a sliding bitmap behind the
/// largest (RFC 4303 §3.4.3, RFC 9000 §21.1.1.1): a number seen before, or older than the window, is a
/// replay. Only authenticated datagrams are ever offered to it, so a forger cannot move it. The window is
/// wide because data datagrams reorder on real paths: 8192 numbers, as many as a full send window.
/// </summary>
internal sealed class ReplayWindow
{
    public const int DefaultSize = 8192;

    private readonly ulong[] _bits;
    private readonly int _size;
    private ulong _largest;
    private bool _any;

    public ReplayWindow(int size = DefaultSize)
    {
        if (size < 64 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "a power of two of at least 64");
        }
        _size = size;
        _bits = new ulong[size / 64];
    }

    /// <summary>True, and remembers it, when <paramref name="packetNumber"/> is new and inside the window.</summary>
    public bool TryAccept(ulong packetNumber)
    {
        if (!_any || packetNumber > _largest)
        {
            Advance(packetNumber);
            Set(packetNumber);
            return true;
        }
        if (_largest - packetNumber >= (ulong)_size || IsSet(packetNumber))
        {
            return false;
        }
        Set(packetNumber);
        return true;
    }

    public void Reset()
    {
        Array.Clear(_bits);
        _largest = 0;
        _any = false;
    }

    /// <summary>Clears the slots of the numbers between the old largest and the new one, which they now stand for.</summary>
    private void Advance(ulong packetNumber)
    {
        if (!_any || packetNumber - _largest >= (ulong)_size)
        {
            Array.Clear(_bits);
        }
        else
        {
            for (ulong n = _largest + 1; n < packetNumber; n++)
            {
                _bits[(int)((n & (ulong)(_size - 1)) >> 6)] &= ~(1UL << (int)(n & 63));
            }
        }
        _largest = packetNumber;
        _any = true;
    }

    private bool IsSet(ulong n) => (_bits[(int)((n & (ulong)(_size - 1)) >> 6)] & (1UL << (int)(n & 63))) != 0;

    private void Set(ulong n) => _bits[(int)((n & (ulong)(_size - 1)) >> 6)] |= 1UL << (int)(n & 63);
}
