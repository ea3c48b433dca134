using System.Globalization;
using System.Text.RegularExpressions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A client and two servers, each in its own network namespace, joined by a bridge that lives in a fourth
/// one (the topology of gns3/lab.sh, built here on its own): 10.10.0.10 and 10.10.0.11/.12 on a /24 with
/// no route anywhere else, so nothing can leave it. nftables in each host drops one UDP datagram in ten
/// on input. Needs root, iproute2 and nftables. Dispose tears everything down.
/// </summary>
internal sealed partial class NetworkLab : IDisposable
{
    public const string ClientAddress = "10.10.0.10";
    public static readonly string[] ServerAddresses = ["10.10.0.11", "10.10.0.12"];

    private const string Table = "udpx_test";
    private readonly List<string> _namespaces = [];

    private NetworkLab()
    {
        // Unique per run, so two test runs (or gns3/lab.sh) on one machine never meet.
        string prefix = "udpxt-" + Environment.ProcessId.ToString("x", CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);
        Bridge = prefix + "-lab";
        Client = prefix + "-client";
        Servers = [prefix + "-server1", prefix + "-server2"];
    }

    public string Bridge { get; }

    public string Client { get; }

    public IReadOnlyList<string> Servers { get; }

    /// <summary>Why the lab cannot be built here, or null when it can be tried.</summary>
    public static string? WhyUnavailable() =>
        !OperatingSystem.IsLinux() ? "network namespaces are Linux only"
        : !SystemCommand.IsRoot ? "needs root for network namespaces and nftables (CI runs as root)"
        : !SystemCommand.Exists("ip") ? "needs ip(8) from iproute2"
        : !SystemCommand.Exists("nft") ? "needs nft(8) from nftables"
        : null;

    /// <summary>Builds the lab with <paramref name="lossOneIn"/> (e.g. 10) dropping one UDP datagram in that many on input.</summary>
    public static NetworkLab Create(int lossOneIn)
    {
        var lab = new NetworkLab();
        try
        {
            lab.Build(lossOneIn);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Datagrams the loss rule dropped in a namespace so far.</summary>
    public static long Drops(string ns)
    {
        string rules = SystemCommand.Check("ip", "netns", "exec", ns, "nft", "list", "table", "inet", Table);
        var match = DropCounter().Match(rules);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private void Build(int lossOneIn)
    {
        foreach (string ns in (string[])[Bridge, Client, .. Servers])
        {
            SystemCommand.Check("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            SystemCommand.Check("ip", "-n", ns, "link", "set", "lo", "up");
        }
        SystemCommand.Check("ip", "-n", Bridge, "link", "add", "br0", "type", "bridge");
        SystemCommand.Check("ip", "-n", Bridge, "link", "set", "br0", "up");
        Attach(Client, "v-client", ClientAddress);
        for (int i = 0; i < Servers.Count; i++)
        {
            Attach(Servers[i], "v-server" + (i + 1), ServerAddresses[i]);
        }
        string rules = "table inet " + Table + " {\n"
            + "  chain input {\n"
            + "    type filter hook input priority filter; policy accept;\n"
            + "    meta l4proto udp numgen random mod " + lossOneIn + " 0 counter drop\n"
            + "  }\n"
            + "}\n";
        foreach (string ns in (string[])[Client, .. Servers])
        {
            SystemCommand.CheckWithInput("ip", rules, "netns", "exec", ns, "nft", "-f", "-");
        }
    }

    /// <summary>A veth pair created inside the namespaces: one end on the bridge, the other eth0 of the host.</summary>
    private void Attach(string ns, string bridgePort, string address)
    {
        SystemCommand.Check("ip", "-n", Bridge, "link", "add", bridgePort, "type", "veth", "peer", "name", "eth0", "netns", ns);
        SystemCommand.Check("ip", "-n", Bridge, "link", "set", bridgePort, "master", "br0", "up");
        SystemCommand.Check("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        SystemCommand.Check("ip", "-n", ns, "link", "set", "eth0", "up");
    }

    public void Dispose()
    {
        for (int i = _namespaces.Count - 1; i >= 0; i--)
        {
            string ns = _namespaces[i];
            // Only our own processes can be in a namespace named for this run; none may outlive it.
            var (_, pids) = SystemCommand.Run("ip", ["netns", "pids", ns]);
            foreach (string pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    try
                    {
                        System.Diagnostics.Process.GetProcessById(id).Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            }
            SystemCommand.Run("ip", ["netns", "del", ns]);
        }
        _namespaces.Clear();
    }

    [GeneratedRegex(@"counter packets (\d+) bytes \d+ drop")]
    private static partial Regex DropCounter();
}
