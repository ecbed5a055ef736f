#!/bin/sh
# Writes the reference tables geo's conversions are checked against
# (TestCRSReferenceTable), with PROJ's cs2cs (Debian proj-bin; the tables
# were made with PROJ 9.1.1 and its EPSG database):
#
#	geo/testdata/crs/generate.sh
#
# fromwgs84.txt: "EPSG:nnnn lon lat easting northing", a 6 × 6 mesh over
# each system's EPSG area of use, projected by
#	cs2cs -d 10 EPSG:4326 EPSG:nnnn
# towgs84.txt: "EPSG:nnnn easting northing lon lat", those grid positions
# rounded to the millimetre, brought back by
#	cs2cs -d 12 EPSG:nnnn EPSG:4326
# Both EPSG:4326 and the Swedish grids order their axes latitude/northing
# first; awk turns them to longitude/easting first, as areagraph has them.
# For RT90 (EPSG:3021) PROJ applies EPSG:1896, the Helmert shift to WGS 84.
set -eu
cd "$(dirname "$0")"

# code south west north east (EPSG's area of use, projinfo EPSG:nnnn)
systems='
3006 54.96 10.03 69.07 24.17
3007 56.74 10.93 60.13 13.11
3008 55.28 12.12 62.28 14.79
3009 55.95 13.54 61.62 16.15
3010 56.15 15.41 62.26 17.63
3011 58.66 17.08 60.7 19.61
3012 61.55 11.93 64.39 15.55
3013 60.44 13.66 65.13 17.01
3014 62.12 14.31 67.19 19.04
3015 56.86 17.18 66.17 20.22
3016 63.45 16.08 69.07 23.28
3017 65.01 19.63 66.43 22.91
3018 65.49 21.85 68.14 24.17
3021 55.28 10.93 69.07 24.17
'

: >fromwgs84.txt
: >towgs84.txt
echo "$systems" | while read -r code s w n e; do
	[ -n "$code" ] || continue
	awk -v s="$s" -v w="$w" -v n="$n" -v e="$e" 'BEGIN {
		for (i = 0; i <= 5; i++) for (j = 0; j <= 5; j++)
			printf "%.4f %.4f\n", s + (n - s) * j / 5, w + (e - w) * i / 5
	}' >mesh.tmp
	cs2cs -d 10 EPSG:4326 "EPSG:$code" <mesh.tmp | paste -d ' ' mesh.tmp - |
		awk -v c="EPSG:$code" '{ printf "%s %s %s %s %s\n", c, $2, $1, $4, $3 }' >fwd.tmp
	cat fwd.tmp >>fromwgs84.txt
	awk '{ printf "%.3f %.3f\n", $5, $4 }' fwd.tmp >grid.tmp
	cs2cs -d 12 "EPSG:$code" EPSG:4326 <grid.tmp | paste -d ' ' grid.tmp - |
		awk -v c="EPSG:$code" '{ printf "%s %s %s %s %s\n", c, $2, $1, $4, $3 }' >>towgs84.txt
done
rm -f mesh.tmp fwd.tmp grid.tmp
