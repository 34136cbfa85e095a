// Package train owns the training loop the trainer command wires: the
// YAML configuration ([Config], with Hydra-style "key.path=value"
// overrides), data preparation ([LoadData]), full-batch training with
// model selection by validation accuracy ([FullBatch]), and a run's
// outputs ([Run]): per-epoch metrics as JSON lines, a PNG of the curves,
// safetensors checkpoints with their config, and a JSON summary over
// seeds. Later modes (GNNAutoScale, neighbour sampling) add their loops
// here beside FullBatch.
package train
