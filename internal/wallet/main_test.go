package wallet_test

import (
	"testing"

	"github.com/openvest/openvest/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m, "wallet") }
