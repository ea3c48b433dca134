using System.CommandLine;
using System.CommandLine.Parsing;
using Udpx.Common;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>
/// Options whose values are read once, at the edge, by the grammar in Common: a bad value is a parse error of
/// one line naming the flag ("--rate expects bytes per second ..."), and exit code 2 like every usage error.
/// Ranges are part of the grammar, not validators: an option's validator runs before its value is converted,
/// and reading a value that failed to convert throws (System.CommandLine 2.0), which escaped as a stack trace
/// for "--workers 1e3".
/// </summary>
internal static class TypedOption
{
    /// <summary>An option with one value read by <paramref name="parse"/>.</summary>
    public static Option<T> Of<T>(string name, string? alias, string description, ValueParser<T> parse, Func<T>? defaultValue = null)
    {
        var option = alias is null ? new Option<T>(name) : new Option<T>(name, alias);
        option.Description = description;
        option.CustomParser = result => Read(name, result.Tokens.Count > 0 ? result.Tokens[^1].Value : null, result, parse, defaultValue);
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue();
        }
        return option;
    }

    /// <summary>A repeatable option, every value read by <paramref name="parse"/>.</summary>
    public static Option<T[]> Many<T>(string name, string? alias, string description, ValueParser<T> parse)
    {
        var option = alias is null ? new Option<T[]>(name) : new Option<T[]>(name, alias);
        option.Description = description;
        option.AllowMultipleArgumentsPerToken = false;
        option.CustomParser = result =>
        {
            var values = new T[result.Tokens.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Read(name, result.Tokens[i].Value, result, parse, null)!;
            }
            return values;
        };
        return option;
    }

    /// <summary>A file or folder (<see cref="OptionValues.Path"/>); <paramref name="defaultValue"/> when absent.</summary>
    public static Option<string> Path(string name, string? alias, string description, Func<string>? defaultValue = null) =>
        Of(name, alias, description, OptionValues.Path, defaultValue);

    /// <summary>Positional values, each read by <paramref name="parse"/>; a bad one is named by the argument's help name ("&lt;file&gt;").</summary>
    public static Argument<T[]> Arguments<T>(string name, string description, ArgumentArity arity, ValueParser<T> parse)
    {
        var argument = new Argument<T[]>(name) { Description = description, Arity = arity };
        argument.CustomParser = result =>
        {
            var values = new T[result.Tokens.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Read("<" + name + ">", result.Tokens[i].Value, result, parse, null)!;
            }
            return values;
        };
        return argument;
    }

    /// <summary>One positional value read by <paramref name="parse"/>.</summary>
    public static Argument<T> Argument<T>(string name, string description, ValueParser<T> parse)
    {
        var argument = new Argument<T>(name) { Description = description };
        argument.CustomParser = result => Read<T>("<" + name + ">", result.Tokens.Count > 0 ? result.Tokens[^1].Value : null, result, parse, null);
        return argument;
    }

    /// <summary>The concurrency modes by name, listed in help and completion.</summary>
    public static Option<T> Modes<T>(this Option<T> option)
    {
        option.HelpName = string.Join('|', ConcurrencyModeNames.All);
        option.CompletionSources.Add(ConcurrencyModeNames.All);
        return option;
    }

    private static T? Read<T>(string name, string? text, ArgumentResult result, ValueParser<T> parse, Func<T>? defaultValue)
    {
        if (text is null)
        {
            return defaultValue is null ? default : defaultValue();
        }
        if (parse(text, out var value, out string error))
        {
            return value;
        }
        result.AddError(name + " " + error);
        return default;
    }
}
