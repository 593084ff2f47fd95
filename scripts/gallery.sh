#!/usr/bin/env bash
# Makes the README's gallery, docs/gallery/<item>.png: one product mockup per
# item, each with a different shipped slogan and the example station, drawn by
# `jiediqi render --format mockup` exactly as an officer gets it. The slogans
# are approved in a throwaway copy of the project with a throwaway review key,
# so the pictures are print files' artwork, not proofs (the shipped library
# itself stays unreviewed). Run from the project folder after
# `cargo build --release`: bash scripts/gallery.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# item → slogan: a spread of topics; 7 + 7 characters for the couplet.
pairs="
poster-a3=xiaofang-dianche
poster-a2=jiaotong-mangqu
bag-nonwoven=tanfan-doujiao
tote-canvas=wanggou-pianyi
apron=tanfan-xiyifen
mousepad-small=wangluo-yaoyan
mousepad-desk=shazhupan-licai
rollup-banner=fanzha-daikuan
flyer-16k=yanglao-shenyao
trifold-16k=fanzha-qiandaizi
sticker-rect=tanfan-jiabi
sticker-round=fangdao-dianche
sticker-round-sheet=fangdao-kuaidi
fan-round=fangnishui-shouji
banner-cloth=saohei-cunba
umbrella-panel=jiaotong-toukui
couplet-7=tiaojie-jinlin
card-contact=minzu-nali
cup-paper=yongqi-jiuren
"

bin=$PWD/target/release/jiediqi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
proj=$work/project
mkdir -p "$proj"
cp -r slogans layouts lint examples pictograms mockups data "$proj/"
ln -s "$PWD/fonts" "$proj/fonts"
export JIEDIQI_KEY_FILE=$work/key/review.key XDG_CACHE_HOME=$work/cache
"$bin" --root "$proj" key init >/dev/null 2>&1

items=$("$bin" --root "$proj" items | awk '/^[a-z]/ {print $1}')
slogans=$(for p in $pairs; do echo "${p#*=}"; done | sort -u)
# shellcheck disable=SC2086
"$bin" --root "$proj" approve $slogans --by 画廊示例 >/dev/null

mkdir -p docs/gallery
rm -f docs/gallery/*.png
for item in $items; do
  slogan=$(for p in $pairs; do [ "${p%%=*}" = "$item" ] && echo "${p#*=}"; done; true)
  if [ -z "$slogan" ]; then
    echo "gallery: no slogan chosen for item $item; add it to scripts/gallery.sh" >&2
    exit 1
  fi
  "$bin" --root "$proj" render --item "$item" --slogan "$slogan" \
    --station "$proj/examples/station.yaml" --format mockup --out "$work/out" >/dev/null
  cp "$work/out/$item--$slogan.mockup.png" "docs/gallery/$item.png"
  echo "docs/gallery/$item.png  ($slogan)"
done
