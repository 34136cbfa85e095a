// Package autodiff owns reverse-mode automatic differentiation over
// [tensor.Dense] matrices: a [Tape] records, for every operation, a closure
// that propagates the gradient of its output back to its inputs; [Tape.Backward]
// runs them in reverse order.
//
// Every operation is a method on the Tape and computes through the
// [kernels.Backend] the tape was built with: GEMM, SpMM, gathers, scatters,
// segment softmax and the elementwise maps all go to the backend; the package
// itself only loops over rows for small per-row math the backend does not
// offer (log-softmax, normalisation statistics, dropout masks).
//
// # Values, gradients and memory
//
// A [Var] is a value plus, after Backward, its gradient. Values produced by
// a tape live in buffers the tape owns and reuses: they stay valid until the
// next [Tape.Reset], which returns every buffer to the tape's pool so the
// next step allocates nothing. Copy a value you want to keep past Reset.
// Gradients of intermediate values are released as soon as Backward has
// used them; gradients of leaves ([Param] and [Tape.Leaf]) persist.
//
// # Parameters and modules
//
// A [Param] is a named leaf that persists across tapes and accumulates its
// gradient until [ZeroGrad]. A [Module] lists its parameters with PyTorch's
// state_dict naming ("convs.0.lin.weight"), which optimizers and
// checkpoints use.
//
// # Modes
//
// Training versus evaluation (PyTorch's module.train()/eval()) is a property
// of the tape, not of the modules: [Tape.Training] turns dropout and batch
// statistics on; [Tape.SetNoGrad] stops recording (torch.no_grad()). Random
// operations draw from the tape's seeded generator, so a run is
// deterministic for a given seed and op sequence.
//
// A Tape is not safe for concurrent use; a [Sparse] is.
package autodiff
