package demo

import (
	_ "embed"
	"fmt"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// borasGeoJSON is Borås' real outline: the feature with id "1490" copied
// unchanged from okfse/sweden-geojson, which derives it from Valmyndigheten's
// municipality boundaries (simplified with mapshaper to about 2 % of the
// vertices). It spans 12.633–13.309 E, 57.557–57.934 N.
//
//go:embed boras.geojson
var borasGeoJSON []byte

// Area ids. They are public and stable: the municipality first, then the
// districts, then the priority areas, in the order below.
const (
	areaBoras int64 = iota + 1

	areaCentrum
	areaNorrbyDistrict
	areaSjoboDistrict
	areaHassleholmenDistrict
	areaHultaDistrict
	areaHestra
	areaBramhult
	areaNorrmalm
	areaGotaDistrict
	areaByttorp
	areaTrandared

	areaNorrby
	areaSjobo
	areaHassleholmen
	areaHulta
	areaGota
)

// Area codes. The municipality keeps its official code, 1490. Districts and
// priority areas have no official codes, so the demo makes them from it: the
// municipality code, "D" for a district or "P" for a priority area, and a
// two-digit number ("1490-D02", "1490-P01"). The dash keeps them apart from
// SCB's DeSO and RegSO codes ("1490C1010"), which an import may add later.
const codeBoras = "1490"

// Shared vertices of the district map. Neighbouring districts are built from
// the same points so that their common edges coincide exactly: no gaps, no
// overlaps, and no vertex of one district lying on an edge of another. Lines
// run roughly north–south (longitude) and east–west (latitude) through the
// town, bent where a railway, a road or the river Viskan makes the real
// border. Coordinates are lon, lat in WGS 84.
var (
	// Longitude 12.929: the railway west of the centre and of Norrby.
	bS0        = orb.Point{12.9290, 57.7000}
	bM1        = orb.Point{12.9290, 57.7135}
	bH1        = orb.Point{12.9290, 57.7200}
	bM2        = orb.Point{12.9290, 57.7245}
	norrbyRail = orb.Point{12.9282, 57.7295} // where the railway bends round Norrby
	bM3        = orb.Point{12.9290, 57.7340}
	bHN        = orb.Point{12.9290, 57.7450}
	wH1        = orb.Point{12.8850, 57.7200} // Hestra and Trandared/Druvefors meet in the west

	// Between the centre and Norrby, and Norrby's east side.
	centreRail = orb.Point{12.9365, 57.7238}
	cM2        = orb.Point{12.9440, 57.7245}
	cM3        = orb.Point{12.9440, 57.7340}
	viskanM3   = orb.Point{12.9400, 57.7340} // Viskan reaches Boråsparken

	// Göta and Byttorp, south of the centre.
	c2Byttorp = orb.Point{12.9460, 57.6970}
	c2S0      = orb.Point{12.9460, 57.7000}
	c2Bend    = orb.Point{12.9470, 57.7065}
	c2M1      = orb.Point{12.9460, 57.7135}
	bytBend   = orb.Point{12.9780, 57.7125}

	// East of the centre: Östermalm, Hässleholmen, Hulta, Brämhult.
	dM1     = orb.Point{12.9590, 57.7135}
	dM2     = orb.Point{12.9590, 57.7245}
	eM1     = orb.Point{12.9660, 57.7135}
	eBend   = orb.Point{12.9668, 57.7240}
	eM3     = orb.Point{12.9660, 57.7340}
	eHN     = orb.Point{12.9660, 57.7500}
	eSN     = orb.Point{12.9660, 57.7570}
	fM1     = orb.Point{12.9900, 57.7135}
	fBend   = orb.Point{12.9915, 57.7240}
	fM3     = orb.Point{12.9900, 57.7340}
	hultaSE = orb.Point{13.0020, 57.7340}
)

// ring closes a list of vertices into a ring. Literals list each vertex once;
// the closing point is added here so that it is always exactly the first.
func ring(pts ...orb.Point) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	r = append(r, pts...)
	return append(r, pts[0])
}

type areaSpec struct {
	id       int64
	code     string
	name     string
	areaType int
	geometry orb.Geometry
	desc     string
}

func areas() []*db.Area {
	out := []*db.Area{municipality()}
	for _, d := range districts() {
		out = append(out, &db.Area{
			ID:          d.id,
			Code:        d.code,
			Name:        d.name,
			Kind:        db.KindDistrict,
			ParentID:    areaBoras,
			Geometry:    d.geometry,
			Description: d.desc,
		})
	}
	// The programme began in 2019; Göta joined the area development work
	// later. ValidFrom records when each became a priority area, while its
	// indicator values reach back to 2015 to show the trend before.
	from := map[int64]int{areaNorrby: 2019, areaSjobo: 2019, areaHassleholmen: 2019, areaHulta: 2019, areaGota: 2023}
	for _, p := range priorityAreas() {
		out = append(out, &db.Area{
			ID:          p.id,
			Code:        p.code,
			Name:        p.name,
			Kind:        db.KindPriorityArea,
			AreaType:    p.areaType,
			ParentID:    parentOf[p.id],
			Geometry:    p.geometry,
			ValidFrom:   day(from[p.id], 1, 1),
			Description: p.desc,
		})
	}
	out = append(out, statisticalAreas()...)
	for i, a := range out {
		if a.ID != int64(i+1) {
			panic(fmt.Sprintf("demo: area %q has id %d at position %d", a.Name, a.ID, i+1))
		}
	}
	return out
}

// parentOf maps each priority area to the district it lies in.
var parentOf = map[int64]int64{
	areaNorrby:       areaNorrbyDistrict,
	areaSjobo:        areaSjoboDistrict,
	areaHassleholmen: areaHassleholmenDistrict,
	areaHulta:        areaHultaDistrict,
	areaGota:         areaGotaDistrict,
}

// municipality decodes the embedded outline, afresh on every call so that
// callers get their own copy. It reads the Feature with the service's own
// GeoJSON parser rather than orb/geojson, which would pull a BSON library
// into the binary. The file is part of the binary, so a failure here is a
// defect in the build, not a runtime condition; the package tests decode it
// on every run.
func municipality() *db.Area {
	g, err := geo.ParseGeoJSON(borasGeoJSON)
	if err != nil {
		panic("demo: boras.geojson: " + err.Error())
	}
	return &db.Area{
		ID:       areaBoras,
		Code:     codeBoras,
		Name:     "Borås",
		Kind:     db.KindMunicipality,
		Geometry: g,
		Description: "Borås municipality in Västra Götaland: about 113,000 residents (2019) on 973 km² " +
			"including water, some 74,000 of them in the town. Outline from okfse/sweden-geojson, derived " +
			"from Valmyndigheten's municipality boundaries and simplified.",
	}
}

func districts() []areaSpec {
	const drawn = " Illustrative outline drawn to sit where the district lies; not an official boundary."
	return []areaSpec{
		{areaCentrum, "1490-D01", "Centrum", 0, orb.Polygon{ring(
			bM1, c2M1, dM1, dM2, cM2, centreRail, bM2, bH1,
		)}, "The town centre round Stora torget, with the city hall, the library and the university." + drawn},
		{areaNorrbyDistrict, "1490-D02", "Norrby", 0, orb.Polygon{ring(
			bM2, centreRail, cM2, cM3, viskanM3, bM3, norrbyRail,
		)}, "North of the centre, ringed by the railway on two sides and busy roads on the others." + drawn},
		{areaSjoboDistrict, "1490-D03", "Sjöbo", 0, orb.Polygon{ring(
			viskanM3, cM3, eM3, eHN, eSN,
			orb.Point{12.9600, 57.7585}, orb.Point{12.9530, 57.7575}, orb.Point{12.9460, 57.7592},
			orb.Point{12.9395, 57.7580}, // the shore of Örsesjön ends at Viskan
			orb.Point{12.9378, 57.7530}, orb.Point{12.9370, 57.7480}, orb.Point{12.9392, 57.7430},
			orb.Point{12.9385, 57.7385},
		)}, "Northern Borås from Boråsparken to the shore of Örsesjön, with the river Viskan as its western " +
			"border; about 7,000 residents." + drawn},
		{areaHassleholmenDistrict, "1490-D04", "Hässleholmen", 0, orb.Polygon{ring(
			eM1, bytBend, fM1, fBend, fM3, eM3, eBend,
		)}, "East of the centre; large rental estates from the 1960s and 1970s." + drawn},
		{areaHultaDistrict, "1490-D05", "Hulta", 0, orb.Polygon{ring(
			eM3, fM3, hultaSE, orb.Point{13.0045, 57.7420}, orb.Point{13.0020, 57.7500},
			orb.Point{12.9850, 57.7515}, eHN,
		)}, "North-east of the centre, round Hulta torg and Mötesplats Hulta." + drawn},
		{areaHestra, "1490-D06", "Hestra", 0, orb.Polygon{ring(
			wH1, bH1, bM2, norrbyRail, bM3, bHN,
			orb.Point{12.9100, 57.7470}, orb.Point{12.8850, 57.7430}, orb.Point{12.8820, 57.7320},
		)}, "North-west; mostly detached houses." + drawn},
		{areaBramhult, "1490-D07", "Brämhult", 0, orb.Polygon{ring(
			fM1, orb.Point{13.0100, 57.7120}, orb.Point{13.0300, 57.7150}, orb.Point{13.0320, 57.7250},
			orb.Point{13.0300, 57.7340}, hultaSE, fM3, fBend,
		)}, "Eastern Borås; detached and terraced houses." + drawn},
		{areaNorrmalm, "1490-D08", "Norrmalm/Östermalm", 0, orb.Polygon{ring(
			dM1, eM1, eBend, eM3, cM3, cM2, dM2,
		)}, "Inner-city blocks north and east of the centre, with the hospital." + drawn},
		{areaGotaDistrict, "1490-D09", "Göta", 0, orb.Polygon{ring(
			bS0, orb.Point{12.9380, 57.6990}, c2S0, c2Bend, c2M1, bM1,
		)}, "South of the centre." + drawn},
		{areaByttorp, "1490-D10", "Byttorp", 0, orb.Polygon{ring(
			c2Byttorp, orb.Point{12.9700, 57.6955}, orb.Point{12.9900, 57.6990}, fM1, bytBend, eM1, dM1,
			c2M1, c2Bend, c2S0,
		)}, "South-east of the centre." + drawn},
		{areaTrandared, "1490-D11", "Trandared/Druvefors", 0, orb.Polygon{ring(
			orb.Point{12.8850, 57.7000}, orb.Point{12.9100, 57.6985}, bS0, bM1, bH1, wH1,
			orb.Point{12.8830, 57.7100},
		)}, "West and south-west of the centre along Viskan, with the textile-industry heritage of Druvefors." + drawn},
	}
}

// Named places inside the priority areas and the town. Initiatives and
// organisations use them as locations; each lies inside the area it names.
var (
	locNorrbyhuset   = orb.Point{12.9352, 57.7290} // youth activities, library, citizen service, café
	locNorrbyskolan  = orb.Point{12.9385, 57.7272}
	locNorrbyIP      = orb.Point{12.9330, 57.7305}
	locSjoboTorg     = orb.Point{12.9505, 57.7432}
	locSjoboskolan   = orb.Point{12.9550, 57.7455}
	locSjoboNorth    = orb.Point{12.9520, 57.7525} // the northern blocks towards Örsesjön
	locHassleCentrum = orb.Point{12.9722, 57.7288}
	locHassleSkolan  = orb.Point{12.9830, 57.7225}
	locHassleLibrary = orb.Point{12.9718, 57.7235}
	locHultaTorg     = orb.Point{12.9842, 57.7410}
	locMotesplats    = orb.Point{12.9858, 57.7402} // Mötesplats Hulta
	locHultaskolan   = orb.Point{12.9775, 57.7440}
	locGotaSkolan    = orb.Point{12.9368, 57.7070}
	locGotaTraff     = orb.Point{12.9405, 57.7080}
	locStadshuset    = orb.Point{12.9395, 57.7205}
	locStadsbibl     = orb.Point{12.9370, 57.7215}
	locAFBoras       = orb.Point{12.9420, 57.7190}
	locHogskolan     = orb.Point{12.9335, 57.7195}
	locViared        = orb.Point{12.8740, 57.7095} // logistics and e-commerce west of the town
	locDjurpark      = orb.Point{12.9270, 57.7400}
	locSAS           = orb.Point{12.9620, 57.7265} // the hospital
)

// priorityAreas are the areas of the area development work. Together they
// use every geometry form an area can take: Sjöbo is a MultiPolygon of two
// parts and Hässleholmen a Polygon with a hole, so clients and backends meet
// both in the demo.
func priorityAreas() []areaSpec {
	const drawn = " Illustrative outline; not an official boundary."
	return []areaSpec{
		{areaNorrby, "1490-P01", "Norrby", 1, orb.Polygon{ring(
			orb.Point{12.9318, 57.7260}, orb.Point{12.9375, 57.7256}, orb.Point{12.9412, 57.7268},
			orb.Point{12.9416, 57.7300}, orb.Point{12.9398, 57.7318}, orb.Point{12.9345, 57.7320},
			orb.Point{12.9312, 57.7305}, orb.Point{12.9309, 57.7280},
		)}, "About 4,000 residents, over half born abroad or foreign citizens and a third under 18; about " +
			"1,200 flats, over 80 % rented, mostly from AB Bostäder. Norrbyhuset holds youth activities, a " +
			"library, citizen service and a café. The action plan is called Drömmen om Norrby." + drawn},
		{areaSjobo, "1490-P02", "Sjöbo", 2, orb.MultiPolygon{
			{ring(
				orb.Point{12.9440, 57.7398}, orb.Point{12.9520, 57.7392}, orb.Point{12.9578, 57.7405},
				orb.Point{12.9585, 57.7448}, orb.Point{12.9545, 57.7472}, orb.Point{12.9470, 57.7470},
				orb.Point{12.9432, 57.7440},
			)},
			{ring(
				orb.Point{12.9465, 57.7505}, orb.Point{12.9560, 57.7500}, orb.Point{12.9592, 57.7525},
				orb.Point{12.9555, 57.7552}, orb.Point{12.9480, 57.7550}, orb.Point{12.9455, 57.7530},
			)},
		}, "The rental blocks round Sjöbo torg and the northern blocks towards Örsesjön, two parts split by " +
			"a green belt of villas. In Sjöbo 21 % of residents are 65 or older and 16 % under 18." + drawn},
		{areaHassleholmen, "1490-P03", "Hässleholmen", 1, orb.Polygon{
			ring(
				orb.Point{12.9695, 57.7208}, orb.Point{12.9790, 57.7203}, orb.Point{12.9868, 57.7218},
				orb.Point{12.9872, 57.7290}, orb.Point{12.9840, 57.7315}, orb.Point{12.9745, 57.7318},
				orb.Point{12.9698, 57.7300},
			),
			// The park and playing field in the middle, where no one lives, is
			// left out as a hole; RFC 7946 wants holes clockwise.
			ring(
				orb.Point{12.9755, 57.7248}, orb.Point{12.9760, 57.7272}, orb.Point{12.9800, 57.7274},
				orb.Point{12.9802, 57.7250},
			),
		}, "Rental estates round Hässleholmens centrum; listed with Hulta by the police as a vulnerable " +
			"area. The park in the middle is not part of the area." + drawn},
		{areaHulta, "1490-P04", "Hulta", 2, orb.Polygon{ring(
			orb.Point{12.9725, 57.7368}, orb.Point{12.9860, 57.7362}, orb.Point{12.9955, 57.7380},
			orb.Point{12.9962, 57.7440}, orb.Point{12.9900, 57.7472}, orb.Point{12.9780, 57.7470},
			orb.Point{12.9722, 57.7425},
		)}, "The blocks round Hulta torg and Mötesplats Hulta; listed with Hässleholmen by the police as a " +
			"vulnerable area." + drawn},
		{areaGota, "1490-P05", "Göta", 3, orb.Polygon{ring(
			orb.Point{12.9325, 57.7038}, orb.Point{12.9395, 57.7032}, orb.Point{12.9432, 57.7050},
			orb.Point{12.9428, 57.7098}, orb.Point{12.9370, 57.7106}, orb.Point{12.9322, 57.7085},
		)}, "Rental blocks in Göta, part of the area development work since 2023." + drawn},
	}
}
