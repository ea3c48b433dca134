using Udpx.Modes;

namespace Udpx.Ui.Models;

/// <summary>A finished run of the demo: its summary, or why there is none.</summary>
internal sealed record DemoResult(int Run, ConcurrencyMode Mode, DemoRunSummary? Summary, string Error);
