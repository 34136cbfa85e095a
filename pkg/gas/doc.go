// Package gas owns GNNAutoScale (Fey et al., "GNNAutoScale: Scalable and
// Expressive Graph Neural Networks via Historical Embeddings", ICML 2021)
// training and inference: the scalable models (GCN, GraphSAGE, GAT,
// APPNP, GCNII), push-and-pull through the histories of pkg/history, and
// exact layer-wise inference over all nodes (PyGAS's mini_inference).
//
// # Models as layers
//
// A [Model] is a stack of NumLayers layers; layer i maps the features of a
// batch's nodes (in-batch rows first, then the halo) to the in-batch rows
// of its output. Between layers i and i+1 sits history i (NumLayers-1
// histories, each N x HistoryDim): in training the fresh in-batch rows are
// pushed to it and the halo rows are replaced by the rows pulled from it
// ([Runner.Forward], PyGAS's push_and_pull); in inference every layer runs
// over every batch before the next starts, so each layer reads the exact
// previous layer from its history ([Runner.Infer]). What PyGAS does after
// push_and_pull (dropout) is the start of the next layer here, so training
// and inference share one definition per model.
//
// # Asynchrony and the fence
//
// At the start of a training step [Runner.Forward] queues, for every
// history, a pull of the halo rows (never touched by this step's pushes);
// the pool reads them while the layers before compute. Pushes are queued as
// each layer finishes and complete in the background; [Runner.Fence] (called
// by the trainer after the optimizer step, before the tape is reset) waits
// for them, and the pool starts no pull before every earlier push is done,
// so step t+1 always sees step t's rows. With history.Options.Sync the
// same calls run synchronously and give bit-identical results.
//
// # Data
//
// A [Source] provides node features, labels and split membership by row
// ([MemSource] in memory, [StoreSource] through a store.FeatureStore), so
// a trainer holds only one batch's rows at a time.
package gas
