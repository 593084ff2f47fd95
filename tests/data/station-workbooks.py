"""Writes the two station workbooks tests/order.rs reads, as other
programs write .xlsx (kept because a test-built zip is only as true to
Excel as its author): openpyxl (inline strings, a notes sheet before the
list on a sheet named 派出所) and XlsxWriter (Excel's own layout: shared
strings, styles, theme). Phone numbers typed as numbers, an empty row, a
date column and a formula without a cached value, all beside the list.

    python3 -m venv /tmp/xlsx-venv
    /tmp/xlsx-venv/bin/pip install openpyxl==3.1.5 XlsxWriter==3.3.1
    /tmp/xlsx-venv/bin/python tests/data/station-workbooks.py tests/data
"""

import datetime
import os
import sys

import openpyxl
import xlsxwriter

HEADER = ["编号", "名称", "地址", "值班电话", "热线", "二维码", "更新日期"]
ROWS = [
    ["chengguan", "城关派出所", "城关镇人民路88号", 9121234567, 96110, "https://example.org/chengguan", datetime.date(2026, 11, 3)],
    [],
    ["dongguan", "东关派出所", "东关街道红旗路16号", "0912-2345678", 96110.0, "https://example.org/dongguan", None],
    ["xihe", "西河派出所", "西河乡政府对面，集市东口", 9123456789, "96110", "https://example.org/xihe", "=1+1"],
]
WHEN = datetime.datetime(2026, 11, 3, 9, 0, 0)

out = sys.argv[1] if len(sys.argv) > 1 else "."

wb = openpyxl.Workbook()
wb.properties.created = wb.properties.modified = WHEN
notes = wb.active
notes.title = "说明"
notes["A1"] = "派出所名单，见第二页"
ws = wb.create_sheet("派出所")
ws.append(HEADER)
for row in ROWS:
    ws.append(row)
ws["D4"].number_format = "@"
wb.save(os.path.join(out, "stations-openpyxl.xlsx"))

wb = xlsxwriter.Workbook(os.path.join(out, "stations-xlsxwriter.xlsx"), {"strings_to_formulas": True})
wb.set_properties({"created": WHEN})
ws = wb.add_worksheet("名单")
date = wb.add_format({"num_format": "yyyy-mm-dd"})
text = wb.add_format({"num_format": "@"})
ws.write_row(0, 0, HEADER)
for r, row in enumerate(ROWS, start=1):
    for c, v in enumerate(row):
        if isinstance(v, datetime.date):
            ws.write_datetime(r, c, datetime.datetime.combine(v, datetime.time()), date)
        elif isinstance(v, str) and v.startswith("0"):
            ws.write_string(r, c, v, text)
        elif v is not None:
            ws.write(r, c, v)
wb.close()
