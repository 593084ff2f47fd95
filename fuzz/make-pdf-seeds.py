#!/usr/bin/env python3
"""Seeds for the `pdf` fuzz target (fuzz/corpus/pdf/): small PDFs that reach
every part of preflight, and broken ones that must give a finding, not a panic.

    python3 fuzz/make-pdf-seeds.py [REAL.pdf ...]

Synthetic files are written by this script; any REAL.pdf given (we seeded
with a poster-a3 render of jiediqi, a Ghostscript pdfwrite file and an
rsvg-convert file) is copied in whole and cut at a few lengths. Names are the
SHA-1 of the content, as cargo fuzz names its corpus.
"""
import hashlib, os, sys, zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "pdf")


def pdf(objects, root=1):
    """A PDF with a correct xref from a list of object bodies (bytes), numbered from 1."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dict_body, data, flate=False):
    if flate:
        data = zlib.compress(data, 9)
        dict_body += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream\n" % (dict_body, len(data)) + data + b"\nendstream"


def page_doc(content, resources=b"<< >>", page_extra=b"", extra=(), flate=False):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 858.9 1207.56] /TrimBox [8.5 8.5 850.39 1199.06]"
        b" /BleedBox [0 0 858.9 1207.56] /Resources %s /Contents 4 0 R %s >>" % (resources, page_extra),
        stream(b"", content, flate),
    ]
    return pdf(objs + list(extra))


seeds = {}
# Every colour space, a stroke, an image, a shading and text in one page.
sep = b"[/Separation /PANTONE#20186#20C /DeviceCMYK << /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [0 1 0.81 0.04] /N 1 >>]"
res = (b"<< /ColorSpace << /CS0 " + sep + b" /CS1 [/ICCBased 6 0 R] /CS2 [/Indexed /DeviceRGB 1 <ff0000 00ff00>]"
       b" /CS3 [/DeviceN [/Cyan /Spot#20X] /DeviceCMYK 7 0 R] >> /Font << /F1 5 0 R >>"
       b" /Shading << /Sh0 << /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 1 1] /Function 7 0 R >> >>"
       b" /XObject << /Im0 8 0 R >> >>")
content = (b"q 1 0 0 1 10 10 cm /CS0 cs 1 scn 0 0 100 100 re f /CS1 cs 0 0 1 rg 0 0 10 10 re f"
           b" /CS2 cs 1 sc 5 5 m 50 50 l S 0.1 w 1 0 0 1 0 RG 0 0 m 100 0 l S /CS3 cs 1 1 scn 0 0 5 5 re B"
           b" /Sh0 sh q 100 0 0 100 0 0 cm /Im0 Do Q BT /F1 4 Tf 2 0 0 2 50 50 Tm (Hello) Tj [(A) -100 (B)] TJ ET"
           b" BI /W 2 /H 2 /CS /RGB /BPC 8 ID \x00\x00\x00\xff\xff\xff\x00\x00\x00\xff\xff\xff EI Q")
seeds["all"] = page_doc(content, res, extra=[
    b"<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FontDescriptor 9 0 R >>",
    stream(b"/N 3", b"not really an icc profile"),
    b"<< /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [1 1 1 1] /N 1 >>",
    stream(b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceCMYK /BitsPerComponent 8", b"\x00" * 256),
    b"<< /Type /FontDescriptor /FontName /Arial /FontFile2 10 0 R >>",
    stream(b"", b"\x00\x01\x00\x00garbage font program"),
])
# A form that draws itself, and a chain of forms.
seeds["form-cycle"] = page_doc(b"/X0 Do", b"<< /XObject << /X0 5 0 R >> >>", extra=[
    stream(b"/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X0 5 0 R >> >>", b"0 0 1 1 re f /X0 Do"),
])
# Inflates to 80 MB: over the stream limit.
seeds["bomb"] = page_doc(b"0 0 m " * 1 + b" " * (80 << 20), flate=True)
# Deep saves, huge numbers, broken operators.
seeds["odd-ops"] = page_doc(b"q " * 100000 + b"1e308 0 0 1e308 0 0 cm 1e400 w 0 0 m 1 1 l S Q Q Q ) ( [ << /a >> re re f* 3 Tr BT (x) Tj ET")
# A page tree whose node is its own kid.
seeds["tree-cycle"] = pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])
# Type0 font with a CIDToGIDMap and a CFF that is not one.
seeds["type0"] = page_doc(b"BT /F1 12 Tf (\x00\x01\x00\x02) Tj ET", b"<< /Font << /F1 5 0 R >> >>", extra=[
    b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /X /CIDToGIDMap 7 0 R /FontDescriptor 8 0 R >>",
    stream(b"", b"\x00\x05\x00"),
    b"<< /Type /FontDescriptor /FontFile3 9 0 R >>",
    stream(b"/Subtype /CIDFontType0C", b"\x01\x00\x04\x02not cff"),
])
seeds["empty"] = b""
seeds["header-only"] = b"%PDF-1.7\n"
seeds["garbage"] = b"%PDF-1.4\n" + bytes(range(256)) * 8

for path in sys.argv[1:]:
    data = open(path, "rb").read()
    name = os.path.basename(path)
    seeds[name] = data
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40):
        seeds[f"{name}-cut{cut}"] = data[:cut]
    flipped = bytearray(data)
    for i in range(100, len(flipped), 997):
        flipped[i] ^= 0x5A
    seeds[f"{name}-flipped"] = bytes(flipped)

os.makedirs(OUT, exist_ok=True)
for data in seeds.values():
    with open(os.path.join(OUT, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {OUT}")
