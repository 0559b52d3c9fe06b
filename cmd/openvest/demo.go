package main

import (
	"context"
	"fmt"
	"io"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/demo"
)

// serveCommand runs `openvest serve [--demo]`.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("serve [--demo] [--no-migrate]", "Run the HTTP service (applies migrations first).", stdout, stderr)
	withDemo := c.Bool("demo", false, "fill the sandbox organization created on an empty database with demo data")
	noMigrate := c.Bool("no-migrate", false, "do not apply pending migrations (as OPENVEST_MIGRATE=false): run `openvest migrate` once per release instead")
	if err := c.parse(args, 0); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	cfg.Scale.NoMigrate = cfg.Scale.NoMigrate || *noMigrate
	return serve(ctx, cfg, *withDemo, stdout)
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
