using System.Text;

namespace Udpx.Server;

/// <summary>
/// What a hook writes, kept bounded whatever it writes: its first <see cref="HookOutcome.KeptLines"/> lines
/// (stdout and stderr as they come), each cut to <see cref="HookOutcome.MaxLineLength"/> characters, and a
/// count of every line. The rest is read and dropped, so that the hook never blocks on a full pipe.
/// </summary>
internal sealed class HookOutput
{
    private readonly Lock _lock = new();
    private readonly List<string> _first = [];
    private int _lines;

    public IReadOnlyList<string> FirstLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _first];
            }
        }
    }

    public int Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines;
            }
        }
    }

    /// <summary>Reads <paramref name="reader"/> to its end (or until it is closed under it).</summary>
    public async Task ReadAsync(TextReader reader)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        bool partial = false;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    char c = buffer[i];
                    if (c == '\n')
                    {
                        Add(line);
                        partial = false;
                        continue;
                    }
                    partial = true;
                    if (line.Length < HookOutcome.MaxLineLength && c != '\r')
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        if (partial)
        {
            Add(line);
        }
    }

    private void Add(StringBuilder line)
    {
        lock (_lock)
        {
            _lines++;
            if (_first.Count < HookOutcome.KeptLines)
            {
                _first.Add(line.ToString());
            }
        }
        line.Clear();
    }
}
