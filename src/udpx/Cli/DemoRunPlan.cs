using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>What the demo runs, once the command line is checked: the modes in order and the transfers' settings.</summary>
internal sealed record DemoRunPlan(IReadOnlyList<ConcurrencyMode> Modes, int Workers, TransferSettings Settings, double LossPercent);
