using System.Diagnostics;
using System.Net.Sockets;
using Udpx.Net;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// Runs one transfer with asynchronous socket I/O on the thread pool: a receive loop feeds
/// acknowledgements to the protocol, a send loop sends what it allows and otherwise awaits a reusable
/// signal, woken by an acknowledgement or by one timer set to the protocol's next deadline. Uses the
/// SocketAddress overloads of SendToAsync/ReceiveFromAsync, which complete as ValueTasks over cached
/// event args: no allocation per datagram.
/// </summary>
internal sealed class AsyncTransferDriver : IDisposable
{
    private readonly TransferSession _session;
    private readonly AsyncSignal _signal = new();
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly CancellationToken _cancellation;
    private volatile bool _stopped;

    private AsyncTransferDriver(TransferSession session, TimeProvider time, CancellationToken cancellationToken)
    {
        _session = session;
        _cancellation = cancellationToken;
        _timer = time.CreateTimer(static s => ((AsyncTransferDriver)s!)._signal.Set(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public static async Task<TransferResult> RunAsync(TransferJob job, TransferCounters counters, DatagramRing? ring, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        long started = Stopwatch.GetTimestamp();
        // Opening does blocking file I/O: keep them off the caller's thread.
        var session = await Task.Run(() => TransferSession.TryOpen(job, counters, ring, time, out var failure) is { } s ? (s, null) : ((TransferSession?)null, failure), cancellationToken).ConfigureAwait(false);
        if (session.Item1 is null)
        {
            return session.Item2!;
        }
        using var transfer = session.Item1;
        using var driver = new AsyncTransferDriver(transfer, time, cancellationToken);
        using var registration = cancellationToken.UnsafeRegister(static s => ((AsyncTransferDriver)s!)._signal.Set(), driver);
        var receiving = driver.ReceiveLoopAsync();
        await driver.SendLoopAsync().ConfigureAwait(false);
        driver._stopped = true;
        transfer.Socket.Close();
        await receiving.ConfigureAwait(false);
        return transfer.ToResult(Stopwatch.GetElapsedTime(started).TotalSeconds, -1);
    }

    private async Task SendLoopAsync()
    {
        var protocol = _session.Protocol;
        var clock = _session.Clock;
        var buffer = _session.SendBuffer;
        while (true)
        {
            int length;
            int segments;
            long now = clock.NowMicros;
            lock (_lock)
            {
                if (_cancellation.IsCancellationRequested && !protocol.IsFinished)
                {
                    protocol.Fail(RejectReason.Cancelled, "cancelled");
                    _session.SendAbort();
                }
                if (protocol.IsFinished)
                {
                    return;
                }
                length = BlockingTransferDriver.FillBatch(_session, now, out segments);
                if (length == 0)
                {
                    long wait = Math.Max(protocol.NextDeadline(now) - now, 20);
                    _timer.Change(TimeSpan.FromTicks(Math.Min(wait, 1_000_000) * 10), Timeout.InfiniteTimeSpan);
                }
            }
            if (length > 0)
            {
                try
                {
                    if (segments > 1 && _session.Segmented)
                    {
                        await _session.Socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, _session.Server).ConfigureAwait(false);
                    }
                    else
                    {
                        for (int offset = 0; offset < length; offset += _session.DatagramSize)
                        {
                            int size = Math.Min(_session.DatagramSize, length - offset);
                            await _session.Socket.SendToAsync(buffer.AsMemory(offset, size), SocketFlags.None, _session.Server).ConfigureAwait(false);
                        }
                    }
                }
                catch (SocketException ex) when (segments > 1 && _session.Segmented && TransferSession.IsSegmentationRefusal(ex))
                {
                    // The path refuses segmented sends: one datagram per call from now on.
                    _session.DisableSegmentation();
                    for (int offset = 0; offset < length; offset += _session.DatagramSize)
                    {
                        _session.Socket.SendTo(buffer.AsSpan(offset, Math.Min(_session.DatagramSize, length - offset)), SocketFlags.None, _session.Server);
                    }
                }
                catch (SocketException ex)
                {
                    lock (_lock)
                    {
                        if (!BlockingTransferDriver.OnSocketError(_session, ex))
                        {
                            return;
                        }
                    }
                }
                continue;
            }
            await _signal.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var socket = _session.Socket;
        var memory = _session.ReceiveBuffer.AsMemory();
        while (!_stopped)
        {
            try
            {
                int n = await socket.ReceiveFromAsync(memory, SocketFlags.None, _session.ReceiveAddress).ConfigureAwait(false);
                if (!_session.ReceiveAddress.Equals(_session.Server))
                {
                    continue;
                }
                lock (_lock)
                {
                    _session.Protocol.OnDatagram(_session.ReceiveBuffer.AsSpan(0, n), _session.Clock.NowMicros);
                }
                _signal.Set();
            }
            catch (SocketException ex) when (!_stopped)
            {
                bool goOn;
                lock (_lock)
                {
                    goOn = BlockingTransferDriver.OnSocketError(_session, ex);
                }
                _signal.Set();
                if (!goOn)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
