package main

import (
	"flag"
	"io"
)

// flagSet is a flag.FlagSet for one subcommand.
type flagSet struct{ *flag.FlagSet }

func newFlagSet(name string, stderr io.Writer) *flagSet { return &flagSet{newFlags(name, stderr)} }
