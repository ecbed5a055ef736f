// Command areagraph serves the area graph over GraphQL and manages its
// PostGIS database.
//
//	areagraph [serve]   serve GraphQL (the default); the Borås demo without DATABASE_URL
//	areagraph migrate   apply the database migrations
//	areagraph seed      load the Borås demo into the database
//	areagraph import    import areas (GeoJSON) or indicator values (CSV)
//	areagraph export    export areas, indicator values or a whole dataset file
//	areagraph keys      create, list and revoke API keys
//
// main only wires signals to a context; the work is in Main, which tests
// call directly.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "areagraph:", err)
		os.Exit(1)
	}
}
