using System.CommandLine;
using Udpx.Cli;
using Udpx.Common;

namespace Udpx.Tests.Integration;

/// <summary>
/// Every option of every verb of the real command tree, given what a careless or hostile user types for a
/// number: the parser refuses it with one line and exit code 2, or takes it; nothing throws. The verbs'
/// actions are replaced by a stub, so that a value the parser takes starts no server and sends nothing.
/// </summary>
public sealed class EveryOptionTests
{
    private const int Taken = 99;

    private static readonly string[] BadValues = ["abc", "1e3", "99999999999", "-99999999999", ""];

    /// <summary>A command line each verb takes as it is; the option under test is added after it.</summary>
    private static readonly Dictionary<string, string[]> Valid = new(StringComparer.Ordinal)
    {
        ["serve"] = [],
        ["send"] = ["f", "--to", "127.0.0.1:1"],
        ["get"] = ["--tftp", "127.0.0.1:1", "x"],
        ["demo"] = [],
        ["relay"] = ["--listen", "127.0.0.1:0", "--to", "127.0.0.1:1"],
        ["keygen"] = ["k"],
        ["bench"] = [],
        ["worker"] = [],
        ["ui-preview"] = [],
    };

    [Fact]
    public async Task Every_verb_takes_its_valid_command_line()
    {
        foreach (var verb in CommandLineApp.BuildRoot([]).Subcommands)
        {
            Assert.True(Valid.ContainsKey(verb.Name), "no valid command line for '" + verb.Name + "' in " + nameof(Valid));
            var (exit, errors) = await RunAsync([verb.Name, .. Valid[verb.Name]]);
            Assert.True(exit == Taken, "udpx " + verb.Name + " " + string.Join(' ', Valid[verb.Name]) + ": exit " + exit + ", " + errors);
        }
    }

    [Fact]
    public async Task Every_option_refuses_a_bad_value_in_one_line_with_exit_code_2_or_takes_it()
    {
        var wrong = new List<string>();
        foreach (var verb in CommandLineApp.BuildRoot([]).Subcommands)
        {
            foreach (var option in verb.Options)
            {
                foreach (string value in BadValues)
                {
                    string[] args = [verb.Name, .. Valid[verb.Name], option.Name, value];
                    string shown = "udpx " + string.Join(' ', args.Select(a => a.Length == 0 ? "''" : a));
                    int exit;
                    string errors;
                    try
                    {
                        (exit, errors) = await RunAsync(args);
                    }
                    catch (Exception ex)
                    {
                        wrong.Add(shown + ": threw " + ex.GetType().Name + ": " + ex.Message.Split('\n')[0]);
                        continue;
                    }
                    string[] lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                    if (exit == Taken)
                    {
                        if (IsWholeNumber(option))
                        {
                            wrong.Add(shown + ": a whole-number option took it");
                        }
                        else if (value.Length == 0 && IsText(option))
                        {
                            wrong.Add(shown + ": a path or address option took an empty one");
                        }
                        continue;
                    }
                    if (exit != ExitCodes.Usage)
                    {
                        wrong.Add(shown + ": exit " + exit + ", not " + ExitCodes.Usage);
                    }
                    if (lines.Length != 1)
                    {
                        wrong.Add(shown + ": " + lines.Length + " lines on stderr: " + errors);
                    }
                    else if (lines[0].Contains("System.", StringComparison.Ordinal) || lines[0].Contains("Int32", StringComparison.Ordinal))
                    {
                        wrong.Add(shown + ": a .NET name in " + lines[0]);
                    }
                }
            }
        }

        Assert.True(wrong.Count == 0, wrong.Count + " bad answers:\n" + string.Join('\n', wrong));
    }

    [Theory]
    [InlineData("serve", "--max-sessions", "1e3", "--max-sessions expects a whole number, got '1e3'")]
    [InlineData("serve", "--max-sessions", "0", "--max-sessions must be at least 1, got 0")]
    [InlineData("serve", "--receive-threads", "1e3", "--receive-threads expects a whole number, got '1e3'")]
    [InlineData("send", "--datagram-size", "99999999999", "--datagram-size must be between 512 and 65507 bytes, got 99999999999")]
    [InlineData("relay", "--seed", "abc", "--seed expects a whole number, got 'abc'")]
    [InlineData("bench", "--workers", "-3", "--workers must be between 1 and 4096, got -3")]
    public async Task A_bad_whole_number_is_named_in_words(string verb, string option, string value, string message)
    {
        var (exit, errors) = await RunAsync([verb, .. Valid[verb], option, value]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("udpx " + verb + ": " + message + " (see 'udpx " + verb + " --help')", errors.TrimEnd());
    }

    [Theory]
    [InlineData("udpx keygen: <file> expects a path, got ''", "keygen", "")]
    [InlineData("udpx send: <files> expects a path, got ''", "send", "a", "", "--to", "127.0.0.1:1")]
    [InlineData("udpx serve: --out expects a path, got ''", "serve", "--out", "")]
    [InlineData("udpx serve: --key-file expects a path, got ''", "serve", "--key-file", "")]
    [InlineData("udpx serve: --tftp expects an IP address to listen on, with or without a port, such as 0.0.0.0 or 127.0.0.1:6969, got ''", "serve", "--tftp", "")]
    public async Task An_empty_path_is_a_usage_error_named_after_its_flag(string message, params string[] args)
    {
        var (exit, errors) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal(message + " (see 'udpx " + args[0] + " --help')", errors.TrimEnd());
    }

    /// <summary>An option whose values are paths or an address as text: none is empty.</summary>
    private static bool IsText(Option option) => option.ValueType == typeof(string) || option.ValueType == typeof(string[]);

    /// <summary>An option whose values are plain whole numbers: none of <see cref="BadValues"/> is one in range of an int.</summary>
    private static bool IsWholeNumber(Option option) => option.ValueType == typeof(int) || option.ValueType == typeof(int?) || option.ValueType == typeof(int[]);

    private static async Task<(int Exit, string Errors)> RunAsync(string[] args)
    {
        var errors = new StringWriter();
        int exit = await CommandLineApp.RunAsync(args, () => Taken, Stubbed, errors);
        return (exit, errors.ToString());
    }

    private static RootCommand Stubbed(string[] args)
    {
        var root = CommandLineApp.BuildRoot(args);
        foreach (var verb in root.Subcommands)
        {
            verb.SetAction(_ => Taken);
        }
        return root;
    }
}
