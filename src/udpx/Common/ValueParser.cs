namespace Udpx.Common;

/// <summary>
/// Reads one value of the command-line grammar; on failure <paramref name="error"/> is the rest of a one-line
/// message that follows the flag's name ("--loss" + " must be between 0 and 100, got 120").
/// </summary>
internal delegate bool ValueParser<T>(string text, out T value, out string error);
