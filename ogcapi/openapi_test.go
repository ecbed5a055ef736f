package ogcapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestAPIDocumentValidates loads /api as an OpenAPI 3.0 document and
// validates it, then checks it names every collection's filters, which
// is how GDAL learns what it may filter on.
func TestAPIDocumentValidates(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	r := c.get("/api", "Accept", "application/vnd.oai.openapi+json;version=3.0")
	if r.status != 200 {
		t.Fatalf("GET /api: %d %s", r.status, r.body)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		t.Fatalf("loading /api: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("/api is not a valid OpenAPI 3.0 document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	items := doc.Paths.Find("/collections/priority-areas/items")
	if items == nil || items.Get == nil {
		t.Fatal("no path for the items of priority-areas")
	}
	var names []string
	for _, p := range items.Get.Parameters {
		names = append(names, p.Value.Name)
	}
	for _, want := range []string{"limit", "bbox", "datetime", "code", "areaType", "name", "parent"} {
		if !slices.Contains(names, want) {
			t.Errorf("priority-areas' items take %v, without %s", names, want)
		}
	}
}
