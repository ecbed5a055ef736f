package transfer

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
)

// checkStatValues holds what a statistics reader yields from any input to
// what the long CSV reader promises: an error names the file, comes
// without a value and ends the sequence; every value passes the store's
// checks and holds text a store keeps.
func checkStatValues(t *testing.T, name string, seq func(yield func(*db.ValueInput, error) bool)) {
	t.Helper()
	n := 0
	for v, err := range seq {
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") || len(err.Error()) <= len(name+": ") {
				t.Fatalf("error without the file's name or a message: %q", err)
			}
			if v != nil {
				t.Fatalf("error %v with a value", err)
			}
			return
		}
		n++
		if err := v.Check(n); err != nil {
			t.Fatalf("accepted value %d fails its check: %v", n, err)
		}
		for _, s := range []string{v.AreaCode, v.IndicatorCode, string(v.Sex)} {
			if s == "" || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("accepted value %d holds text no store keeps: %q", n, s)
			}
		}
	}
}

func seedFile(f *testing.F, name string) {
	b, err := os.ReadFile("testdata/stats/" + name)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

// FuzzReadValuesJSONStat reads a JSON-stat dataset with SCB's dimensions:
// with one indicator for all, fixing SCB's age dimension, and with a
// measure of counts.
func FuzzReadValuesJSONStat(f *testing.F) {
	seedFile(f, "BE0101N1.json")
	seedFile(f, "deso_employment.json")
	for _, s := range []string{
		dataset(`,"value":[1,2.5],"status":"p"`), dataset(`,"status":[null,".."],"value":[1,2]`),
		dataset(`,"value":{"1":3},"status":{"0":".."}`), dataset(`,"value":{"1":null,"0":7},"status":["",".."]`),
		dataset(`,"value":["..",null]`), dataset(`,"value":[1e999,-0]`), dataset(`,"value":{"7":1}`),
		shareAndCount(`["Region","Kon","ContentsCode","Tid"]`, `,"value":[80.5,1200,76,1150,70.1,null,66,980],"status":{"5":".."}`),
		shareAndCount(`["ContentsCode","Region","Kon","Tid"]`, `,"value":{"7":980,"6":66,"0":80.5}`),
		`{"dataset":{"value":[]}}`, `null`, `[]`, ``, `{"class":"dataset","id":["Region"],"size":[0],"value":[]}`,
		`{"class":"dataset","id":["Region","Tid"],"size":[1,1],"dimension":{"Region":{"category":{"index":{"1490":0}}},` +
			`"Tid":{"category":{"index":{"2023":0}}}},"value":[1]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []StatMapping{{Indicator: "population"}, {Indicators: map[string]string{"BE0101N1": "population",
			"X1": "unemployment"}, Fixed: map[string]string{"Alder": "tot"}}, {Indicator: "population", CountMeasure: "N"}} {
			checkStatValues(t, "fuzz.json", ReadValuesJSONStat(bytes.NewReader(data), "fuzz.json", m, Skipped{}))
		}
	})
}

// FuzzReadValuesKolada reads a Kolada data answer, its key figures mapped
// by code.
func FuzzReadValuesKolada(f *testing.F) {
	seedFile(f, "N00945.json")
	for _, s := range []string{
		kolada(`{"kpi":"N00945","municipality":"1490","period":"2021","values":[{"gender":"T","value":-0.5,"count":3}]}`),
		kolada(`{"kpi":"N00945","municipality":"1490","period":2023,"values":[{"gender":"F","value":1}]}`),
		kolada(`{"kpi":"N15033","ou":"V15E144001301","period":2023,"values":[]}`),
		kolada(`{"kpi":"N00945","municipality":"14\u000090","period":2023,"values":[{"gender":"K","value":null,"status":"Missing"}]}`),
		kolada(`{"kpi":"N00945","municipality":"Bor` + "\xe5" + `s","period":2023,"values":[]}`),
		`{"count":0}`, `{"values":{}}`, `[]`, ``, `{"values":[1,`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := StatMapping{Indicators: map[string]string{"N00945": "unemployment"}}
		checkStatValues(t, "fuzz.json", ReadValuesKolada(bytes.NewReader(data), "fuzz.json", m, Skipped{}))
	})
}

// FuzzReadValuesSCBCSV reads SCB's CSV export, the age column fixed, and
// with a measure of counts.
func FuzzReadValuesSCBCSV(f *testing.F) {
	seedFile(f, "BE0101N1.csv")
	seedFile(f, "deso_employment.csv")
	for _, s := range []string{
		"region;2023\n1490 Borås;4,5\n1490C1010;-\n1490C1020;\n", "\"T\"\n\n\"region\",\"kön\",\"2023\"\n\"1490\",\"män\",\"..\"\n",
		"region,kön,1066\n1490,män,1\n", "region;Andel 2023;Antal 2023\n1490;4,5;1200\n1491;..;-\n1492;1;1,5\n", "region,2023\n\"1490\x00\",1\n", "region,2023\n\"Bor\xe5s\",1e400\n", "", "\"T\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []StatMapping{{Indicator: "population", Fixed: map[string]string{"ålder": "totalt ålder"}},
			{Indicator: "population", CountMeasure: "Antal"}} {
			checkStatValues(t, "fuzz.csv", ReadValuesSCBCSV(bytes.NewReader(data), "fuzz.csv", m, Skipped{}))
		}
	})
}
