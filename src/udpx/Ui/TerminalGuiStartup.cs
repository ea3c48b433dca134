using System.Runtime.CompilerServices;

namespace Udpx.Ui;

/// <summary>
/// Terminal.Gui applies its configuration from a module initializer, which a native binary runs at every
/// start: 14 ms of the 25 ms that `udpx --version` took, paid again by every worker process that never
/// draws a thing. The native build stubs that initializer (build/terminal-gui.substitutions.xml) and the
/// terminal UI runs it here, once, before it makes its first view.
/// </summary>
internal static class TerminalGuiStartup
{
    private static int _applied;

    public static void EnsureConfigured()
    {
        // Under the JIT (tests, `dotnet run`) the initializer was not stubbed and has already run.
        if (RuntimeFeature.IsDynamicCodeSupported || Interlocked.Exchange(ref _applied, 1) != 0)
        {
            return;
        }
        InitializeConfiguration(null);
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "InitializeConfiguration")]
    private static extern void InitializeConfiguration([UnsafeAccessorType("Terminal.Gui.ModuleInitializers, Terminal.Gui")] object? declaringType);
}
