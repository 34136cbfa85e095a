package memstore_test

import (
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store/memstore"
	"github.com/gnnscale/gnnscale/pkg/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s := memstore.Open()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
