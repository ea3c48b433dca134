namespace Udpx.Ui.Models;

/// <summary>
/// The rate at which a total grows, over the last couple of seconds, from samples taken at the UI's pace.
/// A total that goes down (a new transfer under the same key) or a clock that goes back starts the meter over.
/// </summary>
internal sealed class RateMeter
{
    private readonly long _windowMicros;
    private readonly Queue<(long At, long Total)> _samples = new();
    private (long At, long Total) _newest;

    public RateMeter(long windowMicros = 2_000_000)
    {
        _windowMicros = Math.Max(1, windowMicros);
    }

    public double BytesPerSecond { get; private set; }

    public double Update(long nowMicros, long total)
    {
        if (_samples.Count > 0 && (total < _newest.Total || nowMicros < _newest.At))
        {
            _samples.Clear();
        }
        _newest = (nowMicros, total);
        _samples.Enqueue(_newest);
        // The oldest sample is the base of the rate: drop it once the next one is itself a window old.
        while (_samples.Count > 2 && nowMicros - SecondOldestAt() >= _windowMicros)
        {
            _samples.Dequeue();
        }
        var oldest = _samples.Peek();
        long span = nowMicros - oldest.At;
        if (span > 0)
        {
            BytesPerSecond = (total - oldest.Total) * 1e6 / span;
        }
        else if (_samples.Count == 1)
        {
            BytesPerSecond = 0;
        }
        return BytesPerSecond;
    }

    private long SecondOldestAt()
    {
        using var e = _samples.GetEnumerator();
        e.MoveNext();
        e.MoveNext();
        return e.Current.At;
    }
}
