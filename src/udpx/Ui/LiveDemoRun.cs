using Udpx.Modes;

namespace Udpx.Ui;

/// <summary>
/// A run of the demo scenario, as the demo runner hands it to the UI when asked for one: the transfers
/// to show while it goes, and the task that ends with its summary.
/// </summary>
internal sealed record LiveDemoRun(ConcurrencyMode Mode, int Workers, IReadOnlyList<TransferHandle> Transfers, Task<DemoRunSummary> Completion);
