package transfer

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
)

const desoRegions = 5984

// desoCode is the code of the r-th DeSO of desoDataset.
func desoCode(r int) string { return fmt.Sprintf("%04dC%04d", 114+r/20, r%20*10) }

// desoDataset is a JSON-stat dataset as PxWeb answers for every DeSO of
// the 2018 edition: 5,984 regions × 3 sexes × 10 years of one measure,
// one cell in fifty suppressed.
func desoDataset() []byte {
	const regions, years = desoRegions, 10
	var b bytes.Buffer
	b.WriteString(`{"version":"2.0","class":"dataset","id":["Region","Kon","ContentsCode","Tid"],"size":[`)
	fmt.Fprintf(&b, `%d,3,1,%d],"dimension":{"Region":{"category":{"index":{`, regions, years)
	for r := range regions {
		if r > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s":%d`, desoCode(r), r)
	}
	b.WriteString(`}}},"Kon":{"category":{"index":{"1+2":0,"1":1,"2":2}}},"ContentsCode":{"category":{"index":{"X1":0}}},`)
	b.WriteString(`"Tid":{"category":{"index":[`)
	for y := range years {
		if y > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d"`, 2014+y)
	}
	b.WriteString(`]}}},"value":[`)
	status := []byte(`,"status":{`)
	for i := range regions * 3 * years {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%50 == 49 {
			b.WriteString("null")
			if len(status) > len(`,"status":{`) {
				status = append(status, ',')
			}
			status = append(status, `"`+strconv.Itoa(i)+`":".."`...)
			continue
		}
		b.WriteString(strconv.FormatFloat(float64(i%1000)/10, 'f', -1, 64))
	}
	b.WriteString("]")
	b.Write(status)
	b.WriteString("}}")
	return b.Bytes()
}

// BenchmarkReadValuesJSONStat reads every DeSO's values from a JSON-stat
// dataset: the reader's share of an import, without the store.
func BenchmarkReadValuesJSONStat(b *testing.B) {
	data := desoDataset()
	m := StatMapping{Indicator: "employment_rate"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, err := range ReadValuesJSONStat(bytes.NewReader(data), "deso.json", m, nil) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(len(data)), "file-bytes")
}

// BenchmarkImportValuesJSONStat imports every DeSO's values from a
// JSON-stat dataset into each backend, both passes and the store's
// transaction.
func BenchmarkImportValuesJSONStat(b *testing.B) {
	data := desoDataset()
	for _, backend := range storetest.Backends {
		b.Run(backend.Name, func(b *testing.B) {
			s := backend.Open(b)
			_, err := s.UpsertAreas(b.Context(), operator, func(yield func(*db.AreaInput, error) bool) {
				for r := range desoRegions {
					x, y := 12.0+float64(r%80)*0.02, 57.0+float64(r/80)*0.02
					sq := orb.Polygon{{{x, y}, {x + 0.02, y}, {x + 0.02, y + 0.02}, {x, y + 0.02}, {x, y}}}
					if !yield(&db.AreaInput{Code: desoCode(r), Name: desoCode(r), Kind: db.KindStatisticalArea, Geometry: sq}, nil) {
						return
					}
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			m := StatMapping{Indicator: "employment_rate"}
			b.SetBytes(int64(len(data)))
			var res StatImport
			for b.Loop() {
				if res, err = ImportValuesJSONStat(b.Context(), s, operator, text("deso.json", string(data)), m, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Values.Written()+res.Values.Unchanged)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
