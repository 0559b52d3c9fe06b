package store_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

func TestSigningKeys(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Auth()
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)

		k := auth.SigningKey{OrganizationID: f.org, KeyID: "key-1", PublicKey: pub, CreatedAt: t0}
		require.NoError(t, repo.CreateKey(f.ctx, &k))
		require.NotZero(t, k.ID)
		dup := auth.SigningKey{OrganizationID: f.org, KeyID: "key-1", PublicKey: pub, CreatedAt: t0}
		require.True(t, errcode.Is(repo.CreateKey(f.ctx, &dup), errcode.Conflict))
		// The same key id in another organization is another key.
		other := auth.SigningKey{OrganizationID: f.other, KeyID: "key-1", PublicKey: pub, CreatedAt: t0}
		require.NoError(t, repo.CreateKey(f.ctx, &other))

		got, err := repo.Key(f.ctx, f.org, "key-1")
		require.NoError(t, err)
		require.Equal(t, pub, got.PublicKey)
		require.Equal(t, t0, got.CreatedAt)
		require.Nil(t, got.RevokedAt)
		_, err = repo.Key(f.ctx, f.org, "key-2")
		require.True(t, errcode.Is(err, errcode.NotFound))

		require.NoError(t, repo.RevokeKey(f.ctx, f.org, "key-1", t0.Add(1e9)))
		require.NoError(t, repo.RevokeKey(f.ctx, f.org, "key-1", t0.Add(5e9)), "revoking twice is fine")
		got, err = repo.Key(f.ctx, f.org, "key-1")
		require.NoError(t, err)
		require.Equal(t, t0.Add(1e9), *got.RevokedAt, "the first revocation time stays")
		otherKey, err := repo.Key(f.ctx, f.other, "key-1")
		require.NoError(t, err)
		require.Nil(t, otherKey.RevokedAt, "another organization's key is untouched")
		require.True(t, errcode.Is(repo.RevokeKey(f.ctx, f.org, "nope", t0), errcode.NotFound))

		keys, err := repo.Keys(f.ctx, f.org)
		require.NoError(t, err)
		require.Len(t, keys, 1)

		// The database refuses a key that is not 32 bytes.
		require.Error(t, s.DB.Exec("INSERT INTO signing_keys (organization_id, key_id, public_key, created_at) VALUES (?, 'short', ?, ?)", f.org, []byte{1, 2, 3}, t0).Error)
	})
}

func TestSignaturePolicy(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Auth()
		o := newOrg(t, s, orgOpts{})
		require.NoError(t, repo.SetSignaturePolicy(f.ctx, o.ID, auth.PolicyOptional))
		got, _, err := repo.OrganizationByClientID(f.ctx, o.ClientID)
		require.NoError(t, err)
		require.Equal(t, auth.PolicyOptional, got.SignaturePolicy)
		require.True(t, errcode.Is(repo.SetSignaturePolicy(f.ctx, 999999999, auth.PolicyOptional), errcode.NotFound))
		require.Error(t, s.DB.Exec("UPDATE organizations SET signature_policy = 'sometimes' WHERE id = ?", o.ID).Error, "the CHECK constraint holds")
	})
}
