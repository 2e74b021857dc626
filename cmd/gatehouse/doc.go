// Command gatehouse is the Gatehouse OpenID Provider. Its subcommands parse
// flags, load the configuration, wire the parts together and run them;
// everything else lives in the packages they call.
package main
