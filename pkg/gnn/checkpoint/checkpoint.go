package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	ad "github.com/gnnscale/gnnscale/pkg/gnn/autodiff"
)

// FromParams builds a File from named parameters (values copied), with
// each tensor in its parameter's checkpoint shape.
func FromParams(params []ad.Named, metadata map[string]string) (*File, error) {
	if err := ad.CheckNames(params); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	f := &File{Tensors: make(map[string]Tensor, len(params)), Metadata: metadata}
	for _, p := range params {
		v := p.Param.Value
		data := make([]float32, 0, v.Rows*v.Cols)
		for i := 0; i < v.Rows; i++ {
			data = append(data, v.Row(i)...)
		}
		f.Tensors[p.Name] = Tensor{Shape: slices.Clone(p.Param.Shape), Data: data}
	}
	return f, nil
}

// Save writes the parameters and metadata to path atomically: the data
// goes to a temporary file in the same directory, is synced and renamed
// over path, so a failure leaves any existing file untouched.
func Save(path string, params []ad.Named, metadata map[string]string) error {
	f, err := FromParams(params, metadata)
	if err != nil {
		return err
	}
	b, err := Encode(f)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, b)
}

// WriteFileAtomic writes b to path through a synced temporary file and a
// rename.
func WriteFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("checkpoint: sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint: close %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads and decodes the file at path.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	f, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Restore copies the tensors of f into the parameters. Every parameter
// must be present with its shape; tensors the model does not have are an
// error too (a checkpoint of another model). On error no parameter is
// changed. Errors wrap ErrMismatch.
func Restore(f *File, params []ad.Named) error {
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		t, ok := f.Tensors[p.Name]
		if !ok {
			return fmt.Errorf("%w: tensor %q missing", ErrMismatch, p.Name)
		}
		if !slices.Equal(t.Shape, p.Param.Shape) {
			return fmt.Errorf("%w: tensor %q has shape %v, model wants %v", ErrMismatch, p.Name, t.Shape, p.Param.Shape)
		}
		seen[p.Name] = true
	}
	for name := range f.Tensors {
		if !seen[name] {
			return fmt.Errorf("%w: checkpoint has tensor %q the model lacks", ErrMismatch, name)
		}
	}
	for _, p := range params {
		t := f.Tensors[p.Name]
		v := p.Param.Value
		for i := 0; i < v.Rows; i++ {
			copy(v.Row(i), t.Data[i*v.Cols:(i+1)*v.Cols])
		}
	}
	return nil
}
