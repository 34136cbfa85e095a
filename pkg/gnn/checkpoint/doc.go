// Package checkpoint owns model checkpoints in the safetensors format
// (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length, a JSON header mapping tensor names to dtype, shape and
// byte offsets (plus a "__metadata__" string map), then the raw
// little-endian data. Python's safetensors.torch.load_file reads the files
// this package writes, giving a state_dict with PyG's parameter names;
// the trainer stores the config that produced a checkpoint in its
// metadata.
//
// Writes are atomic (a temporary file renamed into place), so a failed
// save leaves any previous checkpoint intact. Decoding validates every
// field and never panics on malformed input.
package checkpoint
