// Package auth is tenancy and authentication: organizations, their client
// credentials, and the bearer tokens issued for them (client-credentials
// flow, as the investing surface documents it).
//
// Client secrets and tokens are 256-bit random values; only their sha-256
// is stored. A slow password hash (bcrypt, argon2) protects low-entropy
// secrets and would cost tens of milliseconds per token call for nothing
// here.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/txn"
)

// Organization is a tenant: every customer, account and token belongs to one.
type Organization struct {
	ID              int64
	Name            string
	ClientID        string
	Sandbox         bool     // a sandbox organization gets simulation controls and lenient checks
	InvestmentTypes []string // the investment types its customers may have accounts in
	// DefaultInvestmentTypes, a subset of InvestmentTypes, get an account
	// when a customer is created.
	DefaultInvestmentTypes []string
	SignaturePolicy        Policy
	CreatedAt              time.Time
}

// Policy says whether an organization's requests must be signed.
type Policy string

// The signature policies.
const (
	// PolicyRequired demands an RFC 9421 signature on every call and a
	// Content-Digest on every body.
	PolicyRequired Policy = "required"
	// PolicyOptional verifies signatures and digests when present.
	PolicyOptional Policy = "optional"
)

// Valid reports whether p is a known policy.
func (p Policy) Valid() bool { return p == PolicyRequired || p == PolicyOptional }

// Token is an access token. Secret is set only when the token is issued.
type Token struct {
	ID             int64
	OrganizationID int64
	Secret         string
	Hash           []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Org     Organization
	TokenID int64
}

// Repository is the storage auth needs.
type Repository interface {
	txn.Transactor // opens the service's units of work

	// CreateOrganization inserts o with the hash of its secret and sets o.ID.
	CreateOrganization(ctx context.Context, o *Organization, secretHash []byte) error
	// OrganizationByClientID returns the organization and its secret hash. NotFound.
	OrganizationByClientID(ctx context.Context, clientID string) (Organization, []byte, error)
	// CountOrganizations counts the organizations.
	CountOrganizations(ctx context.Context) (int64, error)
	// CreateToken inserts t and sets t.ID.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with this hash and its organization. NotFound.
	TokenByHash(ctx context.Context, hash []byte) (Token, Organization, error)
	// RevokeToken marks one of the organization's tokens revoked
	// (idempotent) and returns it, reporting whether this call revoked it. NotFound.
	RevokeToken(ctx context.Context, orgID, tokenID int64, at time.Time) (Token, bool, error)
	// SetSignaturePolicy changes an organization's policy. NotFound.
	SetSignaturePolicy(ctx context.Context, orgID int64, p Policy) error

	// CreateKey inserts k and sets k.ID. Conflict: the key id is taken in the organization.
	CreateKey(ctx context.Context, k *SigningKey) error
	// Keys lists an organization's keys, revoked ones included, oldest first.
	Keys(ctx context.Context, orgID int64) ([]SigningKey, error)
	// Key reads one key of an organization by its key id. NotFound.
	Key(ctx context.Context, orgID int64, keyID string) (SigningKey, error)
	// RevokeKey marks a key revoked (idempotent). NotFound.
	RevokeKey(ctx context.Context, orgID int64, keyID string, at time.Time) error
}

// MaxTTL is the longest lifetime a token can have, as the API reports it.
const MaxTTL = 24 * time.Hour

// Service issues and checks credentials.
type Service struct {
	events event.Emitter
	repo   Repository
	now    func() time.Time
	ttl    time.Duration
	tokens *cache[string, tokenEntry] // by token hash
	keys   *cache[keyRef, SigningKey]

	notifier  Notifier // announces revocations to the other replicas (invalidate.go)
	notifyLog *slog.Logger
}

type tokenEntry struct {
	token Token
	org   Organization
}

type keyRef struct {
	orgID int64
	keyID string
}

// WithEvents makes s emit AUTH.CREATED when it issues a token and
// AUTH.DELETED when it revokes one, each in the transaction of the
// change. It returns s.
func (s *Service) WithEvents(events event.Emitter) *Service {
	s.events = events
	return s
}

// WithCache caches token and key look-ups for ttl (0 turns caching off):
// revocations made through this service apply at once, changes made by
// another process within ttl. It returns s.
func (s *Service) WithCache(ttl time.Duration) *Service {
	s.tokens = newCache[string, tokenEntry](ttl, s.now)
	s.keys = newCache[keyRef, SigningKey](ttl, s.now)
	return s
}

// NewService returns a Service; ttl is the lifetime of new tokens.
func NewService(repo Repository, now func() time.Time, ttl time.Duration) *Service {
	return &Service{repo: repo, now: now, ttl: min(ttl, MaxTTL)}
}

// TTL is the lifetime of new tokens.
func (s *Service) TTL() time.Duration { return s.ttl }

// NewOrganization is the input of CreateOrganization.
type NewOrganization struct {
	Name            string
	InvestmentTypes []string
	// DefaultInvestmentTypes must be a subset of InvestmentTypes; nil means
	// all of them.
	DefaultInvestmentTypes []string
	Sandbox                bool
	// SignaturePolicy defaults to optional for sandbox organizations and
	// required for the others.
	SignaturePolicy Policy
}

// CreateOrganization creates an organization with fresh client credentials
// and returns it with its client secret, which is not stored and cannot be
// shown again. Invalid: empty name.
func (s *Service) CreateOrganization(ctx context.Context, in NewOrganization) (Organization, string, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Organization{}, "", errcode.New(errcode.Invalid, "organization name is empty")
	}
	defaults := in.DefaultInvestmentTypes
	if defaults == nil {
		defaults = in.InvestmentTypes
	}
	for _, d := range defaults {
		if !slices.Contains(in.InvestmentTypes, d) {
			return Organization{}, "", errcode.New(errcode.Invalid, "default investment type %s is not among the organization's investment types %v", d, in.InvestmentTypes)
		}
	}
	policy := in.SignaturePolicy
	switch {
	case policy == "" && in.Sandbox:
		policy = PolicyOptional
	case policy == "":
		policy = PolicyRequired
	case !policy.Valid():
		return Organization{}, "", errcode.New(errcode.Invalid, "signature policy %q: use required or optional", policy)
	}
	secret := "ov_secret_" + randomString(32)
	o := Organization{
		Name: in.Name, ClientID: "ov_client_" + hex.EncodeToString(randomBytes(8)),
		Sandbox: in.Sandbox, InvestmentTypes: in.InvestmentTypes, DefaultInvestmentTypes: defaults, SignaturePolicy: policy,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond),
	}
	if err := s.repo.CreateOrganization(ctx, &o, Hash(secret)); err != nil {
		return Organization{}, "", errcode.Wrapf(err, "create organization %q", o.Name)
	}
	return o, secret, nil
}

// EnsureSandbox creates a sandbox organization when there is no organization
// at all, and returns it with its secret; created is false otherwise.
func (s *Service) EnsureSandbox(ctx context.Context, investmentTypes []string) (o Organization, secret string, created bool, err error) {
	n, err := s.repo.CountOrganizations(ctx)
	if err != nil || n > 0 {
		return o, "", false, err
	}
	o, secret, err = s.CreateOrganization(ctx, NewOrganization{Name: "Sandbox", InvestmentTypes: investmentTypes, Sandbox: true})
	return o, secret, err == nil, err
}

// IssueToken exchanges client credentials for a new token.
// Unauthenticated: unknown client id or wrong secret (the message does not say which).
func (s *Service) IssueToken(ctx context.Context, clientID, clientSecret string) (Token, Organization, error) {
	o, hash, err := s.repo.OrganizationByClientID(ctx, clientID)
	known := err == nil
	if errcode.Is(err, errcode.NotFound) {
		// Compare all the same: an unknown client id takes as long as a
		// known one with a wrong secret.
		hash = unknownClientHash
	} else if err != nil {
		return Token{}, Organization{}, err
	}
	if subtle.ConstantTimeCompare(hash, Hash(clientSecret)) != 1 || !known {
		return Token{}, Organization{}, errcode.New(errcode.Unauthenticated, "invalid client credentials: check clientId and clientSecret")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	secret := "ov_at_" + randomString(32)
	t := Token{OrganizationID: o.ID, Secret: secret, Hash: Hash(secret), CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := s.repo.CreateToken(ctx, &t); err != nil {
			return fmt.Errorf("create token of organization %d: %w", o.ID, err)
		}
		if s.events == nil {
			return nil
		}
		public := t
		public.Secret, public.Hash = "", nil
		return s.events.Emit(ctx, o.ID, TokenCreated{Token: public, Org: o})
	})
	if err != nil {
		return Token{}, Organization{}, err
	}
	return t, o, nil
}

// Authenticate checks a bearer token and the client id sent with it.
// Unauthenticated, with the precise reason.
func (s *Service) Authenticate(ctx context.Context, bearer, clientID string) (Principal, error) {
	if bearer == "" {
		return Principal{}, errcode.New(errcode.Unauthenticated, "missing bearer token: send Authorization: Bearer <token>, with a token from POST /v1/oauth/token")
	}
	hash := Hash(bearer)
	var (
		t   Token
		o   Organization
		err error
	)
	gen := s.tokens.generation()
	if e, ok := s.tokens.get(string(hash)); ok {
		t, o = e.token, e.org
	} else if t, o, err = s.repo.TokenByHash(ctx, hash); err == nil {
		s.tokens.putAt(string(hash), tokenEntry{t, o}, gen)
	}
	if errcode.Is(err, errcode.NotFound) {
		return Principal{}, errcode.New(errcode.Unauthenticated, "the bearer token is not valid: request a new one from POST /v1/oauth/token")
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	switch {
	case t.RevokedAt != nil:
		return Principal{}, errcode.New(errcode.Unauthenticated, "the bearer token was revoked at %s: request a new one from POST /v1/oauth/token", t.RevokedAt.UTC().Format(time.RFC3339))
	case !now.Before(t.ExpiresAt):
		return Principal{}, errcode.New(errcode.Unauthenticated, "the bearer token expired at %s: request a new one from POST /v1/oauth/token", t.ExpiresAt.UTC().Format(time.RFC3339))
	case clientID == "":
		return Principal{}, errcode.New(errcode.Unauthenticated, "missing X-Client-Id header: send your client id with every call")
	case clientID != o.ClientID:
		return Principal{}, errcode.New(errcode.Unauthenticated, "X-Client-Id does not match the client the bearer token was issued to")
	}
	return Principal{Org: o, TokenID: t.ID}, nil
}

// Revoke revokes one of the caller's organization's tokens: tokenID, or the
// caller's own token when tokenID is nil. NotFound: not a token of this organization.
func (s *Service) Revoke(ctx context.Context, p Principal, tokenID *int64) error {
	id := p.TokenID
	if tokenID != nil {
		id = *tokenID
	}
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		t, now, err := s.repo.RevokeToken(ctx, p.Org.ID, id, s.now().UTC().Truncate(time.Microsecond))
		if err != nil || !now || s.events == nil {
			return err
		}
		t.Hash = nil
		return s.events.Emit(ctx, p.Org.ID, TokenDeleted{Token: t, Org: p.Org})
	})
	if err != nil {
		return errcode.Wrapf(err, "revoke token %d", id)
	}
	s.tokens.drop(func(_ string, e tokenEntry) bool { return e.token.ID == id })
	s.notify(ctx, tokenMessage(id))
	return nil
}

// unknownClientHash is what a secret sent with an unknown client id is
// compared with: the hash of a random secret nobody knows.
var unknownClientHash = Hash(randomString(32))

// Hash is how secrets and tokens are stored: their sha-256.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never happens on supported platforms
	}
	return b
}

func randomString(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
