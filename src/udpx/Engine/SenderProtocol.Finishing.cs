using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>The end of a transfer: the digest of what was sent, and the Finish that carries it.</summary>
internal sealed partial class SenderProtocol
{
    private void EnterFinishing(long now)
    {
        Enter(TransferPhase.Finishing);
        _counters.MarkSentOnce();
        _controlDue = now;
        _controlInterval = ControlWait(_rtt.SmoothedMicros);
    }

    private int WriteFinish(Span<byte> buffer) =>
        MessageCodec.WriteFinish(buffer, new FinishMessage(_sessionId, (ulong)_plan.FileSize, _digest.Current, _nextPacket++));

    /// <summary>
    /// Chunks the server already holds are never sent, so the digest reads them from the file: once per
    /// resumed transfer, with a scratch buffer of its own (the one allocation after construction).
    /// </summary>
    private void DigestHeldChunks()
    {
        if (_digest.Chunks >= _cum)
        {
            return;
        }
        byte[] scratch = new byte[_chunkSize];
        while (_digest.Chunks < _cum)
        {
            ulong chunk = _digest.Chunks;
            var bytes = scratch.AsSpan(0, ChunkLength(chunk));
            _source.Read((long)chunk * _chunkSize, bytes);
            _digest.Append(Checksum.HashPayload(bytes));
        }
    }
}
