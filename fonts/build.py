#!/usr/bin/env python3
"""Build the shipped font subsets from Debian's font packages.

Run from the repository root:  python3 fonts/build.py [--unicode-dir DIR]
Needs: fonts-noto-cjk, fonts-lxgw-wenkai, unicode-data (Debian) and fonttools
(PyPI). DIR is where unicode-data's files are (default /usr/share/unicode).

Every output is a renamed Modified Version under the SIL OFL 1.1: the sources
carry Reserved Font Names ("Source" for Noto Sans CJK, "霞鹜"/"LXGW" for LXGW
WenKai), so the subsets get names of their own.

The list of the 通用规范汉字表 (2013, 8,105 characters) is read from the
Unihan database's kTGHZ2013 field at build time; no Unihan data is shipped.
"""
import argparse
import bz2
import copy
import glob
import os
import sys
from fontTools.ttLib import TTFont, TTCollection, newTable
from fontTools.ttLib.tables import otTables
from fontTools.subset import Subsetter, Options
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
WENKAI = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"
UNICODE_DIR = "/usr/share/unicode"

# Layout features the engine uses: vertical forms, punctuation compression, kerning.
FEATURES = ["vert", "vrt2", "halt", "vhal", "vpal", "palt", "kern", "vkrn"]

# The basic block of CJK Unified Ideographs.
BASIC = set(range(0x4E00, 0xA000))


def gb2312():
    cps = set()
    for hi in range(0xA1, 0xF8):                 # every valid double-byte code
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return cps


def tongyong(unicode_dir):
    """The 通用规范汉字表: every code point with a kTGHZ2013 value in Unihan.

    The field has lived in different Unihan files across Unicode versions
    (Readings in 15.0), so every Unihan file is searched."""
    cps = set()
    files = sorted(glob.glob(os.path.join(unicode_dir, "Unihan_*.txt*")))
    if not files:
        sys.exit(f"no Unihan files in {unicode_dir}: apt-get install unicode-data")
    for path in files:
        opener = bz2.open if path.endswith(".bz2") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.startswith("U+"):
                    cp, field, _ = line.split("\t", 2)
                    if field == "kTGHZ2013":
                        cps.add(int(cp[2:], 16))
    if len(cps) != 8105:
        sys.exit(f"kTGHZ2013 in {unicode_dir} lists {len(cps)} characters, not 8,105")
    return cps


def base_charset(tgh):
    cps = set(range(0x20, 0x7F))                 # ASCII
    cps |= gb2312()
    cps |= tgh                                   # 通用规范汉字表, also beyond U+9FFF
    cps |= set(range(0x3000, 0x3040))            # CJK symbols and punctuation
    cps |= set(range(0xFF01, 0xFF5F))            # full-width forms
    cps |= set(range(0xFE10, 0xFE1A))            # vertical forms
    cps |= set(range(0xFE30, 0xFE50))            # CJK compatibility forms (vertical)
    cps |= {0x00B7, 0x2014, 0x2015, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026,
            0x00D7, 0x00B0, 0x2103, 0x00A0, 0x2022, 0x2E3A, 0xFFE5}
    return cps


def open_sc(path):
    if path.endswith(".ttc"):
        for font in TTCollection(path).fonts:
            if "CJK SC" in font["name"].getDebugName(1):
                return font
        sys.exit(f"no SC face in {path}")
    return TTFont(path)


def cff_to_glyf(font):
    """Replace CFF outlines with quadratic TrueType outlines (max error 1 unit)."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0
    font.sfntVersion = "\0\1\0\0"


# WenKai 1.250's ‘ ’ “ ” are proportional Western quotes (350 units wide, no
# locl, fwid or other full-width form reachable), so in Chinese text they came
# out narrow and glued to their neighbours, and the layout engine (which
# compresses full-width marks only) left them alone. The Kai subset gets
# full-width forms made from WenKai's own outlines, moved into a 1-em box the
# way WenKai places its full-width 〝 〞 (U+301D/301E): opening quotes at the
# right of the box, closing quotes at the left. The cmap points at them, so
# every shaping path gets them; `vert` maps them to the vertical forms as it
# did the proportional ones.
OPENING_QUOTES = (0x2018, 0x201C)
CLOSING_QUOTES = (0x2019, 0x201D)


def full_width_quotes(font):
    cmap = dict(font.getBestCmap())              # a copy: the subtables may share theirs
    glyf, hmtx, vmtx = font["glyf"], font["hmtx"], font["vmtx"]
    em = font["head"].unitsPerEm
    left = glyf[cmap[0x301E]].xMin               # 〞: a closing mark's gap on the left
    right = em - glyf[cmap[0x301D]].xMax         # 〝: an opening mark's gap on the right
    order = list(font.getGlyphOrder())
    made = {}
    for cp in OPENING_QUOTES + CLOSING_QUOTES:
        src = cmap[cp]
        g = copy.deepcopy(glyf[src])
        g.recalcBounds(glyf)
        dx = (em - right - g.xMax) if cp in OPENING_QUOTES else (left - g.xMin)
        g.coordinates.translate((dx, 0))
        g.recalcBounds(glyf)
        name = f"{src}.full"
        order.append(name)
        made[src] = name
        glyf.glyphs[name] = g
        hmtx.metrics[name] = (em, g.xMin)
        vmtx.metrics[name] = vmtx.metrics[src]   # same height, same vertical metrics
    font.setGlyphOrder(order)
    glyf.setGlyphOrder(order)
    for table in font["cmap"].tables:
        for cp in OPENING_QUOTES + CLOSING_QUOTES:
            if cp in table.cmap:
                table.cmap[cp] = made[cmap[cp]]
    gdef = font["GDEF"].table
    if gdef.GlyphClassDef:
        classes = gdef.GlyphClassDef.classDefs
        for src, name in made.items():
            if src in classes:
                classes[name] = classes[src]
    # Vertical (and any other single) substitutions of the old glyphs apply to the new.
    gsub = font["GSUB"].table
    for lookup in gsub.LookupList.Lookup:
        for st in lookup.SubTable:
            if lookup.LookupType == 7:
                st = st.ExtSubTable
            if isinstance(st, otTables.SingleSubst):
                for src, name in made.items():
                    if src in st.mapping:
                        st.mapping[name] = st.mapping[src]


def rename(font, family, style, source):
    name = font["name"]
    full = f"{family} {style}"
    ps = f"{family.replace(' ', '')}-{style}"
    for nid in (1, 2, 3, 4, 6, 7, 16, 17, 18, 21, 22, 25):
        name.removeNames(nameID=nid)
    for nid, value in ((1, family), (2, style), (3, f"{ps};jiediqi"), (4, full), (6, ps),
                       (10, f"Subset of {source} made by jiediqi fonts/build.py")):
        name.setName(value, nid, 3, 1, 0x409)
    if "CFF " in font:
        font["CFF "].cff.fontNames = [ps]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unicode-dir", default=UNICODE_DIR,
                    help=f"where unicode-data's Unihan files are (default {UNICODE_DIR})")
    ap.add_argument("--only", metavar="FILE", help="build just this output file (e.g. JiediqiKai-Regular.ttf)")
    args = ap.parse_args()

    tgh = tongyong(args.unicode_dir)
    base = base_charset(tgh)
    ext = BASIC - base                           # the rest of the basic block
    # What Noto lacks of the block (U+9FF0–9FFF, Unicode 14) WenKai has: the
    # Kai face carries it too, last in every chain, so no name in the block
    # is unprintable.
    noto = set(open_sc(NOTO.format("Regular")).getBestCmap())
    kai = base | (BASIC - noto)
    # (output file, source, family, style, characters, adjust before subsetting)
    builds = [
        ("JiediqiSans-Bold.ttf", NOTO.format("Bold"), "Jiediqi Sans", "Bold", base, None),
        ("JiediqiSans-Regular.ttf", NOTO.format("Regular"), "Jiediqi Sans", "Regular", base, None),
        ("JiediqiSansExt-Bold.ttf", NOTO.format("Bold"), "Jiediqi Sans Ext", "Bold", ext, None),
        ("JiediqiSansExt-Regular.ttf", NOTO.format("Regular"), "Jiediqi Sans Ext", "Regular", ext, None),
        ("JiediqiKai-Regular.ttf", WENKAI, "Jiediqi Kai", "Regular", kai, full_width_quotes),
    ]

    opts = Options()
    opts.layout_features = FEATURES
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.drop_tables += ["DSIG", "BASE", "JSTF", "MATH"]
    for out, src, family, style, cps, adjust in builds:
        if args.only and out != args.only:
            continue
        font = open_sc(src)
        source = f"{font['name'].getDebugName(4)} {font['name'].getDebugName(5)}"
        if adjust:
            adjust(font)
        sub = Subsetter(opts)
        sub.populate(unicodes=cps)
        sub.subset(font)
        if "CFF " in font:
            cff_to_glyf(font)
        rename(font, family, style, source)
        font.recalcTimestamp = False  # keep the source's date: same inputs, same bytes
        font.save(f"fonts/{out}")
        have = set(font.getBestCmap())
        print(f"fonts/{out}: {len(font.getGlyphOrder())} glyphs, "
              f"U+4E00–9FFF {len(have & BASIC)}, 通用规范汉字表 {len(have & tgh)}, "
              f"GB2312 {len(have & gb2312())}; from {source}")


if __name__ == "__main__":
    main()
