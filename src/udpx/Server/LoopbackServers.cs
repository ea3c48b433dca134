using System.Net;

namespace Udpx.Server;

/// <summary>
/// Servers on 127.0.0.1 ephemeral ports, each storing into a folder of its own under a root, for the verbs
/// that play both ends on one machine (demo, bench). Their only client is this process: no per-host share
/// to keep, and every run may resend the names of the one before.
/// </summary>
internal sealed class LoopbackServers : IDisposable
{
    private readonly List<ServerHost> _hosts = [];

    public LoopbackServers(int count, string root)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                _hosts.Add(ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), Path.Combine(root, "server" + (i + 1)), new ServerOptions { Overwrite = true, AllowHidden = true, MaxSessionsPerHost = int.MaxValue }));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Addresses = [.. _hosts.Select(h => h.EndPoint.ToString())];
    }

    public IReadOnlyList<ServerHost> Hosts => _hosts;

    /// <summary>Each server's HOST:PORT, as a transfer job names it.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Where the server at <paramref name="address"/> stores a file called <paramref name="name"/>.</summary>
    public string ReceivedPath(string address, string name) =>
        Path.Combine(_hosts[IndexOf(address)].Store.Directory, name);

    /// <summary>Removes every stored file, so that the next run starts from empty folders.</summary>
    public void Empty()
    {
        foreach (var host in _hosts)
        {
            foreach (string file in Directory.EnumerateFiles(host.Store.Directory))
            {
                File.Delete(file);
            }
        }
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    private int IndexOf(string address)
    {
        for (int i = 0; i < Addresses.Count; i++)
        {
            if (Addresses[i] == address)
            {
                return i;
            }
        }
        throw new ArgumentException("no loopback server at " + address, nameof(address));
    }
}
