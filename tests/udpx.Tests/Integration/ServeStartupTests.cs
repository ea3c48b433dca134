using System.Text.Json;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>`udpx serve` (the real binary) as it starts: its "listening" event names the folder alone.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeStartupTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new();

    private string Out => _folder.File("received");

    [Fact]
    public async Task The_listening_event_names_the_folder_alone_and_each_other_fact_in_its_own_field()
    {
        using var server = UdpxChild.Start(null, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--json", "--headless", "--receive-threads", "2", "--allow-hidden");
        await server.WaitForEventAsync(e => e.Event == "listening", Limit);

        using var listening = JsonDocument.Parse(server.Lines.First(l => l.Contains("\"listening\"", StringComparison.Ordinal)));
        var e = listening.RootElement;
        Assert.Equal(Out, e.GetProperty("folder").GetString());
        Assert.True(e.GetProperty("created").GetBoolean());
        Assert.False(e.GetProperty("overwrite").GetBoolean());
        Assert.True(e.GetProperty("allowHidden").GetBoolean());
        Assert.Equal(2, e.GetProperty("receiveThreads").GetInt32());
    }

    public void Dispose() => _folder.Dispose();
}
