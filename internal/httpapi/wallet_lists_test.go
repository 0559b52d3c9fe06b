package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// walletListData is four customers of one counterparty, made through the
// API, whose values make every filter include some and exclude others and
// every ordering meet ties and absent values; plus look-alikes in a sibling
// counterparty and in another organization, never listed.
type walletListData struct {
	tn       *apitest.Tenant
	cp       string
	c        [4]map[string]any // as GET answers them, after the updates
	accounts [4]string         // each customer's first wallet account
	branch   string
	decoy    string // the sibling counterparty's look-alike of c[0]
}

func seedWalletList(t *testing.T) walletListData {
	t.Helper()
	b := setup(t)
	d := walletListData{tn: b.tenant, cp: newCounterparty(t, b.tenant, "Zambezi Bank"), branch: uuid.NewString()}
	bodies := []map[string]any{
		{"login": "jane@example.com", "name": "Jane", "surname": "Banda", "paternal_name": "Mwila", "phone_number": "+260971000001",
			"segment": "PL", "status": "active", "kyc_level": 0, "balance_allowed": 0, "branch_guid": d.branch, "iban": "GB82WEST12345698765432"},
		{"login": "+260971000002", "name": "John", "surname": "Phiri", "phone_number": "+260971000002", "segment": "PI", "status": "review",
			"kyc_level": 2, "is_disabled": true, "balance_allowed": 100.5, "balance_asset_code": "USDC", "balance_asset_issuer": usdcIssuer,
			"branch_guid": uuid.NewString()},
		{"name": "Jane", "surname": "Mwale", "paternal_name": "Mwila", "kyc_level": 3, "balance_allowed": json.Number("922337203685.4775807")},
		{"login": "chanda_99", "surname": "Banda", "segment": "PL", "status": "active", "kyc_level": 2,
			"balance_allowed": json.Number("100.5000001"), "balance_asset_code": "EURT", "balance_asset_issuer": testnetIssuer,
			"iban": "DE89370400440532013000"},
	}
	guids := make([]string, len(bodies))
	for i, body := range bodies {
		created := newWalletCustomer(t, d.tn, d.cp, body)
		guids[i], d.accounts[i] = created["customer_guid"].(string), created["wallet_account_guid"].(string)
	}
	// Updates reorder updated_at: c2, c3, then c1, then c0.
	for _, i := range []int{1, 0} {
		res := d.tn.Do(t, "PUT", "/counterparty/"+d.cp+"/customers/"+guids[i], map[string]any{"is_disabled": i == 1})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	}
	for i, g := range guids {
		res := d.tn.Do(t, "GET", "/counterparty/"+d.cp+"/customers/"+g, nil)
		require.Equal(t, http.StatusOK, res.Status)
		d.c[i] = res.Map(t)
	}
	lookAlike := func() map[string]any {
		m := map[string]any{}
		for k, v := range bodies[0] {
			m[k] = v
		}
		delete(m, "iban")
		return m
	}
	sibling := newCounterparty(t, d.tn, "Kafue Bank")
	decoy := lookAlike()
	decoy["iban"] = "NL91ABNA0417164300"
	d.decoy = newWalletCustomer(t, d.tn, sibling, decoy)["customer_guid"].(string)
	other := b.env.NewTenant(t, apitest.TenantOptions{})
	foreign := lookAlike()
	foreign["iban"] = "GB82WEST12345698765432"
	newWalletCustomer(t, other, newCounterparty(t, other, "Other Bank"), foreign)
	return d
}

func (d walletListData) guid(i int) string { return d.c[i]["customer_guid"].(string) }

func TestWalletCustomerListFilters(t *testing.T) {
	t.Parallel()
	d := seedWalletList(t)
	at := func(i int, field string) string { return d.c[i][field].(string) }
	for _, tc := range []struct {
		name  string
		query url.Values
		want  []int
	}{
		{"none", url.Values{}, []int{0, 1, 2, 3}},
		{"wallet_user_guids", url.Values{"wallet_user_guids": {d.guid(1), d.guid(3), d.decoy}}, []int{1, 3}},
		{"logins", url.Values{"logins": {"jane@example.com", "chanda_99", "nobody"}}, []int{0, 3}},
		{"logins, exact", url.Values{"logins": {"JANE@example.com", "jane"}}, nil},
		{"kyc_levels", url.Values{"kyc_levels": {"2"}}, []int{1, 3}},
		{"kyc_levels, two", url.Values{"kyc_levels": {"0", "3"}}, []int{0, 2}},
		// The source API types kyc_levels as strings: digits are digits.
		{"kyc_levels, leading zero", url.Values{"kyc_levels": {"02"}}, []int{1, 3}},
		{"kyc_levels, no such level", url.Values{"kyc_levels": {"9"}}, nil},
		{"is_disabled", url.Values{"is_disabled": {"true"}}, []int{1}},
		{"is_disabled false", url.Values{"is_disabled": {"false"}}, []int{0, 2, 3}},
		{"min_balance_allowed", url.Values{"min_balance_allowed": {"100.5"}}, []int{1, 2, 3}},
		{"max_balance_allowed", url.Values{"max_balance_allowed": {"100.5"}}, []int{0, 1}},
		{"balance range", url.Values{"min_balance_allowed": {"100.5000001"}, "max_balance_allowed": {"1000"}}, []int{3}},
		{"balance_asset_codes", url.Values{"balance_asset_codes": {"USDC"}}, []int{1}},
		{"balance_asset_issuers", url.Values{"balance_asset_issuers": {testnetIssuer}}, []int{3}},
		{"branch_guids", url.Values{"branch_guids": {d.branch}}, []int{0}},
		{"names", url.Values{"names": {"Jane"}}, []int{0, 2}},
		{"names, exact", url.Values{"names": {"jane", "Jan"}}, nil},
		{"paternal_names", url.Values{"paternal_names": {"Mwila"}}, []int{0, 2}},
		{"phone_numbers", url.Values{"phone_numbers": {"+260971000002"}}, []int{1}},
		{"segments", url.Values{"segments": {"PL"}}, []int{0, 3}},
		{"segments PI", url.Values{"segments": {"PI"}}, []int{1}},
		{"statuses", url.Values{"statuses": {"active"}}, []int{0, 3}},
		{"surnames", url.Values{"surnames": {"Banda", "Phiri"}}, []int{0, 1, 3}},
		{"min_created_at", url.Values{"min_created_at": {at(1, "created_at")}}, []int{1, 2, 3}},
		{"max_created_at", url.Values{"max_created_at": {at(1, "created_at")}}, []int{0, 1}},
		{"created range", url.Values{"min_created_at": {at(1, "created_at")}, "max_created_at": {at(2, "created_at")}}, []int{1, 2}},
		{"min_updated_at", url.Values{"min_updated_at": {at(1, "updated_at")}}, []int{0, 1}},
		{"max_updated_at", url.Values{"max_updated_at": {at(3, "updated_at")}}, []int{2, 3}},
		{"search, name, any case", url.Values{"search_string": {"jAN"}}, []int{0, 2}},
		{"search, surname", url.Values{"search_string": {"banda"}}, []int{0, 3}},
		{"search, login", url.Values{"search_string": {"example.COM"}}, []int{0}},
		{"search, underscore is literal", url.Values{"search_string": {"a_9"}}, []int{3}},
		{"search, percent is literal", url.Values{"search_string": {"%"}}, nil},
		{"search, account guid", url.Values{"search_string": {d.accounts[1]}}, []int{1}},
		{"search, customer guid", url.Values{"search_string": {d.guid(2)}}, []int{2}},
		{"search, IBAN in any form", url.Values{"search_string": {"de89 3704 0044 0532 0130 00"}}, []int{3}},
		{"search, another counterparty's IBAN", url.Values{"search_string": {"NL91ABNA0417164300"}}, nil},
		{"search, another counterparty's customer", url.Values{"search_string": {d.decoy}}, nil},
		{"search, nothing", url.Values{"search_string": {"nobody"}}, nil},
		{"combined", url.Values{"names": {"Jane"}, "is_disabled": {"false"}, "kyc_levels": {"3"}, "search_string": {"mwale"}}, []int{2}},
		{"combined, no match", url.Values{"names": {"Jane"}, "is_disabled": {"true"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := []string{}
			for _, i := range tc.want {
				want = append(want, d.guid(i))
			}
			got, total := walletCustomers(t, d.tn, d.cp, tc.query)
			require.Equal(t, want, guidsOf(got, "customer_guid"))
			require.EqualValues(t, len(want), total)
			for i, c := range got { // listed as GET shows them
				require.Equal(t, d.c[tc.want[i]], c)
			}
			if len(want) > 1 { // a short page still counts every match
				q := url.Values{"limit": {"1"}}
				for k, v := range tc.query {
					q[k] = v
				}
				got, total = walletCustomers(t, d.tn, d.cp, q)
				require.Equal(t, want[:1], guidsOf(got, "customer_guid"))
				require.EqualValues(t, len(want), total)
			}
		})
	}
}

// TestWalletCustomerListOrdering: each ordering, ascending and descending,
// walked page by page at several page sizes, gives the same stable order
// (ties by creation, absent values last ascending and first descending).
func TestWalletCustomerListOrdering(t *testing.T) {
	t.Parallel()
	d := seedWalletList(t)
	for field, asc := range map[string][]int{
		"created_at":      {0, 1, 2, 3},
		"updated_at":      {2, 3, 1, 0},
		"name":            {0, 2, 1, 3},
		"surname":         {0, 3, 2, 1},
		"login":           {1, 3, 0, 2},
		"kyc_level":       {0, 1, 3, 2},
		"balance_allowed": {0, 1, 3, 2},
	} {
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			for _, desc := range []bool{false, true} {
				order := slices.Clone(asc)
				ordering := field
				if desc {
					slices.Reverse(order)
					ordering = "-" + field
				}
				want := []string{}
				for _, i := range order {
					want = append(want, d.guid(i))
				}
				for _, limit := range []int{1, 3, 4} {
					var walked []string
					for offset := 0; offset < len(want)+limit; offset += limit {
						got, total := walletCustomers(t, d.tn, d.cp, url.Values{
							"ordering": {ordering}, "limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)},
						})
						require.EqualValues(t, len(want), total, "%s limit=%d offset=%d", ordering, limit, offset)
						walked = append(walked, guidsOf(got, "customer_guid")...)
					}
					require.Equal(t, want, walked, "%s limit=%d", ordering, limit)
				}
			}
		})
	}
	// Without ordering, the oldest first.
	got, _ := walletCustomers(t, d.tn, d.cp, url.Values{})
	require.Equal(t, []string{d.guid(0), d.guid(1), d.guid(2), d.guid(3)}, guidsOf(got, "customer_guid"))
}
