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

// TestPortfolioColumnsAreTheRow: the columns scanPortfolio scans by hand
// are portfolioRow's, in its field order.
func TestPortfolioColumnsAreTheRow(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&portfolioRow{}, &sync.Map{}, schema.NamingStrategy{})
	require.NoError(t, err)
	require.Equal(t, strings.Join(s.DBNames, ", "), portfolioColumns)
}

// TestIdempotencyInsertColumnsAreTheRow: the hand-written insert of
// IdempotencyRepo.Insert names idempotencyRow's columns, in field order.
func TestIdempotencyInsertColumnsAreTheRow(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&idempotencyRow{}, &sync.Map{}, schema.NamingStrategy{})
	require.NoError(t, err)
	cols := strings.Join(s.DBNames, ", ")
	require.Contains(t, strings.ReplaceAll(insertIdempotencyKey, `"key"`, "key"), "("+cols+")")
	require.Equal(t, len(s.DBNames), strings.Count(insertIdempotencyKey, "?"))
}
