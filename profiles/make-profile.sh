#!/usr/bin/env bash
# Builds jiediqi-fogra39.icc, the CMYK output profile print PDFs carry as their
# output intent and proofs are converted through, from Debian's FOGRA39L
# characterisation data with ArgyllCMS. README.md beside it records why each
# option is what it is.
#
#   profiles/make-profile.sh           rebuild the profile (and its .zlib) in place
#   profiles/make-profile.sh --check   rebuild it in a temporary folder and
#                                      compare with the shipped file (exit 1 if it differs)
#
# Needs: apt-get install argyll icc-profiles-free (and python3, for zlib)
set -euo pipefail
cd "$(dirname "$0")"

data=/usr/share/color/icc/FOGRA39L.ti3
# icc-profiles-free 2.0.1+dfsg-1.1
data_sha256=e44e6dfa81633588db98b5613a821d4a936d3d9438d2eb983083c3232df393fa
name=jiediqi-fogra39

command -v colprof >/dev/null || { echo "colprof not found: apt-get install argyll" >&2; exit 2; }
[ -r "$data" ] || { echo "$data not found: apt-get install icc-profiles-free" >&2; exit 2; }
echo "$data_sha256  $data" | sha256sum -c --quiet - || {
  echo "$data is not the FOGRA39L.ti3 this profile was made from (see README.md)" >&2
  exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$data" "$work/$name.ti3"
(
  cd "$work"
  colprof -qm -bl -kr -l330 -nc \
    -A "jiediqi" \
    -D "Jiediqi FOGRA39 (ISO 12647-2:2004 coated, from FOGRA39L data)" \
    -C "Made by jiediqi from the FOGRA39L characterisation data (icc-profiles-free, zlib licence). No warranty." \
    "$name" >colprof.log
)
# colprof writes the time it ran into the header (bytes 24-35, six big-endian
# 16-bit numbers); a fixed date, 2026-12-02 00:00:00, makes the file reproducible.
printf '\x07\xea\x00\x0c\x00\x02\x00\x00\x00\x00\x00\x00' |
  dd of="$work/$name.icc" bs=1 seek=24 conv=notrunc status=none

# The same profile zlib-compressed, as print PDFs embed it: deflated here
# once instead of in every process that writes a PDF (about 1 ms each).
deflate() { python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(open(sys.argv[1], "rb").read(), 9))' "$1"; }
inflates_to() { python3 -c 'import sys, zlib; sys.exit(zlib.decompress(open(sys.argv[1], "rb").read()) != open(sys.argv[2], "rb").read())' "$1" "$2"; }

if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$work/$name.icc" "$name.icc"; then
    echo "$name.icc differs from what these commands make ($(sha256sum <"$work/$name.icc" | cut -d' ' -f1))" >&2
    exit 1
  fi
  # zlib's bytes may differ between its versions; what they inflate to may not.
  if ! inflates_to "$name.icc.zlib" "$name.icc"; then
    echo "$name.icc.zlib does not inflate to $name.icc" >&2
    exit 1
  fi
  echo "ok: $name.icc is what these commands make"
else
  cp "$work/$name.icc" "$name.icc"
  deflate "$name.icc" >"$name.icc.zlib"
  sha256sum "$name.icc" "$name.icc.zlib"
  wc -c "$name.icc" "$name.icc.zlib"
fi
