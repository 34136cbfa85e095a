// Package optim owns the optimizers that update parameters from their
// gradients: [Adam], [AdamW] (decoupled weight decay) and [SGD] with
// momentum, each following PyTorch's torch.optim update rule exactly, plus
// gradient-norm clipping. Parameters are grouped ([Group]) so that, as in
// PyG's and PyGAS's examples, some get weight decay and others do not.
//
// Parameters without a gradient since the last ZeroGrad (frozen ones,
// running statistics) are skipped, as PyTorch skips p.grad is None.
package optim
