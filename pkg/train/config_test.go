package train

import (
	"errors"
	"strings"
	"testing"
)

func TestParseOverrides(t *testing.T) {
	base := []byte("mode: full\ndataset:\n  name: cora\nmodel:\n  name: gcn\n  hidden: 16\noptim:\n  lr: 0.01\n")
	tests := []struct {
		name  string
		sets  []string
		check func(*Config) bool
		err   string
	}{
		{"replace", []string{"dataset.name=amazon-photo", "model.name=gat"}, func(c *Config) bool {
			return c.Dataset.Name == "amazon-photo" && c.Model.Name == "gat" && c.Name == "gat-amazon-photo"
		}, ""},
		{"types", []string{"model.hidden=64", "optim.lr=5e-3", "model.drop_input=false"}, func(c *Config) bool {
			return c.Model.Hidden == 64 && c.Optim.LR == 0.005 && !*c.Model.DropInput
		}, ""},
		{"new_section", []string{"train.epochs=7", "dataset.sbm.nodes=100"}, func(c *Config) bool {
			return c.Train.Epochs == 7 && c.Dataset.SBM.Nodes == 100
		}, ""},
		{"defaults", nil, func(c *Config) bool {
			return c.Train.Epochs == 200 && c.Optim.Name == "adam" && c.Output.Dir == "runs" && c.Model.Layers == 2
		}, ""},
		{"unknown_key", []string{"model.hiden=3"}, nil, "field hiden not found"},
		{"bad_type", []string{"model.hidden=lots"}, nil, "cannot unmarshal"},
		{"not_mapping", []string{"mode.x=1"}, nil, "mode is not a mapping"},
		{"no_equals", []string{"model.hidden"}, nil, "want key.path=value"},
		{"empty_segment", []string{"model..hidden=1"}, nil, "empty key segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(base, tt.sets)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrConfig) {
					t.Fatalf("Parse = %v, want error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("config after overrides: %+v", c)
			}
		})
	}
}

func TestValidateReportsEverything(t *testing.T) {
	c, err := Parse([]byte("mode: minibatch\nneighbor: {fanouts: [0], batch_size: -1}\nmodel: {name: gcn, dropout: 2}\noptim: {name: rmsprop, lr: -1}\ntrain: {epochs: -3}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("Validate = %v", err)
	}
	for _, want := range []string{"mode:", "dataset.name", "model.dropout", "optim.name", "optim.lr", "train.epochs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("dataset: {name: cora}\nmodel: {name: gat, heads: 4}\n"), "model.hidden=8")
	f.Add([]byte("- a\n- b\n"), "x=1")
	f.Add([]byte("mode: full\n"), "optim.lr=[1, 2]")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		c, err := Parse(data, []string{set})
		if err != nil {
			return
		}
		_ = c.Validate() // must not panic
		if _, err := Parse(c.YAML(), nil); err != nil {
			t.Fatalf("re-parsing the resolved config failed: %v\n%s", err, c.YAML())
		}
	})
}
