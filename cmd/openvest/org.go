package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
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
func org(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing org command: create, add-key, keys, revoke-key or set-signature-policy")
	}
	fs := flag.NewFlagSet("org "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	clientID := fs.String("client-id", "", "the organization's client id")
	keyID := fs.String("key-id", "", "the key id signatures name in keyid=")
	switch args[0] {
	case "create":
		return orgCreate(ctx, cfg, args[1:], stdout, stderr)
	case "add-key":
		pubFile := fs.String("public-key", "", "PEM file of the ed25519 public key (openssl pkey -pubout)")
		if err := parse(fs, args[1:], "client-id", clientID, "key-id", keyID, "public-key", pubFile); err != nil {
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
		return withApp(ctx, cfg, func(a *app.App) error {
			k, err := a.Auth.AddKey(ctx, *clientID, *keyID, pub)
			if err != nil {
				return err
			}
			return printJSON(stdout, keyJSON(k))
		})
	case "keys":
		if err := parse(fs, args[1:], "client-id", clientID); err != nil {
			return err
		}
		return withApp(ctx, cfg, func(a *app.App) error {
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
	case "revoke-key":
		if err := parse(fs, args[1:], "client-id", clientID, "key-id", keyID); err != nil {
			return err
		}
		return withApp(ctx, cfg, func(a *app.App) error {
			if err := a.Auth.RevokeKey(ctx, *clientID, *keyID); err != nil {
				return err
			}
			return printJSON(stdout, map[string]any{"keyId": *keyID, "revoked": true})
		})
	case "set-signature-policy":
		policy := fs.String("policy", "", "required or optional")
		if err := parse(fs, args[1:], "client-id", clientID, "policy", policy); err != nil {
			return err
		}
		return withApp(ctx, cfg, func(a *app.App) error {
			if err := a.Auth.SetSignaturePolicy(ctx, *clientID, auth.Policy(*policy)); err != nil {
				return err
			}
			return printJSON(stdout, map[string]any{"clientId": *clientID, "signaturePolicy": *policy})
		})
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown org command %q", args[0])
	}
}

func orgCreate(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "organization name (required)")
	types := fs.String("investment-types", "INTERNATIONAL_STOCKS", "comma-separated investment types the organization may trade")
	defaults := fs.String("default-investment-types", "", "comma-separated subset that every new customer gets an account in (default: all of --investment-types)")
	sandbox := fs.Bool("sandbox", false, "make it a sandbox organization")
	withDemo := fs.Bool("demo", false, "fill the new sandbox organization with demo data (with --sandbox only)")
	policy := fs.String("signature-policy", "", "required (default) or optional (default for --sandbox)")
	if err := parse(fs, args, "name", name); err != nil {
		return err
	}
	if *withDemo && !*sandbox {
		return errors.New("--demo needs --sandbox: demo data goes only into a sandbox organization")
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
	return withApp(ctx, cfg, func(a *app.App) error {
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

// parse parses the flags and checks that each named flag (name, value
// pairs; values are pointers) was given.
func parse(fs *flag.FlagSet, args []string, required ...any) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for i := 0; i+1 < len(required); i += 2 {
		if p, ok := required[i+1].(*string); ok && *p == "" {
			return fmt.Errorf("--%s is required", required[i])
		}
	}
	return nil
}

func withApp(ctx context.Context, cfg config.Config, fn func(*app.App) error) error {
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
