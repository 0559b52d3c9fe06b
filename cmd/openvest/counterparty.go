package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/errcode"
)

// counterpartyCreate runs `openvest counterparty create`.
func counterpartyCreate(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("counterparty create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clientID := fs.String("client-id", "", "the client id of the organization the counterparty belongs to (required)")
	name := fs.String("name", "", "counterparty name (required)")
	if err := parse(fs, args, "client-id", clientID, "name", name); err != nil {
		return err
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		o, err := a.Auth.OrganizationByClientID(ctx, *clientID)
		if errcode.Is(err, errcode.NotFound) {
			return fmt.Errorf("--client-id: no organization has client id %q", *clientID)
		}
		if err != nil {
			return err
		}
		c, err := a.Wallet.CreateCounterparty(ctx, o.ID, *name)
		if e, ok := errcode.As(err); ok {
			return fmt.Errorf("%s", e.Message)
		}
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{
			"counterparty_guid": c.GUID, "name": c.Name, "organization_id": o.ID, "created_at": c.CreatedAt,
		})
	})
}
