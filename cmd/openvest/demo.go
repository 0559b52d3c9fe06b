package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/demo"
)

// serveFlags parses `openvest serve [--demo]`.
func serveFlags(args []string, stderr io.Writer) (withDemo bool, err error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Bool("demo", false, "fill the sandbox organization created on an empty database with demo data")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	return *d, nil
}

// demoData fills org (a sandbox organization) with the demo data.
func demoData(ctx context.Context, a *app.App, org auth.Organization) (demo.Summary, error) {
	sum, err := demo.Fill(ctx, demo.Services{Investing: a.Investing, Trading: a.Trading, Wallet: a.Wallet, Banking: a.Banking}, org)
	if err != nil {
		return sum, fmt.Errorf("fill organization %s with demo data: %w", org.ClientID, err)
	}
	return sum, nil
}

// fillDemo fills the sandbox organization serve just created and says so.
func fillDemo(ctx context.Context, a *app.App, org auth.Organization, stdout io.Writer) error {
	sum, err := demoData(ctx, a, org)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Filled it with demo data: %d investing customers with %d executed purchases and sells, "+
		"wallet counterparty %s with %d customers, %d banking customers (a person and a corporation).\n\n",
		len(sum.InvestingCustomers), len(sum.Requests), sum.Counterparty, len(sum.WalletCustomers), len(sum.BankingCustomers))
	return nil
}
