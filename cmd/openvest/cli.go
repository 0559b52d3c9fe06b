package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// errHelp means the usage was asked for (-h, --help) and printed on
// stdout: the command does nothing else and run returns nil.
var errHelp = errors.New("help requested")

// usageError is a command-line mistake (unknown command or flag, missing
// flag or argument): the usage went to stderr and main exits 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode is the process exit status for what run returned.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// command is the flag set of one (sub)command with its synopsis, so that
// --help and mistakes print the same usage.
type command struct {
	*flag.FlagSet
	synopsis       string // e.g. "org keys --client-id ID"
	about          string // one line on what it does
	stdout, stderr io.Writer
}

func newCommand(synopsis, about string, stdout, stderr io.Writer) *command {
	name, _, _ := strings.Cut(synopsis, " -")
	fs := flag.NewFlagSet(strings.TrimSpace(name), flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself
	fs.Usage = func() {}
	return &command{FlagSet: fs, synopsis: synopsis, about: about, stdout: stdout, stderr: stderr}
}

func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: openvest %s\n\n%s\n", c.synopsis, c.about)
	n := 0
	c.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nflags:\n")
		c.SetOutput(w)
		c.PrintDefaults()
		c.SetOutput(io.Discard)
	}
}

// parse parses the flags. -h/--help prints the usage on stdout and returns
// errHelp; a bad flag, a missing required flag (name, pointer pairs) or a
// wrong number of arguments (nargs; -1 means any) prints the usage on
// stderr and returns a usageError.
func (c *command) parse(args []string, nargs int, required ...any) error {
	if err := c.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(c.stdout)
			return errHelp
		}
		return c.fail(err)
	}
	for i := 0; i+1 < len(required); i += 2 {
		if p, ok := required[i+1].(*string); ok && *p == "" {
			return c.fail(fmt.Errorf("--%s is required", required[i]))
		}
	}
	if nargs >= 0 && c.NArg() != nargs {
		if nargs == 0 {
			return c.fail(fmt.Errorf("unexpected argument %q", c.Arg(0)))
		}
		return c.fail(fmt.Errorf("give exactly %d argument(s) after the flags, got %d", nargs, c.NArg()))
	}
	return nil
}

// fail prints the usage on stderr; main prints the error after it.
func (c *command) fail(err error) error {
	c.usage(c.stderr)
	return usageError{fmt.Errorf("%s: %w", c.Name(), err)}
}

// group dispatches `openvest NAME SUB …` to its subcommands; `openvest
// NAME --help` prints the group's usage.
func group(name, text string, args []string, stdout, stderr io.Writer, subs map[string]func([]string) error) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, text)
		return usageErrorf("missing %s command", name)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, text)
		return errHelp
	}
	sub, ok := subs[args[0]]
	if !ok {
		fmt.Fprint(stderr, text)
		return usageErrorf("unknown %s command %q", name, args[0])
	}
	return sub(args[1:])
}

// version and commit may be set at build time (-ldflags "-X
// main.version=v1.2.3 -X main.commit=abc123", as the Dockerfile does);
// otherwise they come from the build info (module version, vcs.revision).
var version, commit = "", ""

// buildVersion is the version of this binary (the first word of versionText's).
func buildVersion() string {
	v, _, _ := strings.Cut(strings.TrimPrefix(versionText(), "openvest "), "\n")
	return v
}

// versionText is the version, the commit and the Go version the binary
// was built with, from runtime/debug build info.
func versionText() string {
	v, rev0, goVersion := version, commit, "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		var rev, at, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev0 == "" && rev != "" {
			rev0 = rev
			if modified == "true" {
				rev0 += " (modified)"
			}
			if at != "" {
				rev0 += " " + at
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev0 == "" {
		rev0 = "unknown"
	}
	return fmt.Sprintf("openvest %s\ncommit %s\ngo %s\n", v, rev0, goVersion)
}
