namespace Udpx.Ui;

/// <summary>One column of a <see cref="TextTable"/>: its header, its least width, and its share of spare width.</summary>
internal sealed record TextColumn(string Header, int Width, bool AlignRight = false, int Grow = 0);
