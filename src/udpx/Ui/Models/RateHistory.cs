namespace Udpx.Ui.Models;

/// <summary>Bytes per second for each of the last whole seconds (a minute by default), for the rate graph.</summary>
internal sealed class RateHistory
{
    private const long Second = 1_000_000;
    private readonly double[] _values;
    private int _count;
    private int _next;
    private long _bucketStart = -1;
    private long _bucketTotal;

    public RateHistory(int seconds = 60)
    {
        _values = new double[Math.Max(1, seconds)];
    }

    public int Capacity => _values.Length;

    public int Count => _count;

    public double Peak { get; private set; }

    /// <summary>The last whole second's rate; 0 before the first second ends.</summary>
    public double Latest => _count == 0 ? 0 : _values[(_next - 1 + _values.Length) % _values.Length];

    /// <summary>Takes the current total; closes every whole second elapsed since the last one closed.</summary>
    public void Update(long nowMicros, long total)
    {
        if (_bucketStart < 0 || nowMicros < _bucketStart || total < _bucketTotal)
        {
            _bucketStart = nowMicros;
            _bucketTotal = total;
            return;
        }
        long elapsed = nowMicros - _bucketStart;
        if (elapsed < Second)
        {
            return;
        }
        // Samples come at the UI's pace, not on second boundaries: spread what arrived evenly over the seconds it covers.
        long seconds = elapsed / Second;
        double rate = (total - _bucketTotal) * (double)Second / elapsed;
        for (long i = 0; i < Math.Min(seconds, _values.Length); i++)
        {
            Push(rate);
        }
        _bucketStart = nowMicros;
        _bucketTotal = total;
        RecomputePeak();
    }

    /// <summary>The values, oldest first.</summary>
    public double[] ToArray()
    {
        double[] result = new double[_count];
        int first = (_next - _count + _values.Length) % _values.Length;
        for (int i = 0; i < _count; i++)
        {
            result[i] = _values[(first + i) % _values.Length];
        }
        return result;
    }

    private void Push(double value)
    {
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        _count = Math.Min(_count + 1, _values.Length);
    }

    private void RecomputePeak()
    {
        double peak = 0;
        foreach (double v in ToArray())
        {
            peak = Math.Max(peak, v);
        }
        Peak = peak;
    }
}
