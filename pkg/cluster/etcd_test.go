package cluster

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// open connects to etcd at endpoint as cluster "test" until the test ends.
func open(t testing.TB, endpoint string) *Cluster {
	t.Helper()
	c, err := Open(context.Background(), Options{Endpoints: []string{endpoint}, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
