package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testclock"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "auth") }

const ttl = time.Hour

type bundle struct {
	ctx   context.Context
	s     *store.Store
	clock *testclock.Clock
	svc   *auth.Service
}

// setup returns a service on the package PostgreSQL database.
func setup(t *testing.T) bundle { return setupOn(t, testdb.Postgres(t)) }

func setupOn(t *testing.T, s *store.Store) bundle {
	t.Helper()
	clk := testclock.New(time.Date(2033, 7, 8, 9, 10, 11, 121314151, time.FixedZone("CAT", 2*60*60)))
	return bundle{ctx: t.Context(), s: s, clock: clk, svc: auth.NewService(s.Auth(), clk.Now, ttl)}
}

type orgOpts struct {
	InvestmentTypes []string
}

// tenant is an organization with its secret.
type tenant struct {
	org    auth.Organization
	secret string
}

func (b bundle) tenant(t *testing.T, o orgOpts) tenant {
	t.Helper()
	org, secret, err := b.svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: t.Name(), InvestmentTypes: o.InvestmentTypes})
	require.NoError(t, err)
	return tenant{org: org, secret: secret}
}

// login issues a token for the tenant and authenticates with it.
func (b bundle) login(t *testing.T, tn tenant) (auth.Token, auth.Principal) {
	t.Helper()
	tok, _, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
	require.NoError(t, err)
	p, err := b.svc.Authenticate(b.ctx, tok.Secret, tn.org.ClientID)
	require.NoError(t, err)
	return tok, p
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org, secret, err := b.svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: "Acme", InvestmentTypes: []string{"CRYPTO", "BONDS"}, DefaultInvestmentTypes: []string{"BONDS"}})
	require.NoError(t, err)
	require.NotZero(t, org.ID)
	require.NotEmpty(t, org.ClientID)
	require.Equal(t, "Acme", org.Name)
	require.Equal(t, time.Date(2033, 7, 8, 7, 10, 11, 121314000, time.UTC), org.CreatedAt)
	require.GreaterOrEqual(t, len(secret), 32)

	// Only the secret's hash is stored.
	var stored []byte
	require.NoError(t, b.s.DB.Raw("SELECT client_secret_hash FROM organizations WHERE id = ?", org.ID).Row().Scan(&stored))
	require.Equal(t, auth.Hash(secret), stored)
	require.NotEqual(t, []byte(secret), stored)
	require.NotContains(t, string(stored), secret)

	again, secret2, err := b.svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: "Acme"})
	require.NoError(t, err)
	require.NotEqual(t, org.ClientID, again.ClientID)
	require.NotEqual(t, secret, secret2)

	_, _, err = b.svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: "  "})
	requireCode(t, err, errcode.Invalid)
	_, _, err = b.svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: "X", InvestmentTypes: []string{"BONDS"}, DefaultInvestmentTypes: []string{"CRYPTO"}})
	requireCode(t, err, errcode.Invalid)
}

func TestIssueToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant(t, orgOpts{InvestmentTypes: []string{"BONDS"}})

	tok, org, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
	require.NoError(t, err)
	require.NotZero(t, tok.ID)
	require.NotEmpty(t, tok.Secret)
	require.Equal(t, auth.Hash(tok.Secret), tok.Hash)
	require.Equal(t, tn.org.ID, tok.OrganizationID)
	require.Equal(t, b.clock.Now().UTC().Truncate(time.Microsecond), tok.CreatedAt)
	require.Equal(t, tok.CreatedAt.Add(ttl), tok.ExpiresAt)
	require.Equal(t, tn.org.ID, org.ID)
	require.Equal(t, []string{"BONDS"}, org.InvestmentTypes)

	second, _, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
	require.NoError(t, err)
	require.NotEqual(t, tok.Secret, second.Secret)
	require.NotEqual(t, tok.ID, second.ID)

	// A wrong secret and an unknown client are refused alike.
	_, _, wrongSecret := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret+"x")
	_, _, unknownClient := b.svc.IssueToken(b.ctx, "ov_client_nobody", tn.secret)
	_, _, empty := b.svc.IssueToken(b.ctx, tn.org.ClientID, "")
	e1 := requireCode(t, wrongSecret, errcode.Unauthenticated)
	e2 := requireCode(t, unknownClient, errcode.Unauthenticated)
	e3 := requireCode(t, empty, errcode.Unauthenticated)
	require.Equal(t, e1.Message, e2.Message)
	require.Equal(t, e1.Message, e3.Message)

	// Another organization's secret does not open this one.
	other := b.tenant(t, orgOpts{})
	_, _, err = b.svc.IssueToken(b.ctx, tn.org.ClientID, other.secret)
	requireCode(t, err, errcode.Unauthenticated)
}

func TestTTLIsCapped(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	require.Equal(t, auth.MaxTTL, auth.NewService(s.Auth(), time.Now, 48*time.Hour).TTL())
	require.Equal(t, time.Minute, auth.NewService(s.Auth(), time.Now, time.Minute).TTL())
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	t.Run("ok", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tn := b.tenant(t, orgOpts{InvestmentTypes: []string{"BONDS", "CRYPTO"}})
		tok, _, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
		require.NoError(t, err)

		p, err := b.svc.Authenticate(b.ctx, tok.Secret, tn.org.ClientID)
		require.NoError(t, err)
		require.Equal(t, tok.ID, p.TokenID)
		require.Equal(t, tn.org.ID, p.Org.ID)
		require.Equal(t, tn.org.ClientID, p.Org.ClientID)
		require.Equal(t, tn.org.Name, p.Org.Name)
		require.Equal(t, []string{"BONDS", "CRYPTO"}, p.Org.InvestmentTypes)
		require.Equal(t, []string{"BONDS", "CRYPTO"}, p.Org.DefaultInvestmentTypes)
	})
	t.Run("refusals say why", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tn, other := b.tenant(t, orgOpts{}), b.tenant(t, orgOpts{})
		tok, _, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
		require.NoError(t, err)
		for _, tc := range []struct {
			name, bearer, clientID, says string
		}{
			{"missing bearer", "", tn.org.ClientID, "missing bearer token"},
			{"unknown token", "ov_at_forged", tn.org.ClientID, "not valid"},
			{"the client id sent as token", tn.org.ClientID, tn.org.ClientID, "not valid"},
			{"missing client id", tok.Secret, "", "missing X-Client-Id"},
			{"another client's id", tok.Secret, other.org.ClientID, "X-Client-Id does not match"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				_, err := b.svc.Authenticate(b.ctx, tc.bearer, tc.clientID)
				e := requireCode(t, err, errcode.Unauthenticated)
				require.Contains(t, e.Message, tc.says)
			})
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tn := b.tenant(t, orgOpts{})
		tok, _, err := b.svc.IssueToken(b.ctx, tn.org.ClientID, tn.secret)
		require.NoError(t, err)

		b.clock.Set(tok.ExpiresAt.Add(-time.Microsecond))
		_, err = b.svc.Authenticate(b.ctx, tok.Secret, tn.org.ClientID)
		require.NoError(t, err, "valid until its last microsecond")

		b.clock.Set(tok.ExpiresAt)
		_, err = b.svc.Authenticate(b.ctx, tok.Secret, tn.org.ClientID)
		e := requireCode(t, err, errcode.Unauthenticated)
		require.Contains(t, e.Message, "expired")
		require.Contains(t, e.Message, tok.ExpiresAt.Format(time.RFC3339))
	})
	t.Run("revoked", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tn := b.tenant(t, orgOpts{})
		tok, p := b.login(t, tn)
		require.NoError(t, b.svc.Revoke(b.ctx, p, nil))
		_, err := b.svc.Authenticate(b.ctx, tok.Secret, tn.org.ClientID)
		e := requireCode(t, err, errcode.Unauthenticated)
		require.Contains(t, e.Message, "revoked")
	})
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn, other := b.tenant(t, orgOpts{}), b.tenant(t, orgOpts{})
	mine, me := b.login(t, tn)
	sibling, _ := b.login(t, tn)
	theirs, _ := b.login(t, other)

	// nil revokes the caller's own token, and only that one.
	require.NoError(t, b.svc.Revoke(b.ctx, me, nil))
	_, err := b.svc.Authenticate(b.ctx, mine.Secret, tn.org.ClientID)
	requireCode(t, err, errcode.Unauthenticated)
	siblingP, err := b.svc.Authenticate(b.ctx, sibling.Secret, tn.org.ClientID)
	require.NoError(t, err)

	// Another organization's token is not found, and stays valid.
	requireCode(t, b.svc.Revoke(b.ctx, siblingP, &theirs.ID), errcode.NotFound)
	_, err = b.svc.Authenticate(b.ctx, theirs.Secret, other.org.ClientID)
	require.NoError(t, err)

	// A token of one's own organization, by id; again is fine.
	require.NoError(t, b.svc.Revoke(b.ctx, siblingP, &sibling.ID))
	require.NoError(t, b.svc.Revoke(b.ctx, siblingP, &sibling.ID))
	require.NoError(t, b.svc.Revoke(b.ctx, siblingP, &mine.ID))
	_, err = b.svc.Authenticate(b.ctx, sibling.Secret, tn.org.ClientID)
	e := requireCode(t, err, errcode.Unauthenticated)
	require.Contains(t, e.Message, "revoked")
}

func TestEnsureSandbox(t *testing.T) {
	t.Parallel()
	// A fresh database: the shared one has other tests' organizations.
	b := setupOn(t, testdb.SQLite(t))
	org, secret, created, err := b.svc.EnsureSandbox(b.ctx, []string{"CRYPTO", "BONDS"})
	require.NoError(t, err)
	require.True(t, created)
	require.True(t, org.Sandbox)
	require.Equal(t, "Sandbox", org.Name)
	require.NotEmpty(t, secret)

	_, o, err := b.svc.IssueToken(b.ctx, org.ClientID, secret)
	require.NoError(t, err)
	require.True(t, o.Sandbox)
	require.Equal(t, []string{"BONDS", "CRYPTO"}, o.InvestmentTypes)

	again, secret2, created, err := b.svc.EnsureSandbox(b.ctx, []string{"CRYPTO"})
	require.NoError(t, err)
	require.False(t, created)
	require.Empty(t, secret2)
	require.Zero(t, again.ID)
	n, err := b.s.Auth().CountOrganizations(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

func TestEnsureSandboxLeavesExistingOrganizations(t *testing.T) {
	t.Parallel()
	b := setupOn(t, testdb.SQLite(t))
	b.tenant(t, orgOpts{})
	_, _, created, err := b.svc.EnsureSandbox(b.ctx, nil)
	require.NoError(t, err)
	require.False(t, created)
	n, err := b.s.Auth().CountOrganizations(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

// requireCode requires err to be an *errcode.Error with code, and returns it.
func requireCode(t *testing.T, err error, code errcode.Code) *errcode.Error {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "want a %s error, got %v", code, err)
	require.Equal(t, code, e.Code, e.Message)
	return e
}

// TestCachedLookups: with the cache on, revocations through the service
// apply at once; revocations made by another process (straight in the
// database, as the CLI does) apply once the cache TTL has passed.
func TestCachedLookups(t *testing.T) {
	t.Parallel()
	b := setup(t)
	svc := auth.NewService(b.s.Auth(), b.clock.Now, time.Hour).WithCache(5 * time.Second)
	o, secret, err := svc.CreateOrganization(b.ctx, auth.NewOrganization{Name: "cached"})
	require.NoError(t, err)

	tok, _, err := svc.IssueToken(b.ctx, o.ClientID, secret)
	require.NoError(t, err)
	p, err := svc.Authenticate(b.ctx, tok.Secret, o.ClientID)
	require.NoError(t, err)
	require.NoError(t, svc.Revoke(b.ctx, p, nil))
	_, err = svc.Authenticate(b.ctx, tok.Secret, o.ClientID)
	require.ErrorContains(t, err, "revoked", "a revocation through the service applies at once")

	tok, _, err = svc.IssueToken(b.ctx, o.ClientID, secret)
	require.NoError(t, err)
	_, err = svc.Authenticate(b.ctx, tok.Secret, o.ClientID)
	require.NoError(t, err)
	_, _, err = b.s.Auth().RevokeToken(b.ctx, o.ID, tok.ID, b.clock.Now())
	require.NoError(t, err)
	_, err = svc.Authenticate(b.ctx, tok.Secret, o.ClientID)
	require.NoError(t, err, "another process's revocation is not seen before the TTL")
	b.clock.Set(b.clock.Now().Add(5 * time.Second))
	_, err = svc.Authenticate(b.ctx, tok.Secret, o.ClientID)
	require.ErrorContains(t, err, "revoked", "…and is seen after it")

	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = svc.AddKey(b.ctx, o.ClientID, "k1", pub)
	require.NoError(t, err)
	_, err = svc.VerificationKey(b.ctx, o.ID, "k1")
	require.NoError(t, err)
	require.NoError(t, svc.RevokeKey(b.ctx, o.ClientID, "k1"))
	_, err = svc.VerificationKey(b.ctx, o.ID, "k1")
	require.ErrorContains(t, err, "was revoked")
}
