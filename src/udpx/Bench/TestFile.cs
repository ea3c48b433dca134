using System.IO.Hashing;

namespace Udpx.Bench;

/// <summary>A generated file of random bytes and its XxHash128, to check every delivered copy against.</summary>
internal sealed record TestFile(string Path, long Size, UInt128 Digest)
{
    private const int BufferSize = 1 << 20;

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Streams <paramref name="size"/> random bytes to <paramref name="path"/>, hashing them on the way.</summary>
    public static TestFile Generate(string path, long size, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var hash = new XxHash128();
        byte[] buffer = new byte[(int)Math.Min(BufferSize, Math.Max(1, size))];
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            long left = size;
            while (left > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(buffer.Length, left);
                random.NextBytes(buffer.AsSpan(0, n));
                hash.Append(buffer.AsSpan(0, n));
                stream.Write(buffer, 0, n);
                left -= n;
            }
        }
        return new TestFile(path, size, hash.GetCurrentHashAsUInt128());
    }
}
