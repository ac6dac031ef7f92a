package main

import (
	"encoding/json"
	"io"

	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
)

func init() {
	register("machine", "describe this machine: CPU, cores, clocks, caches, ISA, memory, OS, GPUs", cmdMachine)
}

func cmdMachine(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("machine", stderr)
	format := fs.String("format", "text", "output format: text or json")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "machine: unexpected argument %q", fs.Arg(0))
	}
	d := peak.Described(peak.DefaultDir()) // with the L3 reach nbench peak measured, if any
	switch *format {
	case "text":
		d.WriteText(stdout)
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			ID string `json:"id"`
			machine.Description
		}{d.ID(), d})
	default:
		return usageErr(stderr, "--format=%q: valid values are text, json", *format)
	}
	return exitOK
}
