package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestWalletSeedRequests makes every request of the wallet seed with its own
// field names, plus the counterparty calls it needs.
func TestWalletSeedRequests(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant

	res := tn.Do(t, "POST", "/counterparty", map[string]any{"name": "Zambezi Bank"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	cp := res.Map(t)
	cpGUID := cp["counterparty_guid"].(string)
	require.Equal(t, "Zambezi Bank", cp["name"])
	res = tn.Do(t, "GET", "/counterparty/"+cpGUID, nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, cp, res.Map(t))
	res = tn.Do(t, "GET", "/counterparty", nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, map[string]any{"total": float64(1), "counterparties": []any{cp}}, res.Map(t))

	branch := uuid.NewString()
	created := newWalletCustomer(t, tn, cpGUID, map[string]any{
		"asset_code": "ZMWT", "asset_issuer": usdcIssuer, "balance_allowed": 5000.5,
		"balance_asset_code": "USDC", "balance_asset_issuer": testnetIssuer, "branch_guid": branch,
		"iban": "GB82 WEST 1234 5698 7654 32", "is_disabled": false, "kyc_level": 1,
		"login": "+260971234567", "name": "Jane", "paternal_name": "Mwila", "phone_number": "+260971234567",
		"segment": "PL", "status": "verified", "surname": "Banda",
	})
	customerGUID := created["customer_guid"].(string)
	require.Equal(t, created["guid"], created["wallet_account_guid"])
	require.NotEqual(t, customerGUID, created["guid"])
	require.Equal(t, "Jane", created["name"])
	require.Equal(t, "GB82WEST12345698765432", created["iban"])
	require.Equal(t, false, created["activated"])
	require.Equal(t, false, created["registered"])
	require.Equal(t, false, created["blocked"])
	require.Equal(t, "stellar", created["platform"])
	require.Equal(t, "customer", created["type"])
	require.Equal(t, float64(1), created["assets_total"])
	// The asset item carries the source API's activated, name and platform too.
	require.Equal(t, []any{map[string]any{
		"activated": false, "balance": float64(0), "code": "ZMWT", "minor_unit": float64(7), "name": "ZMWT",
		"platform": "stellar", "stellar_code": "ZMWT", "stellar_issuer": usdcIssuer,
	}}, created["assets"])

	customerPath := "/counterparty/" + cpGUID + "/customers/" + customerGUID
	res = tn.Do(t, "GET", customerPath, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	c := res.Map(t)
	for k, v := range map[string]any{
		"customer_guid": customerGUID, "wallet_user_guid": customerGUID, "counterparty_guid": cpGUID,
		"login": "+260971234567", "name": "Jane", "surname": "Banda", "paternal_name": "Mwila", "phone_number": "+260971234567",
		"segment": "PL", "status": "verified", "kyc_level": float64(1), "is_disabled": false, "branch_guid": branch,
		"balance_allowed": 5000.5, "balance_asset_code": "USDC", "balance_asset_issuer": testnetIssuer,
		"asset_code": "ZMWT", "asset_issuer": usdcIssuer,
	} {
		require.Equal(t, v, c[k], k)
	}
	require.Equal(t, c["created_at"], c["updated_at"])

	// Update with the seed's fields.
	res = tn.Do(t, "PUT", customerPath, map[string]any{
		"balance_allowed": 25000, "balance_asset_code": "EURT", "balance_asset_issuer": usdcIssuer,
		"branch_guid": branch, "is_disabled": true, "kyc_level": 2, "name": "Janet", "paternal_name": "",
		"phone_number": "+260977000000", "segment": "PI", "status": "enhanced", "surname": "Phiri",
		"wallet_user_guid": customerGUID,
	})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	updated := res.Map(t)
	for k, v := range map[string]any{
		"name": "Janet", "surname": "Phiri", "paternal_name": nil, "phone_number": "+260977000000", "segment": "PI",
		"status": "enhanced", "kyc_level": float64(2), "is_disabled": true, "balance_allowed": float64(25000),
		"balance_asset_code": "EURT", "login": "+260971234567", "created_at": c["created_at"],
	} {
		require.Equal(t, v, updated[k], k)
	}
	require.NotEqual(t, c["updated_at"], updated["updated_at"])
	res = tn.Do(t, "GET", customerPath, nil)
	require.Equal(t, updated, res.Map(t))

	customers, total := walletCustomers(t, tn, cpGUID, url.Values{})
	require.EqualValues(t, 1, total)
	require.Equal(t, []map[string]any{updated}, customers)

	// Another wallet account, then the accounts with and without the iban filter.
	res = tn.Do(t, "POST", customerPath+"/accounts", map[string]any{"iban": "DE89370400440532013000"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	second := res.Map(t)
	require.Equal(t, second["guid"], second["wallet_account_guid"])
	require.Equal(t, customerGUID, second["customer_guid"])
	require.Equal(t, "DE89370400440532013000", second["iban"])
	res = tn.Do(t, "POST", customerPath+"/accounts", map[string]any{})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Nil(t, res.Map(t)["iban"])

	res = tn.Do(t, "GET", customerPath+"/accounts", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	all := res.Map(t)
	require.Equal(t, float64(3), all["total"])
	require.Equal(t, []string{created["guid"].(string), second["guid"].(string)}, guidsOf(toMaps(all["accounts"]), "wallet_account_guid")[:2])
	res = tn.Do(t, "GET", customerPath+"/accounts?iban="+url.QueryEscape("de89 3704 0044 0532 0130 00"), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	one := res.Map(t)
	require.Equal(t, float64(1), one["total"])
	require.Equal(t, []any{second}, one["accounts"])
	res = tn.Do(t, "GET", customerPath+"/accounts?iban=NL91ABNA0417164300", nil)
	require.Equal(t, map[string]any{"total": float64(0), "accounts": []any{}}, res.Map(t))
}

func toMaps(v any) []map[string]any {
	var out []map[string]any
	for _, it := range v.([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestWalletTenancy: a customer or account of another counterparty of the
// organization, or anything of another organization, answers 404.
func TestWalletTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.tenant
	cp := newCounterparty(t, owner, "Zambezi Bank")
	sibling := newCounterparty(t, owner, "Kafue Bank")
	created := newWalletCustomer(t, owner, cp, map[string]any{"login": "jane", "iban": "NL91ABNA0417164300"})
	customer := created["customer_guid"].(string)

	// Through the sibling counterparty, the customer does not exist.
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/counterparty/" + sibling + "/customers/" + customer, nil},
		{"PUT", "/counterparty/" + sibling + "/customers/" + customer, map[string]any{"is_disabled": true}},
		{"GET", "/counterparty/" + sibling + "/customers/" + customer + "/accounts", nil},
		{"POST", "/counterparty/" + sibling + "/customers/" + customer + "/accounts", map[string]any{}},
		{"GET", "/counterparty/" + cp + "/customers/" + uuid.NewString(), nil},
	} {
		requireWalletError(t, owner.Do(t, tc.method, tc.path, tc.body), http.StatusNotFound, "CUSTOMER_NOT_FOUND")
	}
	list, total := walletCustomers(t, owner, sibling, url.Values{"search_string": {customer}})
	require.Empty(t, list)
	require.Zero(t, total)
	_, total = walletCustomers(t, owner, sibling, url.Values{"search_string": {"NL91ABNA0417164300"}})
	require.Zero(t, total)

	// Another organization sees neither the counterparty nor the customer.
	intruder := b.env.NewTenant(t, apitest.TenantOptions{})
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/counterparty/" + cp, nil},
		{"GET", "/counterparty/" + cp + "/customers", nil},
		{"POST", "/counterparty/" + cp + "/customers", map[string]any{"asset_code": "ZMWT", "asset_issuer": usdcIssuer}},
		{"GET", "/counterparty/" + cp + "/customers/" + customer, nil},
		{"PUT", "/counterparty/" + cp + "/customers/" + customer, map[string]any{"is_disabled": true}},
		{"GET", "/counterparty/" + cp + "/customers/" + customer + "/accounts", nil},
		{"POST", "/counterparty/" + cp + "/customers/" + customer + "/accounts", map[string]any{}},
	} {
		requireWalletError(t, intruder.Do(t, tc.method, tc.path, tc.body), http.StatusNotFound, "COUNTERPARTY_NOT_FOUND")
	}
	res := intruder.Do(t, "GET", "/counterparty", nil)
	require.Equal(t, map[string]any{"total": float64(0), "counterparties": []any{}}, res.Map(t))
	// The intruder's own counterparty cannot reach the owner's customer either.
	theirs := newCounterparty(t, intruder, "Intruder Bank")
	requireWalletError(t, intruder.Do(t, "GET", "/counterparty/"+theirs+"/customers/"+customer, nil), http.StatusNotFound, "CUSTOMER_NOT_FOUND")
	// Login and IBAN belong to their own scopes: both are free elsewhere.
	newWalletCustomer(t, owner, sibling, map[string]any{"login": "jane"})
	newWalletCustomer(t, intruder, theirs, map[string]any{"login": "jane", "iban": "NL91ABNA0417164300"})

	// Nothing of the owner's changed.
	res = owner.Do(t, "GET", "/counterparty/"+cp+"/customers/"+customer, nil)
	require.Equal(t, false, res.Map(t)["is_disabled"])
	res = owner.Do(t, "GET", "/counterparty/"+cp+"/customers/"+customer+"/accounts", nil)
	require.Equal(t, float64(1), res.Map(t)["total"])
}

// TestWalletValidation: invalid asset codes, issuers (bad checksum
// included) and IBANs are refused, naming the field; so is everything the
// schema forbids.
func TestWalletValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	cp := newCounterparty(t, tn, "Zambezi Bank")
	customer := newWalletCustomer(t, tn, cp, nil)["customer_guid"].(string)
	customers := "/counterparty/" + cp + "/customers"
	accounts := customers + "/" + customer + "/accounts"
	valid := func(extra map[string]any) map[string]any {
		m := map[string]any{"asset_code": "ZMWT", "asset_issuer": usdcIssuer}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	type want struct{ field, in, rule string }
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		want         []want
	}{
		{"asset code with a dash", "POST", customers, valid(map[string]any{"asset_code": "ZMW-T"}), []want{{"asset_code", "body", "regular expression"}}},
		{"asset code too long", "POST", customers, valid(map[string]any{"asset_code": "ABCDEFGHIJKLM"}), []want{{"asset_code", "body", "regular expression"}}},
		{"asset code empty", "POST", customers, valid(map[string]any{"asset_code": ""}), []want{{"asset_code", "body", "regular expression"}}},
		{"issuer checksum", "POST", customers, valid(map[string]any{"asset_issuer": usdcIssuer[:55] + "A"}), []want{{"asset_issuer", "body", "checksum"}}},
		{"issuer one character off", "POST", customers, valid(map[string]any{"asset_issuer": usdcIssuer[:10] + "B" + usdcIssuer[11:]}), []want{{"asset_issuer", "body", "checksum"}}},
		{"issuer not an account id", "POST", customers, valid(map[string]any{"asset_issuer": "SA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"}), []want{{"asset_issuer", "body", "regular expression"}}},
		{"missing asset", "POST", customers, map[string]any{"name": "Jane"}, []want{{"asset_code", "body", "missing"}, {"asset_issuer", "body", "missing"}}},
		{"balance issuer checksum", "POST", customers, valid(map[string]any{"balance_asset_code": "USDC", "balance_asset_issuer": testnetIssuer[:55] + "B"}), []want{{"balance_asset_issuer", "body", "checksum"}}},
		{"balance asset alone", "POST", customers, valid(map[string]any{"balance_asset_code": "USDC"}), []want{{"balance_asset_issuer", "body", "required with balance_asset_code"}}},
		{"IBAN check digits", "POST", customers, valid(map[string]any{"iban": "GB82WEST12345698765433"}), []want{{"iban", "body", "mod-97"}}},
		{"IBAN length", "POST", customers, valid(map[string]any{"iban": "DE893704004405320130"}), []want{{"iban", "body", "DE has 22 characters"}}},
		{"IBAN country", "POST", customers, valid(map[string]any{"iban": "ZM12345678901234567890"}), []want{{"iban", "body", "country code"}}},
		{"IBAN characters", "POST", customers, valid(map[string]any{"iban": "GB82-WEST-1234-5698-7654-32"}), []want{{"iban", "body", "regular expression"}}},
		{"ranges and enums", "POST", customers, valid(map[string]any{"kyc_level": -1, "balance_allowed": -1, "segment": "XX"}),
			[]want{{"kyc_level", "body", "at least 0"}, {"balance_allowed", "body", "at least 0"}, {"segment", "body", "allowed values"}}},
		{"balance precision", "POST", customers, valid(map[string]any{"balance_allowed": 0.00000001}), []want{{"balance_allowed", "body", "decimal places"}}},
		{"unknown field", "POST", customers, valid(map[string]any{"email": "x@example.com"}), []want{{"email", "body", "unsupported"}}},
		{"account IBAN check digits", "POST", accounts, map[string]any{"iban": "DE89370400440532013001"}, []want{{"iban", "body", "mod-97"}}},
		{"account IBAN length", "POST", accounts, map[string]any{"iban": "NO938601111794"}, []want{{"iban", "body", "minimum string length is 15"}}},
		{"update issuer", "PUT", customers + "/" + customer, map[string]any{"balance_asset_code": "USDC", "balance_asset_issuer": usdcIssuer[:55] + "A"}, []want{{"balance_asset_issuer", "body", "checksum"}}},
		{"update nothing", "PUT", customers + "/" + customer, map[string]any{}, []want{{"body", "body", "properties"}}},
		{"update login", "PUT", customers + "/" + customer, map[string]any{"login": "new"}, []want{{"login", "body", "unsupported"}}},
		{"update someone else", "PUT", customers + "/" + customer, map[string]any{"wallet_user_guid": uuid.NewString()}, []want{{"wallet_user_guid", "body", "customer_guid"}}},
		{"list parameters", "GET", customers + "?ordering=id&kyc_levels=two&limit=0&offset=-1&min_created_at=yesterday&segments=XX", nil,
			[]want{{"ordering", "query", "allowed values"}, {"kyc_levels", "query", "regular expression"}, {"limit", "query", "at least 1"},
				{"offset", "query", "at least 0"}, {"min_created_at", "query", "date-time"}, {"segments", "query", "allowed values"}}},
		{"list balance", "GET", customers + "?min_balance_allowed=abc", nil, []want{{"min_balance_allowed", "query", ""}}},
		{"path guid", "GET", customers + "/not-a-guid", nil, []want{{"customer_guid", "path", "uuid"}}},
		{"query guid", "GET", customers + "?wallet_user_guids=" + uuid.NewString() + "&wallet_user_guids=nope", nil, []want{{"wallet_user_guids", "query", "uuid"}}},
		{"counterparty name", "POST", "/counterparty", map[string]any{"name": "   "}, []want{{"name", "body", "regular expression"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := requireWalletError(t, tn.Do(t, tc.method, tc.path, tc.body), http.StatusBadRequest, "VALIDATION_ERROR")
			require.Len(t, e.Errors, len(tc.want), "%+v", e)
			for _, w := range tc.want {
				found := false
				for _, got := range e.Errors {
					if got.Field == w.field && got.In == w.in && strings.Contains(got.Message, w.rule) {
						found = true
					}
				}
				require.True(t, found, "no error for %s in %s containing %q: %+v", w.field, w.in, w.rule, e)
				require.Contains(t, e.Message, w.field)
			}
		})
	}
	// None of those wrote anything.
	_, total := walletCustomers(t, tn, cp, url.Values{})
	require.EqualValues(t, 1, total)
	res := tn.Do(t, "GET", accounts, nil)
	require.Equal(t, float64(1), res.Map(t)["total"])
}

// TestWalletConflicts: a taken login answers 400 CUSTOMER_ALREADY_EXISTS
// naming login (as the source API answers it), a taken IBAN 409
// IBAN_ALREADY_EXISTS, and nothing is written.
func TestWalletConflicts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	cp := newCounterparty(t, tn, "Zambezi Bank")
	first := newWalletCustomer(t, tn, cp, map[string]any{"login": "+260971234567", "iban": "NL91ABNA0417164300"})

	res := tn.Do(t, "POST", "/counterparty/"+cp+"/customers", map[string]any{
		"asset_code": "ZMWT", "asset_issuer": usdcIssuer, "login": "+260971234567", "name": "Other", "iban": "DE89370400440532013000",
	})
	e := requireWalletError(t, res, http.StatusBadRequest, "CUSTOMER_ALREADY_EXISTS")
	require.Contains(t, e.Message, "+260971234567")
	require.Len(t, e.Errors, 1)
	require.Equal(t, "login", e.Errors[0].Field)
	require.Contains(t, e.Errors[0].Message, "taken")

	res = tn.Do(t, "POST", "/counterparty/"+cp+"/customers", map[string]any{
		"asset_code": "ZMWT", "asset_issuer": usdcIssuer, "login": "other", "iban": "nl91 abna 0417 1643 00",
	})
	e = requireWalletError(t, res, http.StatusConflict, "IBAN_ALREADY_EXISTS")
	require.Contains(t, e.Message, "NL91ABNA0417164300")

	res = tn.Do(t, "POST", "/counterparty/"+cp+"/customers/"+first["customer_guid"].(string)+"/accounts", map[string]any{"iban": "NL91ABNA0417164300"})
	requireWalletError(t, res, http.StatusConflict, "IBAN_ALREADY_EXISTS")

	// Nothing was written: one customer, one account, and the refused
	// login and IBAN are still free.
	customers, total := walletCustomers(t, tn, cp, url.Values{})
	require.EqualValues(t, 1, total)
	require.Equal(t, first["customer_guid"], customers[0]["customer_guid"])
	_, total = walletCustomers(t, tn, cp, url.Values{"search_string": {"DE89370400440532013000"}})
	require.Zero(t, total)
	res = tn.Do(t, "GET", "/counterparty/"+cp+"/customers/"+first["customer_guid"].(string)+"/accounts", nil)
	require.Equal(t, float64(1), res.Map(t)["total"])
	newWalletCustomer(t, tn, cp, map[string]any{"login": "other", "iban": "DE89370400440532013000"})
}

// TestWalletProtocolErrors: the pipeline's own answers under /counterparty
// are in the wallet shape too.
func TestWalletProtocolErrors(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{MaxBodyBytes: 256})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	cp := newCounterparty(t, tn, "Zambezi Bank")

	requireWalletError(t, tn.Do(t, "GET", "/counterparty/"+cp+"/nothing", nil), http.StatusNotFound, "NOT_FOUND")
	res := tn.Do(t, "DELETE", "/counterparty/"+cp, nil)
	requireWalletError(t, res, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	require.Equal(t, "GET", res.Header.Get("Allow"))
	requireWalletError(t, env.Do(t, "GET", "/counterparty", nil, nil), http.StatusUnauthorized, "UNAUTHORIZED")
	requireWalletError(t, tn.Do(t, "POST", "/counterparty/"+cp+"/customers", map[string]any{"asset_code": "ZMWT", "asset_issuer": usdcIssuer, "name": strings.Repeat("x", 300)}),
		http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	res = tn.Env.Do(t, "POST", "/counterparty", "name=A", http.Header{
		"Authorization": {"Bearer " + tn.Token}, "X-Client-Id": {tn.Org.ClientID}, "Content-Type": {"text/plain"},
	})
	requireWalletError(t, res, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
	_, total := walletCustomers(t, tn, cp, url.Values{})
	require.Zero(t, total)
}

// TestWalletDatabaseOutage: with the database gone, the wallet surface
// answers 503 SERVICE_UNAVAILABLE in its shape, quoting only the request id.
func TestWalletDatabaseOutage(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	require.NoError(t, env.App.Store.Close())
	res := tn.Do(t, "GET", "/counterparty", nil)
	e := requireWalletError(t, res, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE")
	require.Equal(t, "2", res.Header.Get("Retry-After"))
	require.Equal(t, "the service is temporarily unavailable: its database cannot be reached; retry after 2 seconds; request id "+res.Header.Get("X-Request-Id"), e.Message)
	require.Empty(t, e.Errors)
}

// TestWalletKYCLevelUnbounded: like the source API, kyc_level has no upper
// bound (beyond a 32-bit integer), and the kyc_levels filter, typed as
// strings, finds any level.
func TestWalletKYCLevelUnbounded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	cp := newCounterparty(t, tn, "Zambezi Bank")
	high := newWalletCustomer(t, tn, cp, map[string]any{"login": "high", "kyc_level": 7})
	newWalletCustomer(t, tn, cp, map[string]any{"login": "low", "kyc_level": 1})

	customers, total := walletCustomers(t, tn, cp, url.Values{"kyc_levels": {"7"}})
	require.EqualValues(t, 1, total)
	require.Equal(t, high["customer_guid"], customers[0]["customer_guid"])
	require.Equal(t, float64(7), customers[0]["kyc_level"])

	res := tn.Do(t, "PUT", "/counterparty/"+cp+"/customers/"+high["customer_guid"].(string), map[string]any{"kyc_level": 2147483647})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, float64(2147483647), res.Map(t)["kyc_level"])
	e := requireWalletError(t, tn.Do(t, "PUT", "/counterparty/"+cp+"/customers/"+high["customer_guid"].(string), map[string]any{"kyc_level": 2147483648}),
		http.StatusBadRequest, "VALIDATION_ERROR")
	require.Equal(t, "kyc_level", e.Errors[0].Field)
}
