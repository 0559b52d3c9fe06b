package store

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm/schema"
)

// TestCustomerColumnsAreTheRow: the columns InvestingRepo.Customer selects
// and scans by hand are customerRow's, in its field order, so that a column
// added to the row is read too (or this fails).
func TestCustomerColumnsAreTheRow(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&customerRow{}, &sync.Map{}, schema.NamingStrategy{})
	require.NoError(t, err)
	require.Equal(t, strings.Join(s.DBNames, ", "), customerColumns)
}
