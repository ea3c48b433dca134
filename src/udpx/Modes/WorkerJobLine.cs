using System.Text;
using System.Text.Json;
using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// Reads the two lines a worker receives (<see cref="WorkerJob"/> and <see cref="WorkerRelease"/>, as the
/// parent writes them with <see cref="WorkerJson"/>) with the plain JSON reader. The generated metadata reader
/// builds every property's metadata and converters through reflection on first use: 2 ms of CPU, once per
/// child process, a tenth of what a child of an 8 MiB transfer spends in all.
/// Names are matched as the serializer matches them (exactly); unknown names are skipped.
/// </summary>
internal static class WorkerJobLine
{
    public static WorkerJob ParseJob(string line)
    {
        var reader = Open(line);
        int jobId = 0, datagramSize = 0, connectTimeoutMs = 0, idleTimeoutMs = 0, initialWindow = 0;
        long rate = 0, jobTimeoutMs = -1, pathRttMicros = 0;
        string? path = null, name = null, server = null, keyFile = null;
        bool keyFromEnvironment = false, encrypt = false, background = false, held = false;
        TftpTransferSettings? tftp = null;
        while (NextProperty(ref reader, out string property))
        {
            switch (property)
            {
                case "jobId": jobId = Int(ref reader); break;
                case "path": path = Text(ref reader); break;
                case "name": name = Text(ref reader); break;
                case "server": server = Text(ref reader); break;
                case "datagramSize": datagramSize = Int(ref reader); break;
                case "rateBytesPerSecond": rate = Long(ref reader); break;
                case "connectTimeoutMs": connectTimeoutMs = Int(ref reader); break;
                case "idleTimeoutMs": idleTimeoutMs = Int(ref reader); break;
                case "keyFile": keyFile = Text(ref reader); break;
                case "keyFromEnvironment": keyFromEnvironment = Bool(ref reader); break;
                case "encrypt": encrypt = Bool(ref reader); break;
                case "jobTimeoutMs": jobTimeoutMs = Long(ref reader); break;
                case "tftp": tftp = reader.TokenType == JsonTokenType.Null ? null : Tftp(ref reader); break;
                case "background": background = Bool(ref reader); break;
                case "initialWindow": initialWindow = Int(ref reader); break;
                case "held": held = Bool(ref reader); break;
                case "pathRttMicros": pathRttMicros = Long(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new WorkerJob(jobId, path ?? throw Missing("path"), name ?? throw Missing("name"), server ?? throw Missing("server"), datagramSize, rate, connectTimeoutMs, idleTimeoutMs, keyFile, keyFromEnvironment, encrypt, jobTimeoutMs, tftp, background, initialWindow, held, pathRttMicros);
    }

    public static WorkerRelease ParseRelease(string line)
    {
        var reader = Open(line);
        int go = 0, initialWindow = 0;
        while (NextProperty(ref reader, out string property))
        {
            switch (property)
            {
                case "go": go = Int(ref reader); break;
                case "initialWindow": initialWindow = Int(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new WorkerRelease(go, initialWindow);
    }

    private static TftpTransferSettings Tftp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("tftp is not an object");
        }
        bool read = false, overwrite = false;
        int blockSize = 0, windowSize = 0;
        while (NextProperty(ref reader, out string property))
        {
            switch (property)
            {
                case "read": read = Bool(ref reader); break;
                case "blockSize": blockSize = Int(ref reader); break;
                case "windowSize": windowSize = Int(ref reader); break;
                case "overwrite": overwrite = Bool(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new TftpTransferSettings(read, blockSize, windowSize, overwrite);
    }

    private static Utf8JsonReader Open(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("not a JSON object");
        }
        return reader;
    }

    /// <summary>Moves to the next property's value in the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, out string name)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            name = string.Empty;
            return false;
        }
        name = reader.GetString()!;
        if (!reader.Read())
        {
            throw new JsonException("the line ends inside an object");
        }
        return true;
    }

    private static string? Text(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Null ? reader.GetString() : throw new JsonException("not a string at " + reader.TokenStartIndex);

    private static int Int(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw new JsonException("not a 32-bit number at " + reader.TokenStartIndex);

    private static long Long(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw new JsonException("not a 64-bit number at " + reader.TokenStartIndex);

    private static bool Bool(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw new JsonException("not true or false at " + reader.TokenStartIndex);

    private static JsonException Missing(string property) => new("the job has no " + property);
}
