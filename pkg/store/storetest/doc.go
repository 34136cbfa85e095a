// Package storetest is the conformance suite of the pkg/store interfaces.
// Every backend runs it, the way every io/fs implementation runs
// testing/fstest.TestFS: the memory and Pebble backends here, remote clients
// against an in-process server, and any custom backend a user writes.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store {
//			s := store.New(mybackend.New(t.TempDir()))
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// [Run] checks every rule of store.FeatureStore and store.GraphStore: rows
// come back in request order with duplicates; absent rows, unknown
// attributes, out-of-range ids and wrong dimensions give the documented
// sentinel errors naming the row; a failed or cancelled write changes
// nothing; destinations are not retained and returned slices are not
// aliased (modify and re-read); fast paths (GetRange, PutRange) agree with
// the slow paths; neighbour lookups agree with a brute-force scan of the
// edge list; readers run during writes without torn rows (run it with
// -race); Close makes every call fail with store.ErrClosed. [RunDurable]
// adds the checks of a backend that keeps data across Close and reopen, and
// [RunMetamorphic] runs one seeded random operation sequence against
// several backends and requires identical histories.
//
// Randomised checks log their seed; set GNNSCALE_STORETEST_SEED to replay
// one. A capability a backend lacks is skipped, never failed.
package storetest
