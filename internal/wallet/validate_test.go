package wallet_test

import (
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// Published Stellar account ids: the SEP-23 example account and the USDC
// issuers of the public and test networks.
const (
	sep23Account  = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ"
	usdcIssuer    = "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"
	testnetIssuer = "GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5"
)

func TestCheckAssetCode(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"USDC", "X", "ZMW", "eurt", "A1B2", "ABCDE", "ABCDEFGHIJKL", "123456789012"} {
		require.Empty(t, wallet.CheckAssetCode(code), code)
	}
	for code, why := range map[string]string{
		"":              "1 to 12",
		"ABCDEFGHIJKLM": "13 characters",
		"US-D":          `'-'`,
		"US D":          `' '`,
		"USD$":          `'$'`,
		"ÜSD":           `'Ü'`,
		"USDC\n":        `'\n'`,
	} {
		require.Contains(t, wallet.CheckAssetCode(code), why, "%q", code)
	}
}

func TestCheckAccountID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{sep23Account, usdcIssuer, testnetIssuer} {
		require.Empty(t, wallet.CheckAccountID(id), id)
	}
	// Keys of our own encoding round-trip, including the extremes.
	var zero, ones [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	for _, key := range [][32]byte{zero, ones} {
		id := wallet.EncodeAccountID(key)
		require.Len(t, id, 56)
		require.Equal(t, byte('G'), id[0])
		require.Empty(t, wallet.CheckAccountID(id), id)
	}
	require.Equal(t, sep23Account, wallet.EncodeAccountID([32]byte{
		0x3f, 0x0c, 0x34, 0xbf, 0x93, 0xad, 0x0d, 0x99, 0x71, 0xd0, 0x4c, 0xcc, 0x90, 0xf7, 0x05, 0x51,
		0x1c, 0x83, 0x8a, 0xad, 0x97, 0x34, 0xa4, 0xa2, 0xfb, 0x0d, 0x7a, 0x03, 0xfc, 0x7f, 0xe8, 0x9a,
	}))

	// One character changed in the key part: the checksum no longer matches.
	typo := sep23Account[:10] + "B" + sep23Account[11:]
	for id, why := range map[string]string{
		sep23Account[:55] + "A":                 "checksum",
		typo:                                    "checksum",
		"G" + strings.ToLower(sep23Account[1:]): "base32",
		sep23Account[:55]:                       "56 characters",
		sep23Account + "A":                      "56 characters",
		"":                                      "56 characters",
		"S" + sep23Account[1:]:                  "starts with G", // a secret seed's prefix
		"M" + sep23Account[1:]:                  "starts with G",
		sep23Account[:20] + "1" + sep23Account[21:]:                "base32", // 1 is not in the alphabet
		"GAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA": "checksum",
	} {
		require.Contains(t, wallet.CheckAccountID(id), why, "%q", id)
	}
}

func TestCheckIBAN(t *testing.T) {
	t.Parallel()
	// The registry's example IBANs of several countries and lengths.
	for _, iban := range []string{
		"NO9386011117947",                 // 15
		"BE68539007547034",                // 16
		"NL91ABNA0417164300",              // 18
		"CH9300762011623852957",           // 21
		"GB82WEST12345698765432",          // 22
		"DE89370400440532013000",          // 22
		"FR1420041010050500013M02606",     // 27
		"MT84MALT011000012345MTLCAST001S", // 31
	} {
		require.Empty(t, wallet.CheckIBAN(iban), iban)
	}
	for iban, why := range map[string]string{
		"GB82WEST12345698765433":      "check digits do not match", // last digit changed
		"GB28WEST12345698765432":      "check digits do not match", // check digits swapped
		"DE89370400440532013001":      "check digits do not match",
		"GB82WEST1234569876543":       "GB has 22 characters; this one has 21",
		"DE8937040044053201300000":    "DE has 22 characters; this one has 24",
		"NO938601111794":              "NO has 15 characters",
		"US64SVBKUS6S3300958879":      `"US" is not the country code`,
		"ZM12345678901234567890":      `"ZM" is not the country code`,
		"GBXXWEST12345698765432":      "check digits",
		"GB82-WEST-1234-5698-7654-32": "only letters and digits",
		"GB":                          "country code",
	} {
		require.Contains(t, wallet.CheckIBAN(iban), why, "%q", iban)
	}
	// Spaces and case do not matter once normalized.
	require.Equal(t, "GB82WEST12345698765432", wallet.NormalizeIBAN(" gb82 west 1234 5698 7654 32 "))
	require.Empty(t, wallet.CheckIBAN(wallet.NormalizeIBAN("fr14 2004 1010 0505 0001 3m02 606")))
}

func TestCheckBalance(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0", "0.0000001", "100.5", "922337203685.4775807"} {
		require.Empty(t, wallet.CheckBalance(decimal.RequireFromString(v)), v)
	}
	for v, why := range map[string]string{
		"-0.0000001":           "at least 0",
		"922337203685.4775808": "at most 922337203685.4775807",
		"0.00000001":           "decimal places",
		"1e20":                 "at most",
	} {
		require.Contains(t, wallet.CheckBalance(decimal.RequireFromString(v)), why, v)
	}
}

func TestParseOrdering(t *testing.T) {
	t.Parallel()
	for _, f := range wallet.SortFields {
		o, err := wallet.ParseOrdering(string(f))
		require.NoError(t, err)
		require.Equal(t, wallet.Ordering{Field: f}, o)
		o, err = wallet.ParseOrdering("-" + string(f))
		require.NoError(t, err)
		require.Equal(t, wallet.Ordering{Field: f, Desc: true}, o)
		require.Equal(t, "-"+string(f), o.String())
	}
	for _, s := range []string{"", "-", "id", "--name", "asset_code", "Name"} {
		_, err := wallet.ParseOrdering(s)
		require.Error(t, err, s)
	}
}

func TestParseSearch(t *testing.T) {
	t.Parallel()
	_, ok := wallet.ParseSearch("   ")
	require.False(t, ok)
	s, ok := wallet.ParseSearch(" jane ")
	require.True(t, ok)
	require.Equal(t, wallet.Search{Text: "jane"}, s)
	s, _ = wallet.ParseSearch("0192a4f2-7d3e-7c1a-9b2f-3c4d5e6f7a8b")
	require.NotNil(t, s.GUID)
	require.Empty(t, s.IBAN, "longer than any IBAN")
	s, _ = wallet.ParseSearch("gb82 west 1234 5698 7654 32")
	require.Equal(t, "GB82WEST12345698765432", s.IBAN)
	require.Nil(t, s.GUID)
}
