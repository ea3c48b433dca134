using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;

namespace Udpx.Tests.Gns3;

/// <summary>
/// Checks gns3/udpx-lab.gns3 against what a GNS3 2.2 server needs to load it, and the files that
/// travel with it (each Docker node's etc/network/interfaces, the import script, the picture).
/// </summary>
public sealed class ProjectFileTests
{
    private static readonly string[] RequiredTopLevelKeys =
        ["auto_close", "auto_open", "auto_start", "name", "project_id", "revision", "topology", "type", "version"];

    // gns3server/schemas/node.py (2.2): the node types a 2.2 controller knows.
    private static readonly HashSet<string> AllowedNodeTypes = new(StringComparer.Ordinal)
    {
        "cloud", "nat", "ethernet_hub", "ethernet_switch", "frame_relay_switch", "atm_switch",
        "docker", "dynamips", "vpcs", "traceng", "virtualbox", "vmware", "iou", "qemu",
    };

    // The addresses lab.sh gives the same hosts: the two labs must stay twins.
    private static readonly Dictionary<string, string> ExpectedLanAddresses = new(StringComparer.Ordinal)
    {
        ["client"] = "10.10.0.10",
        ["server1"] = "10.10.0.11",
        ["server2"] = "10.10.0.12",
    };

    private static string RepoRoot { get; } = FindRepoRoot();

    private static string Gns3Dir => Path.Combine(RepoRoot, "gns3");

    private static string ProjectPath => Path.Combine(Gns3Dir, "udpx-lab.gns3");

    [Fact]
    public void Top_level_has_the_keys_GNS3_2_2_writes()
    {
        using var doc = LoadProject();
        var root = doc.RootElement;
        foreach (var key in RequiredTopLevelKeys)
        {
            Assert.True(root.TryGetProperty(key, out _), $"missing top-level key '{key}'");
        }

        Assert.Equal(9, root.GetProperty("revision").GetInt32());
        Assert.Equal("topology", root.GetProperty("type").GetString());
        Assert.StartsWith("2.2.", root.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParseExact(root.GetProperty("project_id").GetString(), "D", out _), "project_id is not a UUID");
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("name").GetString()));
        foreach (var key in new[] { "auto_close", "auto_open", "auto_start" })
        {
            var kind = root.GetProperty(key).ValueKind;
            Assert.True(kind is JsonValueKind.True or JsonValueKind.False, $"'{key}' must be a boolean");
        }

        var topology = root.GetProperty("topology");
        foreach (var key in new[] { "nodes", "links", "drawings", "computes" })
        {
            Assert.Equal(JsonValueKind.Array, topology.GetProperty(key).ValueKind);
        }
    }

    [Fact]
    public void Every_node_has_the_required_fields_and_a_known_type()
    {
        using var doc = LoadProject();
        foreach (var node in Nodes(doc))
        {
            var name = node.TryGetProperty("name", out var n) ? n.GetString() : null;
            Assert.False(string.IsNullOrWhiteSpace(name), "a node has no name");
            foreach (var key in new[] { "node_id", "name", "node_type", "compute_id", "x", "y", "properties" })
            {
                Assert.True(node.TryGetProperty(key, out _), $"node '{name}' has no '{key}'");
            }

            Assert.True(Guid.TryParseExact(node.GetProperty("node_id").GetString(), "D", out _), $"node '{name}': node_id is not a UUID");
            Assert.Contains(node.GetProperty("node_type").GetString() ?? "", AllowedNodeTypes);
            Assert.False(string.IsNullOrEmpty(node.GetProperty("compute_id").GetString()), $"node '{name}': empty compute_id");
            Assert.Equal(JsonValueKind.Number, node.GetProperty("x").ValueKind);
            Assert.Equal(JsonValueKind.Number, node.GetProperty("y").ValueKind);
            Assert.True(node.GetProperty("x").TryGetInt32(out _), $"node '{name}': x must be an integer");
            Assert.True(node.GetProperty("y").TryGetInt32(out _), $"node '{name}': y must be an integer");
            Assert.Equal(JsonValueKind.Object, node.GetProperty("properties").ValueKind);
        }
    }

    [Fact]
    public void Node_ids_and_names_are_unique()
    {
        using var doc = LoadProject();
        var ids = Nodes(doc).Select(node => node.GetProperty("node_id").GetString()).ToList();
        var names = Nodes(doc).Select(node => node.GetProperty("name").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_lab_has_client_two_servers_a_switch_and_NAT()
    {
        using var doc = LoadProject();
        var types = Nodes(doc).ToDictionary(
            node => node.GetProperty("name").GetString() ?? "",
            node => node.GetProperty("node_type").GetString(),
            StringComparer.Ordinal);
        Assert.Equal("docker", types["client"]);
        Assert.Equal("docker", types["server1"]);
        Assert.Equal("docker", types["server2"]);
        Assert.Single(types, pair => pair.Value == "ethernet_switch");
        Assert.Single(types, pair => pair.Value == "nat");
    }

    [Fact]
    public void Links_join_two_existing_nodes_on_existing_free_ports()
    {
        using var doc = LoadProject();
        var nodes = Nodes(doc).ToDictionary(node => node.GetProperty("node_id").GetString() ?? "", StringComparer.Ordinal);
        var linkIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var usedPorts = new HashSet<string>(StringComparer.Ordinal);
        var links = doc.RootElement.GetProperty("topology").GetProperty("links").EnumerateArray().ToList();
        Assert.NotEmpty(links);
        foreach (var link in links)
        {
            var linkId = link.GetProperty("link_id").GetString() ?? "";
            Assert.True(Guid.TryParseExact(linkId, "D", out _), $"link_id '{linkId}' is not a UUID");
            Assert.True(linkIds.Add(linkId), $"link_id '{linkId}' is used twice");

            var ends = link.GetProperty("nodes").EnumerateArray().ToList();
            Assert.True(ends.Count == 2, $"link {linkId} has {ends.Count} ends, not 2");
            Assert.NotEqual(ends[0].GetProperty("node_id").GetString(), ends[1].GetProperty("node_id").GetString());
            foreach (var end in ends)
            {
                var nodeId = end.GetProperty("node_id").GetString() ?? "";
                Assert.True(nodes.TryGetValue(nodeId, out var node), $"link {linkId} points at unknown node {nodeId}");
                var adapter = end.GetProperty("adapter_number").GetInt32();
                var port = end.GetProperty("port_number").GetInt32();
                var name = node.GetProperty("name").GetString();
                Assert.True(PortExists(node, adapter, port), $"link {linkId}: {name} has no adapter {adapter} port {port}");
                Assert.True(usedPorts.Add($"{nodeId}/{adapter}/{port}"), $"{name} adapter {adapter} port {port} carries two links");
            }
        }
    }

    [Fact]
    public void Drawing_ids_are_unique()
    {
        using var doc = LoadProject();
        var ids = doc.RootElement.GetProperty("topology").GetProperty("drawings").EnumerateArray()
            .Select(drawing => drawing.GetProperty("drawing_id").GetString())
            .ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Docker_nodes_have_adapters_image_console_and_the_udpx_volume()
    {
        using var doc = LoadProject();
        var dockers = DockerNodes(doc).ToList();
        Assert.Equal(3, dockers.Count);
        foreach (var node in dockers)
        {
            var name = node.GetProperty("name").GetString();
            var properties = node.GetProperty("properties");
            Assert.True(properties.GetProperty("adapters").GetInt32() >= 1, $"{name}: no adapters");
            Assert.False(string.IsNullOrWhiteSpace(properties.GetProperty("image").GetString()), $"{name}: no image");
            Assert.Equal("telnet", node.GetProperty("console_type").GetString());
            var volumes = properties.GetProperty("extra_volumes").EnumerateArray().Select(v => v.GetString()).ToList();
            Assert.Contains("/opt/udpx", volumes);
            Assert.Contains("/opt/udpx/udpx", properties.GetProperty("start_command").GetString() ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Interfaces_files_give_unique_addresses_in_one_subnet()
    {
        using var doc = LoadProject();
        var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
        var networks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in DockerNodes(doc))
        {
            var name = node.GetProperty("name").GetString() ?? "";
            var adapters = node.GetProperty("properties").GetProperty("adapters").GetInt32();
            var path = InterfacesPath(node);
            Assert.True(File.Exists(path), $"{name}: no {path}");

            var statics = ParseStaticInterfaces(File.ReadAllLines(path));
            Assert.True(statics.Count > 0, $"{name}: no static interface in {path}");
            foreach (var (iface, address, netmask) in statics)
            {
                Assert.True(
                    iface.StartsWith("eth", StringComparison.Ordinal)
                        && int.TryParse(iface.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                        && index < adapters,
                    $"{name}: {iface} is not one of its {adapters} adapters");
                // BusyBox ifup, which GNS3's init script runs, does not understand CIDR.
                Assert.DoesNotContain("/", address, StringComparison.Ordinal);
                Assert.True(IPAddress.TryParse(address, out var ip), $"{name}: bad address '{address}'");
                Assert.True(IPAddress.TryParse(netmask, out var mask), $"{name}: bad netmask '{netmask}'");
                Assert.True(addresses.TryAdd(address, name), $"{address} is given to both {name} and {addresses.GetValueOrDefault(address)}");
                networks.Add(Network(ip, mask));
            }

            Assert.Equal(ExpectedLanAddresses[name], statics[0].Address);
        }

        Assert.Single(networks);
    }

    [Fact]
    public void Import_dry_run_packs_the_project_and_prints_the_requests()
    {
        var work = Directory.CreateTempSubdirectory("udpx-gns3-test-");
        try
        {
            var binary = Path.Combine(work.FullName, "udpx");
            File.WriteAllBytes(binary, [0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3]);
            var archive = Path.Combine(work.FullName, "lab.gns3project");

            var (exitCode, output) = RunProcess(
                "bash", [Path.Combine(Gns3Dir, "import.sh"), "--dry-run", "--bin", binary, "--archive", archive]);

            Assert.True(exitCode == 0, output);
            Assert.Matches(@"POST http://127\.0\.0\.1:3080/v2/projects/[0-9a-f-]{36}/import\?name=udpx-lab ", output);
            Assert.Contains("/open", output, StringComparison.Ordinal);
            Assert.Contains("/nodes/start", output, StringComparison.Ordinal);
            Assert.Equal(3, CountOccurrences(output, "/files/opt/udpx/udpx"));
            Assert.Contains("nothing was sent", output, StringComparison.Ordinal);

            using var zip = ZipFile.OpenRead(archive);
            var entry = zip.GetEntry("project.gns3");
            Assert.NotNull(entry);
            using (var stream = entry.Open())
            using (var reader = new StreamReader(stream))
            {
                Assert.Equal(File.ReadAllText(ProjectPath), reader.ReadToEnd());
            }

            using var doc = LoadProject();
            foreach (var node in DockerNodes(doc))
            {
                var name = $"project-files/docker/{node.GetProperty("node_id").GetString()}/etc/network/interfaces";
                Assert.NotNull(zip.GetEntry(name));
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void Topology_svg_is_generated_from_the_current_project()
    {
        var (exitCode, output) = RunProcess("python3", [Path.Combine(Gns3Dir, "render-topology.py"), "--check"]);
        Assert.True(exitCode == 0, output);
    }

    private static JsonDocument LoadProject() => JsonDocument.Parse(File.ReadAllText(ProjectPath));

    private static JsonElement.ArrayEnumerator Nodes(JsonDocument doc) =>
        doc.RootElement.GetProperty("topology").GetProperty("nodes").EnumerateArray();

    private static IEnumerable<JsonElement> DockerNodes(JsonDocument doc) =>
        Nodes(doc).Where(node => node.GetProperty("node_type").GetString() == "docker");

    private static string InterfacesPath(JsonElement node) => Path.Combine(
        Gns3Dir, "project-files", node.GetProperty("node_type").GetString() ?? "", node.GetProperty("node_id").GetString() ?? "",
        "etc", "network", "interfaces");

    private static bool PortExists(JsonElement node, int adapter, int port)
    {
        var properties = node.GetProperty("properties");
        switch (node.GetProperty("node_type").GetString())
        {
            case "docker":
            case "qemu":
            case "vpcs":
                var adapters = properties.TryGetProperty("adapters", out var a) ? a.GetInt32() : 1;
                return adapter >= 0 && adapter < adapters && port == 0;
            default:
                // Built-in devices (switch, hub, NAT, cloud): one adapter, ports from ports_mapping.
                return adapter == 0
                    && properties.TryGetProperty("ports_mapping", out var mapping)
                    && mapping.EnumerateArray().Any(p => p.GetProperty("port_number").GetInt32() == port);
        }
    }

    /// <summary>(interface, address, netmask) of each "iface X inet static" stanza, in file order.</summary>
    private static List<(string Iface, string Address, string Netmask)> ParseStaticInterfaces(string[] lines)
    {
        var result = new List<(string, string, string)>();
        string? iface = null;
        string? address = null;
        string? netmask = null;

        void Flush()
        {
            if (iface is not null)
            {
                Assert.False(address is null || netmask is null, $"{iface}: static without address and netmask");
                result.Add((iface, address!, netmask!));
            }

            iface = address = netmask = null;
        }

        foreach (var raw in lines)
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var words = (hash >= 0 ? raw[..hash] : raw).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            switch (words[0])
            {
                case "iface":
                    Flush();
                    if (words.Length >= 4 && words[3] == "static")
                    {
                        iface = words[1];
                    }

                    break;
                case "address" when iface is not null && words.Length >= 2:
                    address = words[1];
                    break;
                case "netmask" when iface is not null && words.Length >= 2:
                    netmask = words[1];
                    break;
                default:
                    break;
            }
        }

        Flush();
        return result;
    }

    private static string Network(IPAddress address, IPAddress mask)
    {
        var a = address.GetAddressBytes();
        var m = mask.GetAddressBytes();
        var network = new byte[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            network[i] = (byte)(a[i] & m[i]);
        }

        return $"{new IPAddress(network)}/{mask}";
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static (int ExitCode, string Output) RunProcess(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within 60 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "udpx.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"udpx.sln not found above {AppContext.BaseDirectory}");
    }
}
