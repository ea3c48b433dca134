using System.Text.RegularExpressions;
using System.Xml.Linq;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Demo;

/// <summary>`udpx demo --report DIR`: the page holds what the assignment asks for, loads nothing, and renders in chromium.</summary>
public sealed partial class LabReportTests(LabReportFixture demo) : IClassFixture<LabReportFixture>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void The_demo_downloads_sends_through_lossy_relays_and_names_the_report()
    {
        Assert.True(demo.ExitCode == 0, demo.Error + demo.Output);
        Assert.Matches(@"downloaded http://127\.0\.0\.1:\d+/mandelbrot\.png: 299 KiB in ", demo.Output);
        Assert.Matches(@"downloaded http://127\.0\.0\.1:\d+/waves\.png: 882 KiB in ", demo.Output);
        Assert.Contains("each dropping 10% of the datagrams each way", demo.Output, StringComparison.Ordinal);
        var drops = RelayDrops().Matches(demo.Output).Select(m => long.Parse(m.Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, drops.Count);
        Assert.All(drops, d => Assert.True(d > 0));
        Assert.Contains("report: " + demo.ReportPath, demo.Output, StringComparison.Ordinal);
        // Only the report in the folder: nothing temporary left beside it.
        Assert.Equal(["report.html"], Directory.GetFiles(demo.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void The_page_has_every_section_the_assignment_asks_for()
    {
        string html = demo.Html;
        foreach (string id in new[] { "case", "topology", "setup", "results", "timelines", "streams", "versions" })
        {
            Assert.Contains("<section id=\"" + id + "\">", html, StringComparison.Ordinal);
        }
        // The GNS3 project's nodes and links, and its picture inline.
        foreach (string node in new[] { "client", "server1", "server2", "switch", "nat" })
        {
            Assert.Contains("<tr><td>" + node + "</td>", html, StringComparison.Ordinal);
        }
        Assert.Contains("<td>client eth0</td><td>switch e0</td>", html, StringComparison.Ordinal);
        Assert.Contains("<title>GNS3 project udpx-lab</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<?xml", html, StringComparison.Ordinal);
        // The modes run, each file identical, the retransmissions counted.
        Assert.Matches(@"<tr><td><code>process</code></td><td class=""n"">one each</td>", html);
        Assert.Matches(@"<tr><td><code>thread</code></td>", html);
        Assert.Equal(2, Regex.Count(html, @"<td class=""ok"">2/2 identical</td>"));
        Assert.Contains("<th class=\"n\">dropped by relays</th>", html, StringComparison.Ordinal);
        // Each server's first datagrams of each run, as the lab servers printed them: sender, chunk, bytes so far,
        // length, first bytes. (Which chunks: the relays may have dropped any, chunk 0 included.)
        Assert.Equal(4 * 12, Regex.Count(html, @"<td>127\.0\.0\.1:\d+</td><td class=""n"">\d+</td><td class=""n"">[\d,]+</td><td class=""n"">\d+</td><td>([0-9a-f]{2} ){7}[0-9a-f]{2}</td>"));
        Assert.Contains("<th>kernel</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_chart_is_valid_svg_with_a_size_and_the_timelines_have_a_line_per_mode()
    {
        var svgs = SvgElement().Matches(demo.Html).Select(m => XElement.Parse(m.Value)).ToList();

        // The topology, the modes' bars, then throughput and RTT for each of the two servers.
        Assert.Equal(6, svgs.Count);
        Assert.All(svgs, s => Assert.True(double.Parse(s.Attribute("width")?.Value ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.All(svgs, s => Assert.NotNull(s.Attribute("height")));
        var timelines = svgs.Skip(2).ToList();
        Assert.All(timelines, s => Assert.Equal(["process", "thread"], s.Elements(Svg + "polyline").Select(l => l.Element(Svg + "title")!.Value)));
        // Throughput lines start at (0, 0) and have a point per sample; RTT lines start at the first acknowledgement.
        Assert.All(timelines.Where((_, i) => i % 2 == 0), s => Assert.All(s.Elements(Svg + "polyline"), l => Assert.True(l.Attribute("points")!.Value.Split(' ').Length >= 2)));
        Assert.All(timelines.Where((_, i) => i % 2 == 1), s => Assert.All(s.Elements(Svg + "polyline"), l => Assert.True(l.Attribute("points")!.Value.Length > 0)));
    }

    [Fact]
    public void The_page_loads_nothing_from_anywhere()
    {
        string html = demo.Html;
        Assert.DoesNotMatch(@"<(script|link|iframe|img|object|embed)[\s>]", html);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\s(src|href)=", html);
    }

    [SkippableFact]
    public void Headless_chromium_renders_it_with_a_size_for_every_chart_and_no_error()
    {
        Skip.IfNot(SystemCommand.Exists("chromium"), "chromium is not installed (Debian package chromium; .ci/run installs it)");
        string script = Path.Combine(Gns3.Tshark.RepoRoot(), "build", "check-report.sh");
        string shot = Path.Combine(demo.Folder, "..", "report.png");

        var (code, output) = SystemCommand.Run("bash", [script, demo.ReportPath, shot]);

        Assert.True(code == 0, output);
        Assert.Contains("check-report: 6 charts", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(shot).Length > 10_000, output);
    }

    [GeneratedRegex(@"the relays dropped ([\d,]+) datagrams")]
    private static partial Regex RelayDrops();

    [GeneratedRegex(@"<svg\b.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();
}
