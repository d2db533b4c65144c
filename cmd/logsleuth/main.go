// Command logsleuth is a log forensics analyzer for Linux servers.
package main

import "os"

func main() { os.Exit(Main()) }
