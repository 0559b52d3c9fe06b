package app_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestRevocationAcrossReplicas: a token and a signing key revoked through
// one replica are refused by another that had them cached, long before the
// cache TTL (one hour here), through the LISTEN/NOTIFY invalidation.
func TestRevocationAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := testdb.FreshURL(t)
	cfg := config.Config{DatabaseURL: url, DBMaxConns: 4, TokenTTL: time.Hour, AuthCacheTTL: time.Hour, Scale: config.Scale{Pooler: config.PoolerNone, JobMaxConns: 4}}
	open := func() *app.App {
		a, err := app.OpenWith(t.Context(), cfg, slog.New(slog.DiscardHandler), app.Options{Jobs: apitest.TestJobs()})
		require.NoError(t, err)
		require.NoError(t, a.Start(context.Background()))
		t.Cleanup(func() { require.NoError(t, a.Close()) })
		return a
	}
	one, two := open(), open()
	ctx := t.Context()
	o, secret, err := one.Auth.CreateOrganization(ctx, auth.NewOrganization{Name: "Replicas", InvestmentTypes: []string{"INTERNATIONAL_STOCKS"}, Sandbox: true})
	require.NoError(t, err)
	tok, _, err := one.Auth.IssueToken(ctx, o.ClientID, secret)
	require.NoError(t, err)
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	_, err = one.Auth.AddKey(ctx, o.ClientID, "k1", pub)
	require.NoError(t, err)

	// Replica two caches both.
	p, err := two.Auth.Authenticate(ctx, tok.Secret, o.ClientID)
	require.NoError(t, err)
	_, err = two.Auth.VerificationKey(ctx, o.ID, "k1")
	require.NoError(t, err)

	require.NoError(t, one.Auth.Revoke(ctx, p, nil))
	require.NoError(t, one.Auth.RevokeKey(ctx, o.ClientID, "k1"))
	require.Eventually(t, func() bool {
		_, err := two.Auth.Authenticate(ctx, tok.Secret, o.ClientID)
		return err != nil
	}, 5*time.Second, 5*time.Millisecond, "the revoked token is refused by the other replica")
	require.Eventually(t, func() bool {
		_, err := two.Auth.VerificationKey(ctx, o.ID, "k1")
		return err != nil
	}, 5*time.Second, 5*time.Millisecond, "the revoked key is refused by the other replica")
	_, err = two.Auth.Authenticate(ctx, tok.Secret, o.ClientID)
	require.ErrorContains(t, err, "was revoked")
}
