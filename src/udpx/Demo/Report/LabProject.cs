using System.Text.Json;

namespace Udpx.Demo.Report;

/// <summary>
/// The GNS3 lab as the binary carries it: gns3/udpx-lab.gns3 (nodes and links read from its JSON) and
/// gns3/topology.svg, the picture gns3/render-topology.py draws from that file.
/// </summary>
internal sealed record LabProject(string Name, string Gns3Version, IReadOnlyList<LabNode> Nodes, IReadOnlyList<LabLink> Links, string TopologySvg)
{
    public static LabProject Embedded()
    {
        using var project = JsonDocument.Parse(Resource("udpx.gns3.udpx-lab.gns3"));
        var root = project.RootElement;
        var topology = root.GetProperty("topology");
        var nodes = new List<LabNode>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in topology.GetProperty("nodes").EnumerateArray())
        {
            string id = node.GetProperty("node_id").GetString() ?? string.Empty;
            string name = node.GetProperty("name").GetString() ?? id;
            string image = node.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("image", out var i) ? i.GetString() ?? string.Empty : string.Empty;
            names[id] = name;
            nodes.Add(new LabNode(name, node.GetProperty("node_type").GetString() ?? string.Empty, image));
        }
        var links = new List<LabLink>();
        foreach (var link in topology.GetProperty("links").EnumerateArray())
        {
            var ends = link.GetProperty("nodes").EnumerateArray().Select(e => End(e, names)).ToList();
            if (ends.Count == 2)
            {
                links.Add(new LabLink(ends[0], ends[1]));
            }
        }
        return new LabProject(
            root.GetProperty("name").GetString() ?? "udpx-lab",
            root.TryGetProperty("version", out var v) ? v.GetString() ?? string.Empty : string.Empty,
            nodes,
            links,
            WithoutXmlDeclaration(Resource("udpx.gns3.topology.svg")));
    }

    private static string End(JsonElement end, Dictionary<string, string> names)
    {
        string node = names.TryGetValue(end.GetProperty("node_id").GetString() ?? string.Empty, out string? n) ? n : "?";
        string port = end.TryGetProperty("label", out var label) && label.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty : string.Empty;
        return port.Length > 0 ? node + " " + port : node;
    }

    /// <summary>The SVG as an element to put inside HTML: no "&lt;?xml ...?&gt;" line.</summary>
    internal static string WithoutXmlDeclaration(string svg)
    {
        string trimmed = svg.TrimStart();
        if (trimmed.StartsWith("<?xml", StringComparison.Ordinal))
        {
            int end = trimmed.IndexOf("?>", StringComparison.Ordinal);
            trimmed = end < 0 ? trimmed : trimmed[(end + 2)..].TrimStart();
        }
        return trimmed;
    }

    private static string Resource(string name)
    {
        using var stream = typeof(LabProject).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(name + " is missing from the binary");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>A node of the GNS3 project: its name, node type ("docker", "ethernet_switch", "nat") and image.</summary>
internal sealed record LabNode(string Name, string Type, string Image);

/// <summary>A link of the GNS3 project, each end as "node port".</summary>
internal sealed record LabLink(string From, string To);
