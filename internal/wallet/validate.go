package wallet

import (
	"encoding/base32"
	"fmt"
	"math/big"
	"strings"

	"github.com/shopspring/decimal"
)

// MaxAssetCodeLength is the longest Stellar asset code (alphanum12).
const MaxAssetCodeLength = 12

// CheckAssetCode reports why code is not a Stellar asset code: 1 to 12
// ASCII letters and digits (alphanum4 holds 1 to 4 of them, alphanum12 5 to
// 12). It returns "" for a valid code.
func CheckAssetCode(code string) string {
	if code == "" || len(code) > MaxAssetCodeLength {
		return fmt.Sprintf("a Stellar asset code is 1 to %d letters and digits; %q has %d characters", MaxAssetCodeLength, code, len(code))
	}
	for _, r := range code {
		if !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return fmt.Sprintf("a Stellar asset code is 1 to %d letters and digits; %q contains %q", MaxAssetCodeLength, code, r)
		}
	}
	return ""
}

// A Stellar account id is a StrKey (SEP-23): the base32 encoding (RFC 4648
// alphabet, no padding) of a version byte, the 32-byte ed25519 public key
// and a CRC16-XModem checksum of those 33 bytes, little-endian.
//
// The checksum is implemented here rather than imported: the reference
// implementation lives in a large multi-purpose module whose dependency tree
// dwarfs these forty lines, and the format is fixed by SEP-23.
const (
	accountIDLength  = 56
	accountIDVersion = 6 << 3 // encodes as the leading 'G'
)

var strkeyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CheckAccountID reports why id is not a valid Stellar account id (a `G…`
// StrKey of 56 characters whose checksum matches). It returns "" for a
// valid id.
func CheckAccountID(id string) string {
	if len(id) != accountIDLength {
		return fmt.Sprintf("a Stellar account id is %d characters; this one has %d", accountIDLength, len(id))
	}
	if id[0] != 'G' {
		return "a Stellar account id starts with G"
	}
	raw, err := strkeyEncoding.DecodeString(id)
	if err != nil {
		return "a Stellar account id is base32 (A-Z, 2-7): " + err.Error()
	}
	if raw[0] != accountIDVersion {
		return "not a Stellar account id: wrong version byte"
	}
	payload, sum := raw[:len(raw)-2], raw[len(raw)-2:]
	if want := crc16XModem(payload); uint16(sum[0])|uint16(sum[1])<<8 != want {
		return "the Stellar account id's checksum does not match: check it for typos"
	}
	return ""
}

// EncodeAccountID returns the StrKey of an ed25519 public key.
func EncodeAccountID(key [32]byte) string {
	raw := make([]byte, 0, 35)
	raw = append(raw, accountIDVersion)
	raw = append(raw, key[:]...)
	sum := crc16XModem(raw)
	raw = append(raw, byte(sum), byte(sum>>8))
	return strkeyEncoding.EncodeToString(raw)
}

// crc16XModem is CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
func crc16XModem(data []byte) uint16 {
	var crc uint16
	for _, b := range data {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// ibanLengths is the length of an IBAN per country, from the IBAN registry
// (ISO 13616) of the countries that issue IBANs.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// NormalizeIBAN returns the electronic form of an IBAN: spaces removed,
// letters upper-cased. IBANs are stored and compared in this form.
func NormalizeIBAN(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// CheckIBAN reports why iban (in electronic form, see NormalizeIBAN) is not
// a valid IBAN: a known country code, the length of that country, letters
// and digits only, and check digits that pass the ISO 7064 mod-97 check. It
// returns "" for a valid IBAN.
func CheckIBAN(iban string) string {
	if len(iban) < 4 {
		return "an IBAN starts with a country code and two check digits"
	}
	for _, r := range iban {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return fmt.Sprintf("an IBAN has only letters and digits; found %q", r)
		}
	}
	country := iban[:2]
	want, ok := ibanLengths[country]
	if !ok {
		return fmt.Sprintf("%q is not the country code of a country that issues IBANs", country)
	}
	if len(iban) != want {
		return fmt.Sprintf("an IBAN of %s has %d characters; this one has %d", country, want, len(iban))
	}
	if iban[2] < '0' || iban[2] > '9' || iban[3] < '0' || iban[3] > '9' {
		return "an IBAN's check digits (characters 3 and 4) are digits"
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return "the IBAN's check digits do not match (mod-97 check): check it for typos"
	}
	return ""
}

// mod97 is the remainder by 97 of s with each letter replaced by two digits
// (A=10 … Z=35), computed piecewise.
func mod97(s string) int {
	rem := 0
	for _, r := range s {
		if r >= 'A' {
			rem = (rem*100 + int(r-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(r-'0')) % 97
		}
	}
	return rem
}

// MaxBalanceAllowed is the largest amount Stellar can represent
// (int64 stroops of 10^-7): 922337203685.4775807.
var MaxBalanceAllowed = decimal.NewFromBigInt(big.NewInt(9223372036854775807), -7)

// BalanceScale is the number of decimal places of a Stellar amount.
const BalanceScale = 7

// CheckBalance reports why v is not an allowed balance: from 0 to
// MaxBalanceAllowed with at most 7 decimal places. It returns "" when valid.
func CheckBalance(v decimal.Decimal) string {
	switch {
	case v.IsNegative():
		return "must be at least 0"
	case v.GreaterThan(MaxBalanceAllowed):
		return "must be at most " + MaxBalanceAllowed.String() + " (the largest Stellar amount)"
	case !v.Equal(v.Truncate(BalanceScale)):
		return fmt.Sprintf("has more than %d decimal places (a Stellar amount's precision)", BalanceScale)
	}
	return ""
}
