package history

import "testing"

func TestPinnedBuffers(t *testing.T) {
	pool, err := NewPool(Options{PoolSize: 3, BufferSize: 1000, Dim: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// Whether mlock is allowed depends on the machine; log, don't fail.
	t.Logf("pinned = %v", pool.Pinned())
	for i := 0; i < 3; i++ {
		b := <-pool.free
		b.m.Fill(float32(i)) // the mapping is writable end to end
		if b.m.At(999, 63) != float32(i) {
			t.Fatal("buffer not writable")
		}
		pool.free <- b
	}
}
