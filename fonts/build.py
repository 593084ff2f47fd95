#!/usr/bin/env python3
"""Build the shipped font subsets from Debian's font packages.

Run from the repository root:  python3 fonts/build.py
Needs: fonts-noto-cjk, fonts-lxgw-wenkai (Debian) and fonttools (PyPI).

Every output is a renamed Modified Version under the SIL OFL 1.1: the sources
carry Reserved Font Names ("Source" for Noto Sans CJK, "霞鹜"/"LXGW" for LXGW
WenKai), so the subsets get names of their own.
"""
import sys
from fontTools.ttLib import TTFont, TTCollection, newTable
from fontTools.subset import Subsetter, Options
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
WENKAI = "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"

# (output file, source, family, style, converted from CFF?)
BUILDS = [
    ("JiediqiSans-Bold.ttf", NOTO.format("Bold"), "Jiediqi Sans", "Bold"),
    ("JiediqiSans-Regular.ttf", NOTO.format("Regular"), "Jiediqi Sans", "Regular"),
    ("JiediqiKai-Regular.ttf", WENKAI, "Jiediqi Kai", "Regular"),
]

# Layout features the engine uses: vertical forms, punctuation compression, kerning.
FEATURES = ["vert", "vrt2", "halt", "vhal", "vpal", "palt", "kern", "vkrn"]


def charset():
    cps = set(range(0x20, 0x7F))                 # ASCII
    for hi in range(0xA1, 0xF8):                 # GB2312, every valid double-byte code
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
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
    opts = Options()
    opts.layout_features = FEATURES
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.drop_tables += ["DSIG", "BASE", "JSTF", "MATH"]
    cps = charset()
    for out, src, family, style in BUILDS:
        font = open_sc(src)
        source = f"{font['name'].getDebugName(4)} {font['name'].getDebugName(5)}"
        sub = Subsetter(opts)
        sub.populate(unicodes=cps)
        sub.subset(font)
        if "CFF " in font:
            cff_to_glyf(font)
        rename(font, family, style, source)
        font.recalcTimestamp = False  # keep the source's date: same inputs, same bytes
        font.save(f"fonts/{out}")
        print(f"fonts/{out}: {len(font.getGlyphOrder())} glyphs from {source}")


if __name__ == "__main__":
    main()
