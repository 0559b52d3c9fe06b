package patch_test

import (
	"testing"

	"github.com/openvest/openvest/internal/patch"
	"github.com/stretchr/testify/require"
)

func TestSet(t *testing.T) {
	t.Parallel()
	name := "Mutale"
	patch.Set(&name, nil)
	require.Equal(t, "Mutale", name, "nil keeps the value")
	patch.Set(&name, new(string))
	require.Empty(t, name, "a pointer to the zero value sets it")
	later := "Zulu"
	patch.Set(&name, &later)
	require.Equal(t, "Zulu", name)
}
