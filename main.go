// Command mqscope is a terminal inspector for RabbitMQ services that follow
// the Neon MQ conventions: watch live queues, send a Neon request and see its
// reply, copy a payload. See README.md for every subcommand; the commands
// live in package cli, the terminal UI in package ui.
package main

import (
	"os"

	"mqscope/cli"
	"mqscope/internal/procs"
)

func main() {
	// One P while one keeps up (package procs says why); the program's
	// choice, not the library's or the in-process tests'.
	stopGoverning := procs.Govern()
	code := cli.Main(os.Args[1:], os.Stdout, os.Stderr)
	stopGoverning()
	os.Exit(code)
}
