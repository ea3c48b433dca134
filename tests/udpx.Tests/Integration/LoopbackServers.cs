using System.Net;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>Two real servers on 127.0.0.1 port 0, each with its own folder, and files to send to them.</summary>
internal sealed class LoopbackServers : IDisposable
{
    private readonly TempFolder _folder = new();

    public LoopbackServers(int count = 2, ServerOptions? options = null)
    {
        var hosts = new List<ServerHost>();
        for (int i = 0; i < count; i++)
        {
            hosts.Add(ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("server" + i), options ?? new ServerOptions()));
        }
        Hosts = hosts;
        Directory.CreateDirectory(_folder.File("source"));
    }

    public IReadOnlyList<ServerHost> Hosts { get; }

    public IReadOnlyList<string> Addresses => [.. Hosts.Select(h => h.EndPoint.ToString())];

    public string MakeFile(string name, int size, int seed) =>
        _folder.Write(Path.Combine("source", name), Simulation.RandomFile(size, seed));

    public string ReceivedPath(int server, string name) => Path.Combine(Hosts[server].Store.Directory, name);

    public static List<TransferHandle> Handles(IEnumerable<TransferJob> jobs) =>
        [.. jobs.Select(j => new TransferHandle(j) { FileSize = new FileInfo(j.Path).Length })];

    public void Dispose()
    {
        foreach (var host in Hosts)
        {
            host.Dispose();
        }
        _folder.Dispose();
    }
}
