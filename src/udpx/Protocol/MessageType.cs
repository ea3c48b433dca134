namespace Udpx.Protocol;

/// <summary>The kind of a udpx datagram; the byte at offset 2 of every datagram.</summary>
internal enum MessageType : byte
{
    Hello = 1,
    Cookie = 2,
    Offer = 3,
    Accept = 4,
    Reject = 5,
    Data = 6,
    Ack = 7,
    Done = 8,
    Finish = 9,
    Abort = 10,
}
