// Command mqscope is a terminal inspector for RabbitMQ services that follow
// the Neon MQ conventions: watch live queues, send a Neon request and see its
// reply, copy a payload. See README.md for every subcommand; the commands
// live in package cli, the terminal UI in package ui.
package main

import (
	"os"

	"mqscope/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
