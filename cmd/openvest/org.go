package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
)

// org runs the `openvest org …` commands. Each prints JSON on stdout.
func org(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := func(synopsis, about string) (*command, *string, *string) {
		c := newCommand(synopsis, about, stdout, stderr)
		return c, c.String("client-id", "", "the organization's client id (required)"), c.String("key-id", "", "the key id signatures name in keyid= (required)")
	}
	return group("org", orgUsage, args, stdout, stderr, map[string]func([]string) error{
		"create": func(args []string) error { return orgCreate(ctx, args, stdout, stderr) },
		"add-key": func(args []string) error {
			c, clientID, keyID := cmd("org add-key --client-id ID --key-id KEYID --public-key FILE", "Register an ed25519 public key (PEM) for signing requests.")
			pubFile := c.String("public-key", "", "PEM file of the ed25519 public key (openssl pkey -pubout) (required)")
			if err := c.parse(args, 0, "client-id", clientID, "key-id", keyID, "public-key", pubFile); err != nil {
				return err
			}
			data, err := os.ReadFile(*pubFile)
			if err != nil {
				return err
			}
			pub, err := httpsig.ParsePublicKey(data)
			if err != nil {
				return fmt.Errorf("--public-key %s: %w", *pubFile, err)
			}
			return withApp(ctx, func(a *app.App) error {
				k, err := a.Auth.AddKey(ctx, *clientID, *keyID, pub)
				if err != nil {
					return err
				}
				return printJSON(stdout, keyJSON(k))
			})
		},
		"keys": func(args []string) error {
			c := newCommand("org keys --client-id ID", "List the organization's signing keys.", stdout, stderr)
			clientID := c.String("client-id", "", "the organization's client id (required)")
			if err := c.parse(args, 0, "client-id", clientID); err != nil {
				return err
			}
			return withApp(ctx, func(a *app.App) error {
				keys, err := a.Auth.Keys(ctx, *clientID)
				if err != nil {
					return err
				}
				out := make([]map[string]any, len(keys))
				for i, k := range keys {
					out[i] = keyJSON(k)
				}
				return printJSON(stdout, out)
			})
		},
		"revoke-key": func(args []string) error {
			c, clientID, keyID := cmd("org revoke-key --client-id ID --key-id KEYID", "Revoke a signing key.")
			if err := c.parse(args, 0, "client-id", clientID, "key-id", keyID); err != nil {
				return err
			}
			return withApp(ctx, func(a *app.App) error {
				if err := a.Auth.RevokeKey(ctx, *clientID, *keyID); err != nil {
					return err
				}
				return printJSON(stdout, map[string]any{"keyId": *keyID, "revoked": true})
			})
		},
		"reset": func(args []string) error {
			c := newCommand("org reset --client-id ID [--demo]", "Delete every resource of a sandbox organization on every surface, in one transaction, keeping its credentials, tokens and signing keys.", stdout, stderr)
			clientID := c.String("client-id", "", "the sandbox organization's client id (required)")
			withDemo := c.Bool("demo", false, "fill it with the demo data again afterwards, in the same transaction")
			if err := c.parse(args, 0, "client-id", clientID); err != nil {
				return err
			}
			return withApp(ctx, func(a *app.App) error {
				o, err := a.Auth.OrganizationByClientID(ctx, *clientID)
				if err != nil {
					return fmt.Errorf("--client-id %s: %w", *clientID, err)
				}
				deleted, err := a.ResetOrganization(ctx, o, *withDemo)
				if err != nil {
					return err
				}
				return printJSON(stdout, map[string]any{"clientId": o.ClientID, "deleted": deleted, "reseededDemo": *withDemo})
			})
		},
		"set-signature-policy": func(args []string) error {
			c := newCommand("org set-signature-policy --client-id ID --policy required|optional", "Demand signatures, or verify them only when present.", stdout, stderr)
			clientID := c.String("client-id", "", "the organization's client id (required)")
			policy := c.String("policy", "", "required or optional (required)")
			if err := c.parse(args, 0, "client-id", clientID, "policy", policy); err != nil {
				return err
			}
			return withApp(ctx, func(a *app.App) error {
				if err := a.Auth.SetSignaturePolicy(ctx, *clientID, auth.Policy(*policy)); err != nil {
					return err
				}
				return printJSON(stdout, map[string]any{"clientId": *clientID, "signaturePolicy": *policy})
			})
		},
	})
}

const orgUsage = `usage:
  openvest org create --name NAME [--investment-types ...] [--default-investment-types ...] [--sandbox [--demo]] [--signature-policy required|optional]
  openvest org add-key --client-id ID --key-id KEYID --public-key FILE
  openvest org keys --client-id ID
  openvest org revoke-key --client-id ID --key-id KEYID
  openvest org reset --client-id ID [--demo]
  openvest org set-signature-policy --client-id ID --policy required|optional

Run openvest org COMMAND --help for the flags of one command.
`

func orgCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newCommand("org create --name NAME [flags]", "Create an organization and print its credentials as JSON.", stdout, stderr)
	name := fs.String("name", "", "organization name (required)")
	types := fs.String("investment-types", "INTERNATIONAL_STOCKS", "comma-separated investment types the organization may trade")
	defaults := fs.String("default-investment-types", "", "comma-separated subset that every new customer gets an account in (default: all of --investment-types)")
	sandbox := fs.Bool("sandbox", false, "make it a sandbox organization")
	withDemo := fs.Bool("demo", false, "fill the new sandbox organization with demo data (with --sandbox only)")
	policy := fs.String("signature-policy", "", "required (default) or optional (default for --sandbox)")
	if err := fs.parse(args, 0, "name", name); err != nil {
		return err
	}
	if *withDemo && !*sandbox {
		return fs.fail(fmt.Errorf("--demo needs --sandbox: demo data goes only into a sandbox organization"))
	}
	its, err := app.ParseInvestmentTypes(*types)
	if err != nil {
		return fmt.Errorf("--investment-types: %w", err)
	}
	var defs []string
	if *defaults != "" {
		if defs, err = app.ParseInvestmentTypes(*defaults); err != nil {
			return fmt.Errorf("--default-investment-types: %w", err)
		}
	}
	return withApp(ctx, func(a *app.App) error {
		o, secret, err := a.Auth.CreateOrganization(ctx, auth.NewOrganization{
			Name: *name, InvestmentTypes: its, DefaultInvestmentTypes: defs, Sandbox: *sandbox, SignaturePolicy: auth.Policy(*policy),
		})
		if err != nil {
			return err
		}
		out := map[string]any{
			"organizationId": o.ID, "clientId": o.ClientID, "clientSecret": secret, "signaturePolicy": o.SignaturePolicy,
		}
		if *withDemo {
			sum, err := demoData(ctx, a, o)
			if err != nil {
				return err
			}
			out["demo"] = sum
		}
		return printJSON(stdout, out)
	})
}

// withApp reads the configuration, opens the app (migrating the
// database), runs fn and closes it.
func withApp(ctx context.Context, fn func(*app.App) error) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func printJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func keyJSON(k auth.SigningKey) map[string]any {
	out := map[string]any{"keyId": k.KeyID, "createdAt": k.CreatedAt.Format(time.RFC3339), "revokedAt": nil}
	if k.RevokedAt != nil {
		out["revokedAt"] = k.RevokedAt.Format(time.RFC3339)
	}
	return out
}
