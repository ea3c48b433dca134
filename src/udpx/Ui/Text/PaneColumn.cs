namespace Udpx.Ui.Text;

/// <summary>One column of a <see cref="PaneTable"/>: its header, its least width, and its share of spare width.</summary>
internal sealed record PaneColumn(string Header, int Width, bool AlignRight = false, int Grow = 0);
