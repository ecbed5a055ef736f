package ogcapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// benchmarkItems serves one items request through the whole server on
// the embedded demo, without the network.
func benchmarkItems(b *testing.B, path string) {
	h := server.New(storetest.Demo(b), server.Config{Log: slog.New(slog.DiscardHandler), MaxInFlight: -1})
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkItemsPage is a page of ten initiatives, as GDAL asks by default.
func BenchmarkItemsPage(b *testing.B) {
	benchmarkItems(b, "/collections/initiatives/items?limit=10&offset=20")
}

// BenchmarkItemsAreasSWEREF is every district, converted to SWEREF 99 TM.
func BenchmarkItemsAreasSWEREF(b *testing.B) {
	benchmarkItems(b, "/collections/districts/items?crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3006"))
}

// BenchmarkItemsFiltered scans all initiatives with a CQL2 filter.
func BenchmarkItemsFiltered(b *testing.B) {
	benchmarkItems(b, "/collections/initiatives/items?"+url.Values{"filter": {"status = 'ACTIVE' AND title LIKE '%a%' AND S_INTERSECTS(geometry, BBOX(12.8, 57.6, 13.1, 57.8))"}}.Encode())
}

// BenchmarkItemsPageAfter is the page a next link asks for: ten
// initiatives after a place.
func BenchmarkItemsPageAfter(b *testing.B) {
	benchmarkItems(b, "/collections/initiatives/items?limit=10&after="+db.Key{ID: 20}.Cursor())
}

// BenchmarkItemsFilteredAfter is a next page of the filtered scan: the
// whole set is still read, for numberMatched.
func BenchmarkItemsFilteredAfter(b *testing.B) {
	benchmarkItems(b, "/collections/initiatives/items?limit=2&after="+db.Key{ID: 10}.Cursor()+"&"+url.Values{"filter": {"status = 'ACTIVE' AND title LIKE '%a%' AND S_INTERSECTS(geometry, BBOX(12.8, 57.6, 13.1, 57.8))"}}.Encode())
}
