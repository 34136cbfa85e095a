// Package history owns GNNAutoScale (GAS) historical embeddings and the
// pinned buffer pool that moves them.
//
// A [Table] holds one hidden layer's last computed embedding of every node
// (N x dim float32): [MemTable] keeps it in memory, [FileTable] in a file,
// memory-mapped (a row is one copy through the page cache) or read and
// written with positional I/O, so histories larger than RAM cost no heap.
// Histories are a cache, not data: a lost table restarts at zero and the
// next refresh repairs it. Pushes and pulls never carry
// gradients; they copy values.
//
// A [Pool] owns PoolSize buffers of BufferSize x Dim float32, allocated once
// outside the Go heap and page-locked (mlock) where the system allows, and
// runs pulls and pushes asynchronously:
//
//   - [Pool.Pull] queues a read of rows (contiguous ranges first, then
//     arbitrary ids) into the next free buffer. Pulls start in FIFO order
//     with at most PoolSize in flight; [PullHandle.Wait] returns the filled
//     buffer, which the caller owns until [PullHandle.Release].
//   - [Pool.Push] queues a write of a batch's fresh rows into contiguous
//     ranges of a table. The source matrix must not be modified until the
//     push completes ([PushHandle.Wait] or [Pool.Fence]).
//   - Ordering: a pull never starts before every push submitted before it
//     has completed, and [Pool.Fence] waits for every push submitted so far.
//     This is the step fence GAS needs (pushes of step t complete before
//     step t+1 pulls), made explicit instead of PyGAS's device-wide sync.
//     Pulls queued at the start of a step for the halo rows of every layer
//     run concurrently with that step's pushes, which only touch in-batch
//     rows.
//
// With Options.Sync the same calls run on the caller's goroutine (a pull
// reads when it is waited on, a push writes when it is submitted), so a run
// is bit-identical in both modes; use it to measure what asynchrony hides.
//
// A Pool is safe for use by one trainer goroutine; handles may be waited on
// from any goroutine. Close stops and joins the pool's goroutines.
package history
