package storetest

import (
	"strings"
	"testing"

	"github.com/gnnscale/gnnscale/pkg/store/memstore"
)

// TestMetamorphicSequenceIsMostlyValid guards the generator: a sequence
// whose operations mostly fail would compare only error kinds.
func TestMetamorphicSequenceIsMostlyValid(t *testing.T) {
	s := memstore.Open()
	defer s.Close()
	counts := map[string]int{}
	okData := map[string]int{}
	for _, o := range generate(7, 3000) {
		verb := strings.Fields(o.desc)[0]
		res := o.run(t, s)
		counts[verb]++
		if strings.HasPrefix(res, "ok") {
			okData[verb]++
		}
	}
	t.Logf("ops: %v\nsucceeded: %v", counts, okData)
	for verb, frac := range map[string]int{"get": 3, "put": 3, "neighbors": 3, "remove": 3, "get-range": 5, "put-edges": 3} {
		if okData[verb] < counts[verb]/frac {
			t.Errorf("only %d of %d %s ops succeed", okData[verb], counts[verb], verb)
		}
	}
}
