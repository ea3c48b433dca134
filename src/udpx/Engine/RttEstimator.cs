namespace Udpx.Engine;

/// <summary>Smoothed round-trip time and retransmission timeout after RFC 6298, in microseconds.</summary>
internal sealed class RttEstimator
{
    private readonly long _minRto;
    private readonly long _maxRto;
    private int _backoff;

    public RttEstimator(long initialRtoMicros = 200_000, long minRtoMicros = 10_000, long maxRtoMicros = 2_000_000)
    {
        _minRto = minRtoMicros;
        _maxRto = maxRtoMicros;
        RtoMicros = initialRtoMicros;
        BaseRtoMicros = initialRtoMicros;
    }

    public bool HasSample { get; private set; }

    public long SmoothedMicros { get; private set; }

    public long VarianceMicros { get; private set; }

    public long MinMicros { get; private set; } = long.MaxValue;

    public long LatestMicros { get; private set; }

    public long RtoMicros { get; private set; }

    /// <summary>The timeout as measured, before any backoff: how long one transmission waits before it counts as lost.</summary>
    public long BaseRtoMicros { get; private set; }

    /// <summary>Timeouts in a row since the last sample (each doubled <see cref="RtoMicros"/>), up to 8.</summary>
    public int Backoffs => _backoff;

    public void AddSample(long rttMicros)
    {
        if (rttMicros < 0)
        {
            return;
        }
        rttMicros = Math.Max(rttMicros, 1);
        LatestMicros = rttMicros;
        if (rttMicros < MinMicros)
        {
            MinMicros = rttMicros;
        }
        if (!HasSample)
        {
            SmoothedMicros = rttMicros;
            VarianceMicros = rttMicros / 2;
            HasSample = true;
        }
        else
        {
            VarianceMicros = (3 * VarianceMicros + Math.Abs(SmoothedMicros - rttMicros)) / 4;
            SmoothedMicros = (7 * SmoothedMicros + rttMicros) / 8;
        }
        _backoff = 0;
        RtoMicros = Math.Clamp(SmoothedMicros + Math.Max(4 * VarianceMicros, Math.Max(SmoothedMicros / 2, 2_000)), _minRto, _maxRto);
        BaseRtoMicros = RtoMicros;
    }

    /// <summary>A timeout fired: double the timeout (Karn), up to the cap.</summary>
    public void Backoff()
    {
        if (_backoff < 8)
        {
            _backoff++;
        }
        RtoMicros = Math.Min(RtoMicros * 2, _maxRto);
    }
}
