//go:build !cuda

package cuda

import (
	"errors"
	"testing"
)

func TestNewWithoutTag(t *testing.T) {
	b, err := New()
	if !errors.Is(err, ErrNotBuilt) || b != nil {
		t.Fatalf("New() = %v, %v; want nil, ErrNotBuilt", b, err)
	}
}
