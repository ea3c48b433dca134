using System.Net;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Net;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// Everything one transfer needs before its first datagram, shared by both drivers: the server's
/// address, the file, a socket, buffers made once, and the protocol state machine.
/// </summary>
internal sealed class TransferSession : IDisposable
{
    private const int SocketBufferBytes = 4 << 20;

    /// <summary>The most datagrams all transfers to one server may have in flight together.</summary>
    private const int MaxPathWindow = 1 << 16;

    private readonly FileChunkSource _source;
    private readonly PathLease? _path;
    private long _bytesRecorded;

    private TransferSession(TransferJob job, TransferCounters counters, DatagramRing? ring, TimeProvider time)
    {
        Job = job;
        Counters = counters;
        Ring = ring;
        Clock = new MonotonicClock(time);
        var endpoint = ServerAddressProbe.Choose(ServerAddress.ResolveAll(job.Server), ProbeWait(job.Settings.ConnectTimeout));
        _source = new FileChunkSource(job.Path);
        try
        {
            ulong sessionId = KernelRandom.NextSessionId();
            Plan = new TransferPlan(sessionId, job.Name, _source.Length, job.Settings.DatagramSize, job.Settings.Key is null ? 0 : DatagramAuthenticator.TagSize, _source.Identity);
            var mode = job.Settings.Background ? CongestionMode.Background : CongestionMode.Normal;
            _path = SharedPaths.Join(endpoint, job.Settings.DatagramSize, MaxPathWindow, mode, job.Settings.InitialWindow);
            Protocol = new SenderProtocol(Plan, _source, job.Settings with { Path = _path.Controller }, counters);

            Socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            // A smaller grant only means more retransmissions on bursts; the server is the one that warns.
            SocketBuffers.Apply(Socket, SocketBufferBytes);
            Socket.Bind(new IPEndPoint(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            // Connected, so that an ICMP "port unreachable" comes back as an error instead of silence.
            Socket.Connect(endpoint);
            Server = endpoint.Serialize();
            ReceiveAddress = new SocketAddress(endpoint.AddressFamily);
            Segmented = UdpOffload.TryEnableSegmentation(Socket, job.Settings.DatagramSize);
            SegmentsPerBatch = Segmented ? UdpOffload.SegmentsPerBatch(job.Settings.DatagramSize) : 1;
            SendBuffer = GC.AllocateUninitializedArray<byte>(job.Settings.DatagramSize * SegmentsPerBatch, pinned: true);
            // Replies are never larger than our own datagrams.
            ReceiveBuffer = GC.AllocateUninitializedArray<byte>(job.Settings.DatagramSize + 256, pinned: true);
        }
        catch
        {
            _source.Dispose();
            Socket?.Dispose();
            Protocol?.Dispose();
            _path?.Dispose();
            throw;
        }
    }

    public TransferJob Job { get; }

    public TransferCounters Counters { get; }

    public DatagramRing? Ring { get; }

    public MonotonicClock Clock { get; }

    public TransferPlan Plan { get; }

    public SenderProtocol Protocol { get; }

    public Socket Socket { get; }

    public SocketAddress Server { get; }

    public SocketAddress ReceiveAddress { get; }

    /// <summary>The batch buffer: room for <see cref="SegmentsPerBatch"/> datagrams back to back.</summary>
    public byte[] SendBuffer { get; }

    /// <summary>True while the kernel splits one send into datagrams (UDP GSO).</summary>
    public bool Segmented { get; private set; }

    public int SegmentsPerBatch { get; private set; }

    public int DatagramSize => Plan.DatagramSize;

    public byte[] ReceiveBuffer { get; }

    public long FileSize => _source.Length;

    /// <summary>How long the address probe waits for an answer: a round trip on any lab path, never the whole connect timeout.</summary>
    private static TimeSpan ProbeWait(TimeSpan connectTimeout) => connectTimeout > TimeSpan.Zero && connectTimeout < TimeSpan.FromSeconds(1) ? connectTimeout : TimeSpan.FromSeconds(1);

    /// <summary>Opens a session, or returns a failed result saying why in one line.</summary>
    public static TransferSession? TryOpen(TransferJob job, TransferCounters counters, DatagramRing? ring, TimeProvider time, out TransferResult? failure)
    {
        failure = null;
        try
        {
            return new TransferSession(job, counters, ring, time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or SocketException)
        {
            counters.SetPhase(TransferPhase.Failed);
            failure = new TransferResult
            {
                JobId = job.Id,
                Name = job.Name,
                Server = job.Server,
                Error = ex switch
                {
                    FileNotFoundException => "file not found: " + job.Path,
                    DirectoryNotFoundException => "file not found: " + job.Path,
                    UnauthorizedAccessException => "cannot read " + job.Path + ": permission denied",
                    IOException io => "cannot read " + job.Path + ": " + io.Message,
                    SocketException se => "cannot open a socket toward " + job.Server + ": " + se.Message,
                    _ => ex.Message,
                },
                ProcessId = Environment.ProcessId,
            };
            return null;
        }
    }

    /// <summary>Notes a sent datagram in the stream ring; reads the chunk from the header we just wrote.</summary>
    public void RecordSent(ReadOnlySpan<byte> datagram, long now)
    {
        if (Ring is null || datagram.Length < Wire.DataHeaderSize || datagram[2] != (byte)MessageType.Data)
        {
            return;
        }
        ulong chunk = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(datagram[16..]);
        _bytesRecorded += datagram.Length - Wire.DataHeaderSize;
        Ring.Record(now, Protocol.SessionId, chunk, _bytesRecorded, datagram.Length, datagram[Wire.DataHeaderSize..]);
    }

    /// <summary>
    /// Sends a batch of datagrams laid out back to back, every one <see cref="DatagramSize"/> long but
    /// the last. With segmentation one call sends them all; if the kernel refuses it, segmentation is
    /// switched off for good and the batch goes out one datagram per call. An error comes back as its code, not
    /// as an exception: a full queue (ENOBUFS, EAGAIN) on a loaded host is a loss the protocol repairs, and an
    /// exception for each would allocate kilobytes on the send path (the socket is connected, so its
    /// non-throwing send needs no address).
    /// </summary>
    public SocketError SendBatch(ReadOnlySpan<byte> batch, int segments)
    {
        if (segments <= 1 || !Segmented)
        {
            return SendEach(batch);
        }
        Socket.Send(batch, SocketFlags.None, out SocketError error);
        if (error != SocketError.Success && IsSegmentationRefusal(error))
        {
            DisableSegmentation();
            return SendEach(batch);
        }
        return error;
    }

    /// <summary>An error that says the path cannot take segmented sends (e.g. EIO without checksum offload).</summary>
    public static bool IsSegmentationRefusal(SocketException ex) => IsSegmentationRefusal(ex.SocketErrorCode);

    /// <inheritdoc cref="IsSegmentationRefusal(SocketException)"/>
    public static bool IsSegmentationRefusal(SocketError error) =>
        error is not (SocketError.ConnectionRefused or SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock or SocketError.HostUnreachable or SocketError.NetworkUnreachable);

    public void DisableSegmentation()
    {
        UdpOffload.DisableSegmentation(Socket);
        Segmented = false;
        SegmentsPerBatch = 1;
    }

    private SocketError SendEach(ReadOnlySpan<byte> batch)
    {
        for (int offset = 0; offset < batch.Length; offset += DatagramSize)
        {
            Socket.Send(batch.Slice(offset, Math.Min(DatagramSize, batch.Length - offset)), SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                return error;
            }
        }
        return SocketError.Success;
    }

    /// <summary>Tells the server we give up, so it frees the session at once (best effort).</summary>
    public void SendAbort()
    {
        try
        {
            int length = Protocol.WriteAbort(SendBuffer, RejectReason.Cancelled);
            Socket.SendTo(SendBuffer.AsSpan(0, length), SocketFlags.None, Server);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public TransferResult ToResult(double seconds, long allocatedBytes)
    {
        var outcome = Protocol.Outcome;
        var snapshot = Counters.Snapshot();
        if (CongestionController.TraceRounds)
        {
            Console.Error.WriteLine($"cc end byOrder={Protocol.LossesByOrder} byTimeout={Protocol.LossesByTimeout} premature={Protocol.PrematureLosses} reorderX={Protocol.ReorderMultiple} widenings={Protocol.ReorderWidenings} dups={Protocol.DuplicatesReported} cong={Protocol.Congestion.CongestionEvents} probes={Protocol.TailProbes}");
        }
        string error = outcome.Verified ? string.Empty : Job.Server + ": " + outcome.Message;
        return new TransferResult
        {
            JobId = Job.Id,
            Name = Job.Name,
            Server = Job.Server,
            Bytes = FileSize,
            Verified = outcome.Verified,
            Error = error,
            Seconds = seconds,
            DatagramsSent = snapshot.DatagramsSent,
            Retransmitted = snapshot.Retransmitted,
            RttMicros = Protocol.Rtt.SmoothedMicros,
            PathWindow = _path?.Controller.Window ?? 0,
            ResumedBytes = Protocol.ResumedBytes,
            AllocatedBytes = allocatedBytes,
            SessionId = Plan.SessionId,
            ProcessId = Environment.ProcessId,
        };
    }

    public void Dispose()
    {
        Socket.Dispose();
        _source.Dispose();
        Protocol.Dispose();
        _path?.Dispose();
    }
}
