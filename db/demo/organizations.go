package demo

import (
	"fmt"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// Organisation ids. They are public and stable: employers first, then
// associations, in the order below.
const (
	orgBorasStad int64 = iota + 1
	orgBostader
	orgVGR
	orgArbetsformedlingen
	orgHogskolan
	orgBorasEnergi
	orgEllos
	orgGinaTricot
	orgHemtex
	orgSparbanken
	orgPolisen
	orgSamhall
	orgLernia
	orgPostNord
	orgBorasTaxi
	orgScandic
	orgICAHulta
	orgCoopHassleholmen
	orgICASjobo
	orgNorrbyLivs
	orgViskadalen
	orgTextiltryck
	orgBorasTidning
	orgStadservice
	orgByggFasad
	orgHultaBil
	orgSjoboFrisor
	orgRestaurangHulta
	orgViaredLogistik
	orgDjurpark
	orgRISE
	orgOmsorgshuset
	orgPizzeriaHassle
	orgITPartner

	orgHyresgast
	orgABF
	orgVuxenskolan
	orgBilda
	orgStudieframjandet
	orgIbnRushd
	orgRodaKorset
	orgRaddaBarnen
	orgSvenskaKyrkan
	orgIslamiska
	orgPingst
	orgSomaliska
	orgKvinnoforeningen
	orgElfsborg
	orgNorrbyIF
	orgBorasBasket
	orgYmer
	orgHultaBoxning
	orgSjoboFritid
	orgParasport
	orgFUB
	orgFunktionsratt
	orgAutism
	orgNattvandrarna
	orgForaldrarHulta
	orgForaldrarSjobo
	orgForaldrarNorrby
	orgHultaOdlare
	orgLaxhjalp
	orgScenNorrby
	orgAssyriska
	orgEritreanska
	orgFriskis
	orgStadsmission
	orgCricket
)

// Organisation numbers: the public bodies (the municipality, the region, the
// Public Employment Service, the police and the university) carry their
// published numbers. Every other number is invented in two series, 559900-
// for companies and 802900- for associations, with a valid check digit so
// that validators accept them; they do not identify the organisations they
// are attached to.
func organizations() []*db.Organization {
	type spec struct {
		id       int64
		name     string
		orgNo    string
		loc      orb.Point
		website  string
		areas    []int64
		industry string
		size     db.EmployerSize
		activity string
		employer bool
	}
	emp := func(id int64, name, orgNo string, loc orb.Point, website, industry string, size db.EmployerSize, areas ...int64) spec {
		return spec{id: id, name: name, orgNo: orgNo, loc: loc, website: website, industry: industry, size: size, areas: areas, employer: true}
	}
	assoc := func(id int64, name, orgNo string, loc orb.Point, website, activity string, areas ...int64) spec {
		return spec{id: id, name: name, orgNo: orgNo, loc: loc, website: website, activity: activity, areas: areas}
	}
	// Everything the city's priority-area work touches: used by the
	// organisations that take part in all of it.
	allPriority := []int64{areaNorrby, areaSjobo, areaHassleholmen, areaHulta, areaGota}
	withAll := func(extra ...int64) []int64 { return append(append([]int64{}, extra...), allPriority...) }

	specs := []spec{
		emp(orgBorasStad, "Borås Stad", "212000-1561", locStadshuset, "https://www.boras.se",
			"84.11 General public administration (municipality)", db.SizeLarge, withAll(areaBoras)...),
		emp(orgBostader, "AB Bostäder i Borås", "559900-0014", orb.Point{12.9360, 57.7200}, "https://www.abbostader.se",
			"68.20 Letting of own dwellings (municipal housing company)", db.SizeMedium,
			areaNorrbyDistrict, areaSjoboDistrict, areaHassleholmenDistrict, areaHultaDistrict,
			areaNorrby, areaSjobo, areaHassleholmen, areaHulta),
		emp(orgVGR, "Västra Götalandsregionen, Södra Älvsborgs Sjukhus", "232100-0131", locSAS, "https://www.vgregion.se",
			"86.10 Hospital activities (regional health care)", db.SizeLarge, withAll(areaBoras)...),
		emp(orgArbetsformedlingen, "Arbetsförmedlingen Borås", "202100-2114", locAFBoras, "https://arbetsformedlingen.se",
			"84.13 Public employment service", db.SizeLarge, withAll(areaBoras)...),
		emp(orgHogskolan, "Högskolan i Borås", "202100-3138", locHogskolan, "https://www.hb.se",
			"85.42 Higher education", db.SizeLarge, areaBoras, areaNorrby, areaHassleholmen, areaHulta, areaSjobo),
		emp(orgBorasEnergi, "Borås Energi och Miljö AB", "559900-0022", orb.Point{12.9320, 57.7385}, "https://www.borasem.se",
			"35.30 District heating; 38.11 Waste collection", db.SizeLarge, areaBoras, areaHulta, areaSjobo, areaHassleholmen),
		emp(orgEllos, "Ellos Group AB", "559900-0030", orb.Point{12.8780, 57.7085}, "https://www.ellos.se",
			"47.91 Retail sale via mail order and the internet", db.SizeLarge, areaBoras, areaNorrby, areaHassleholmen),
		emp(orgGinaTricot, "Gina Tricot AB", "559900-0048", orb.Point{12.9200, 57.7150}, "https://www.ginatricot.com",
			"47.71 Retail sale of clothing; fashion design", db.SizeLarge, areaBoras, areaHassleholmen),
		emp(orgHemtex, "Hemtex AB", "559900-0055", orb.Point{12.8800, 57.7040}, "",
			"47.51 Retail sale of home textiles", db.SizeLarge, areaBoras, areaTrandared),
		emp(orgSparbanken, "Sparbanken Sjuhärad AB", "559900-0063", orb.Point{12.9405, 57.7222}, "",
			"64.19 Banking", db.SizeMedium, areaBoras, areaNorrby, areaHassleholmen, areaHulta, areaSjobo),
		emp(orgPolisen, "Polismyndigheten, lokalpolisområde Borås", "202100-0076", orb.Point{12.9445, 57.7175}, "https://polisen.se",
			"84.24 Police", db.SizeLarge, withAll(areaBoras)...),
		emp(orgSamhall, "Samhall AB, Borås", "559900-0071", orb.Point{12.9560, 57.7060}, "https://samhall.se",
			"81.21 Cleaning; supported employment for people with disabilities", db.SizeLarge,
			areaBoras, areaNorrby, areaHassleholmen, areaGota),
		emp(orgLernia, "Lernia Utbildning AB, Borås", "559900-0089", orb.Point{12.9375, 57.7180}, "https://www.lernia.se",
			"85.59 Adult education and vocational training", db.SizeMedium, areaBoras, areaHassleholmen, areaHulta, areaGota),
		emp(orgPostNord, "PostNord TPL AB, Viared", "559900-0097", orb.Point{12.8720, 57.7110}, "",
			"52.10 Warehousing and third-party logistics", db.SizeLarge, areaBoras, areaNorrby, areaHassleholmen, areaHulta),
		emp(orgBorasTaxi, "Borås Taxi AB", "559900-0105", orb.Point{12.9520, 57.7160}, "",
			"49.32 Taxi operation", db.SizeSmall, areaBoras, areaNorrby, areaSjobo),
		emp(orgScandic, "Scandic Plaza Borås", "559900-0113", orb.Point{12.9380, 57.7225}, "",
			"55.10 Hotels and restaurants", db.SizeMedium, areaBoras, areaHassleholmen, areaHulta, areaSjobo),
		emp(orgICAHulta, "ICA Nära Hulta", "559900-0121", orb.Point{12.9846, 57.7414}, "",
			"47.11 Grocery retail", db.SizeSmall, areaHultaDistrict, areaHulta),
		emp(orgCoopHassleholmen, "Coop Hässleholmen", "559900-0139", orb.Point{12.9725, 57.7285}, "",
			"47.11 Grocery retail", db.SizeSmall, areaHassleholmenDistrict, areaHassleholmen),
		emp(orgICASjobo, "ICA Supermarket Sjöbo", "559900-0147", orb.Point{12.9508, 57.7436}, "",
			"47.11 Grocery retail", db.SizeSmall, areaSjoboDistrict, areaSjobo),
		emp(orgNorrbyLivs, "Norrby Livs & Café", "559900-0154", orb.Point{12.9360, 57.7285}, "",
			"47.11 Grocery retail; 56.10 café", db.SizeMicro, areaNorrbyDistrict, areaNorrby),
		emp(orgViskadalen, "Viskadalens Väveri AB", "559900-0162", orb.Point{12.9240, 57.7165}, "",
			"13.20 Weaving of textiles", db.SizeSmall, areaTrandared, areaHassleholmen),
		emp(orgTextiltryck, "Sjuhärads Textiltryck AB", "559900-0170", orb.Point{12.9360, 57.7115}, "",
			"13.30 Finishing and printing of textiles", db.SizeSmall, areaGotaDistrict, areaGota),
		emp(orgBorasTidning, "Borås Tidning AB", "559900-0188", orb.Point{12.9430, 57.7210}, "",
			"58.13 Publishing of newspapers", db.SizeMedium, areaBoras),
		emp(orgStadservice, "Sjuhärads Städ & Fastighetsservice AB", "559900-0196", orb.Point{12.9845, 57.7300}, "",
			"81.21 Cleaning; 81.10 property services", db.SizeSmall, areaHassleholmen, areaNorrby, areaHulta),
		emp(orgByggFasad, "Borås Bygg & Fasad AB", "559900-0204", orb.Point{12.9650, 57.7040}, "",
			"41.20 Construction of buildings", db.SizeSmall, areaByttorp, areaNorrby, areaHassleholmen),
		emp(orgHultaBil, "Hulta Bil & Däck", "559900-0212", orb.Point{12.9980, 57.7380}, "",
			"45.20 Maintenance and repair of motor vehicles", db.SizeMicro, areaHultaDistrict, areaHulta),
		emp(orgSjoboFrisor, "Sjöbo Frisörsalong", "559900-0220", orb.Point{12.9495, 57.7425}, "",
			"96.02 Hairdressing", db.SizeMicro, areaSjobo),
		emp(orgRestaurangHulta, "Restaurang Hulta Torg", "559900-0238", orb.Point{12.9850, 57.7416}, "",
			"56.10 Restaurants", db.SizeMicro, areaHulta),
		emp(orgViaredLogistik, "Viared Logistikpartner AB", "559900-0246", orb.Point{12.8700, 57.7060}, "",
			"52.10 Warehousing; 52.29 freight forwarding", db.SizeMedium, areaBoras, areaNorrby, areaHulta),
		emp(orgDjurpark, "Borås Djurpark AB", "559900-0253", locDjurpark, "",
			"91.04 Zoo", db.SizeMedium, areaBoras, areaNorrby),
		emp(orgRISE, "RISE Research Institutes of Sweden AB, Borås", "559900-0261", orb.Point{12.9610, 57.7080}, "https://www.ri.se",
			"72.19 Research and development", db.SizeLarge, areaBoras),
		emp(orgOmsorgshuset, "Omsorgshuset Sjuhärad AB", "559900-0279", orb.Point{12.9400, 57.7095}, "",
			"88.10 Home care and personal assistance", db.SizeMedium, areaGota, areaHassleholmen, areaHulta),
		emp(orgPizzeriaHassle, "Hässleholmens Pizzeria", "559900-0287", orb.Point{12.9715, 57.7280}, "",
			"56.10 Restaurants", db.SizeMicro, areaHassleholmen),
		emp(orgITPartner, "Sjuhärad IT-partner AB", "559900-0295", orb.Point{12.9450, 57.7230}, "",
			"62.01 Computer programming and IT services", db.SizeSmall, areaBoras, areaNorrby, areaHulta),

		assoc(orgHyresgast, "Hyresgästföreningen, Borås", "802900-0018", orb.Point{12.9400, 57.7215}, "https://www.hyresgastforeningen.se",
			"Tenants' association: local boards in the rental estates, tenant meetings and negotiations with landlords",
			areaNorrbyDistrict, areaSjoboDistrict, areaHassleholmenDistrict, areaHultaDistrict,
			areaNorrby, areaSjobo, areaHassleholmen, areaHulta, areaGota),
		assoc(orgABF, "ABF Sjuhärad", "802900-0026", orb.Point{12.9425, 57.7200}, "https://www.abf.se",
			"Study association: study circles, Swedish practice and culture evenings", withAll()...),
		assoc(orgVuxenskolan, "Studieförbundet Vuxenskolan Sjuhärad", "802900-0034", orb.Point{12.9390, 57.7185}, "https://www.sv.se",
			"Study association: study circles, language cafés, driving-licence theory", areaNorrby, areaSjobo, areaHassleholmen),
		assoc(orgBilda, "Bilda, Borås", "802900-0042", orb.Point{12.9460, 57.7205}, "https://www.bilda.nu",
			"Study association of the free churches and Orthodox churches: study circles and language cafés", areaSjobo, areaHulta),
		assoc(orgStudieframjandet, "Studiefrämjandet Sjuhärad", "802900-0059", orb.Point{12.9345, 57.7215}, "https://www.studieframjandet.se",
			"Study association: outdoor life, gardening and music circles", areaHulta, areaSjobo),
		assoc(orgIbnRushd, "Ibn Rushd studieförbund, Borås", "802900-0067", orb.Point{12.9730, 57.7225}, "",
			"Muslim study association: homework help, study circles, youth and parent groups", areaHassleholmen, areaHulta, areaNorrby),
		assoc(orgRodaKorset, "Röda Korset Borås", "802900-0075", orb.Point{12.9440, 57.7180}, "https://www.rodakorset.se",
			"Red Cross local branch: language cafés, homework help, visiting service", areaNorrby, areaHassleholmen, areaSjobo),
		assoc(orgRaddaBarnen, "Rädda Barnen Borås", "802900-0083", orb.Point{12.9470, 57.7190}, "https://www.raddabarnen.se",
			"Save the Children local branch: homework help, parent support, summer activities for children", areaNorrby, areaHassleholmen, areaHulta),
		assoc(orgSvenskaKyrkan, "Svenska kyrkan i Borås", "802900-0091", orb.Point{12.9395, 57.7215}, "https://www.svenskakyrkan.se",
			"Church of Sweden parishes: open meeting places, language cafés, youth work", areaNorrby, areaSjobo, areaHassleholmen, areaHulta),
		assoc(orgIslamiska, "Islamiska kulturföreningen i Borås", "802900-0109", orb.Point{12.9850, 57.7250}, "",
			"Mosque congregation and cultural association: prayer, Arabic classes, youth and parent groups", areaHassleholmen, areaHulta, areaNorrby),
		assoc(orgPingst, "Pingstkyrkan Borås", "802900-0117", orb.Point{12.9500, 57.7180}, "",
			"Pentecostal congregation: second-hand shop, language café, youth evenings", areaHulta, areaSjobo),
		assoc(orgSomaliska, "Somaliska kulturföreningen i Borås", "802900-0125", orb.Point{12.9365, 57.7300}, "",
			"Somali cultural association: parent groups, homework help, information in Somali", areaNorrby, areaHassleholmen, areaHulta),
		assoc(orgKvinnoforeningen, "Internationella Kvinnoföreningen i Borås", "802900-0133", orb.Point{12.9740, 57.7300}, "",
			"Women's association: meeting place, sewing and cooking groups, Swedish practice", areaHassleholmen, areaNorrby, areaHulta),
		assoc(orgElfsborg, "IF Elfsborg", "802900-0141", orb.Point{12.9255, 57.7305}, "https://www.elfsborg.se",
			"Football club: youth and women's football, social programme with schools in the priority areas", withAll(areaBoras)...),
		assoc(orgNorrbyIF, "Norrby IF", "802900-0158", locNorrbyIP, "",
			"Football club of Norrby: boys' and girls' teams, open training, summer football school", areaNorrbyDistrict, areaNorrby),
		assoc(orgBorasBasket, "Borås Basket", "802900-0166", orb.Point{12.9480, 57.7160}, "",
			"Basketball club: youth teams and open courts in the priority areas", areaBoras, areaSjobo, areaNorrby),
		assoc(orgYmer, "IK Ymer", "802900-0174", orb.Point{12.9400, 57.7120}, "",
			"Handball club: youth teams, after-school handball", areaGotaDistrict, areaGota),
		assoc(orgHultaBoxning, "Hulta Boxningsklubb", "802900-0182", orb.Point{12.9800, 57.7420}, "",
			"Boxing club: training for children and young people, homework club", areaHulta),
		assoc(orgSjoboFritid, "Sjöbo Fritidsförening", "802900-0190", orb.Point{12.9515, 57.7445}, "",
			"Leisure association: football for all, meeting place for young and old", areaSjoboDistrict, areaSjobo),
		assoc(orgParasport, "Borås Parasportförening", "802900-0208", orb.Point{12.9520, 57.7175}, "",
			"Sports for people with disabilities: floorball, swimming, boccia", areaBoras, areaHulta),
		assoc(orgFUB, "FUB Borås", "802900-0216", orb.Point{12.9410, 57.7170}, "",
			"Association for children, young people and adults with intellectual disabilities", areaBoras, areaHulta, areaGota),
		assoc(orgFunktionsratt, "Funktionsrätt Borås", "802900-0224", orb.Point{12.9360, 57.7175}, "",
			"Umbrella body of the disability associations in Borås", areaBoras, areaHulta, areaNorrby, areaSjobo),
		assoc(orgAutism, "Autism- och Aspergerföreningen Sjuhärad", "802900-0232", orb.Point{12.9500, 57.7270}, "",
			"Support and activities for people with autism and their families", areaBoras),
		assoc(orgNattvandrarna, "Nattvandrarna Borås", "802900-0240", orb.Point{12.9760, 57.7300}, "",
			"Adults walking the neighbourhood on weekend evenings", areaNorrby, areaHassleholmen, areaHulta, areaSjobo),
		assoc(orgForaldrarHulta, "Föräldrar i Hulta", "802900-0257", orb.Point{12.9830, 57.7430}, "",
			"Parents' network: evening walks, parent meetings, contact with school and police", areaHulta),
		assoc(orgForaldrarSjobo, "Föräldranätverket Sjöbo", "802900-0265", orb.Point{12.9480, 57.7420}, "",
			"Parents' network: parent cafés and activities for families", areaSjobo),
		assoc(orgForaldrarNorrby, "Föräldraföreningen Norrby", "802900-0273", orb.Point{12.9395, 57.7285}, "",
			"Parents' association: parent groups in several languages, family days", areaNorrby),
		assoc(orgHultaOdlare, "Hulta Odlarförening", "802900-0281", orb.Point{12.9880, 57.7450}, "",
			"Neighbourhood gardening in the courtyards and allotments", areaHulta),
		assoc(orgLaxhjalp, "Läxhjälpsföreningen i Borås", "802900-0299", orb.Point{12.9410, 57.7230}, "",
			"Volunteer homework help run by students", areaNorrby, areaHassleholmen, areaHulta, areaSjobo),
		assoc(orgScenNorrby, "Kulturföreningen Scen Norrby", "802900-0307", orb.Point{12.9350, 57.7296}, "",
			"Theatre, music and dance for young people at Norrbyhuset", areaNorrby),
		assoc(orgAssyriska, "Assyriska föreningen i Borås", "802900-0315", orb.Point{12.9790, 57.7395}, "",
			"Cultural association: language classes, youth football, festivals", areaHulta),
		assoc(orgEritreanska, "Eritreanska föreningen i Borås", "802900-0323", orb.Point{12.9820, 57.7300}, "",
			"Cultural association: Tigrinya mother-tongue classes, information evenings", areaHassleholmen),
		assoc(orgFriskis, "Friskis&Svettis Borås", "802900-0331", orb.Point{12.9480, 57.7225}, "",
			"Exercise association: open-air and low-threshold training", areaBoras, areaHassleholmen, areaNorrby),
		assoc(orgStadsmission, "Borås Stadsmission", "802900-0349", orb.Point{12.9450, 57.7165}, "",
			"Social work: work training in second-hand shops, support for people in exclusion", areaBoras, areaNorrby),
		assoc(orgCricket, "Hässleholmens Cricketklubb", "802900-0356", orb.Point{12.9800, 57.7220}, "",
			"Cricket for young people and adults", areaHassleholmen),
	}

	out := make([]*db.Organization, len(specs))
	for i, s := range specs {
		if s.id != int64(i+1) {
			panic(fmt.Sprintf("demo: organisation %q has id %d at position %d", s.name, s.id, i+1))
		}
		loc := s.loc
		o := &db.Organization{
			ID:        s.id,
			Kind:      db.OrgAssociation,
			Name:      s.name,
			OrgNumber: s.orgNo,
			Location:  &loc,
			Website:   s.website,
			AreaIDs:   ids(s.areas...),
			Activity:  s.activity,
		}
		if s.employer {
			o.Kind, o.Industry, o.Size = db.OrgEmployer, s.industry, s.size
		}
		out[i] = o
	}
	return out
}
