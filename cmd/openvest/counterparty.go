package main

import (
	"context"
	"fmt"
	"io"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/errcode"
)

// counterpartyCreate runs `openvest counterparty create`.
func counterpartyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newCommand("counterparty create --client-id ID --name NAME", "Create a wallet counterparty of the organization with this client id and print it as JSON.", stdout, stderr)
	clientID := fs.String("client-id", "", "the client id of the organization the counterparty belongs to (required)")
	name := fs.String("name", "", "counterparty name (required)")
	if err := fs.parse(args, 0, "client-id", clientID, "name", name); err != nil {
		return err
	}
	return withApp(ctx, func(a *app.App) error {
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
