package graph

import (
	"testing"

	"github.com/areagraph/areagraph/graph/generated"
)

// TestEveryInitiativeFieldNamesItsParts fails until a new field of
// Initiative says in initiativeParts which parts of the record it reads:
// unlisted, it makes every list that selects it read whole records.
func TestEveryInitiativeFieldNamesItsParts(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	def := schema.Types["Initiative"]
	if def == nil {
		t.Fatal("the schema has no Initiative")
	}
	fields := map[string]bool{"__typename": true}
	for _, f := range def.Fields {
		fields[f.Name] = true
		if _, ok := initiativeParts[f.Name]; !ok {
			t.Errorf("Initiative.%s: say in initiativeParts (graph/parts.go) which parts of the record it reads", f.Name)
		}
	}
	for name := range initiativeParts {
		if !fields[name] {
			t.Errorf("initiativeParts lists %s, which Initiative does not have", name)
		}
	}
}
