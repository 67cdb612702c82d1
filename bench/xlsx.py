#!/usr/bin/env python3
"""A large workbook's peak memory (SPEC §12, issue 18): the same survey rows read
from CSV and from an .xlsx workbook.

    python3 bench/xlsx.py --work /tmp/xlsx --rows 200000          # release binaries
    python3 bench/xlsx.py --work /tmp/xlsx --rows 2000 --debug     # only that it works

Generates the example's survey shape with the example generator (`--single-file`),
writes the survey as one sheet of an .xlsx workbook with the standard library
(zipfile: numbers as number cells, text and dates as inline strings, so no shared
string table), makes two copies of example-project/ whose survey dataset is that
one file (CSV in one, the workbook in the other; tickets and the CRM lookup table
are the generator's CSV in both), then runs `cxscore build --no-cache --quiet` on
each under `/usr/bin/time -f "%e %U %M"` and prints wall, user CPU and peak RSS,
with the size of the sheet's cells (the sheet XML, uncompressed, and the cells'
text). It checks that the two `metrics.json` agree to 1e-9. Binaries: those in
target/ (`cargo build --release --bin cxscore --example gen`; `--debug` for the
debug ones).
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parquet import close, timed  # noqa: E402  (the same comparison and timing)

ROOT = Path(__file__).resolve().parent.parent

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def is_number(v):
    try:
        float(v)
        return v.strip() == v and v.lower() not in ("nan", "inf", "-inf", "infinity")
    except ValueError:
        return False


def write_xlsx(csv_path, xlsx_path):
    """The CSV as one sheet; returns (rows, cells, bytes of cell text, bytes of sheet XML)."""
    rows = cells = text_bytes = 0
    with open(csv_path, newline="", encoding="utf-8") as f:
        data = list(csv.reader(f))
    cols = [col_name(i) for i in range(len(data[0]))]
    # A column of numbers only (blanks aside) becomes number cells, as a spreadsheet would hold it.
    numeric = [all(not r[c] or is_number(r[c]) for r in data[1:]) for c in range(len(cols))]
    numeric = [n and c != 0 for c, n in enumerate(numeric)]  # ids stay text
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(data, start=1):
        out = [f'<row r="{r}">']
        for c, v in enumerate(row):
            if v == "":
                continue
            cells += 1
            text_bytes += len(v.encode())
            ref = f"{cols[c]}{r}"
            if r > 1 and numeric[c]:
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>')
        out.append("</row>")
        parts.append("".join(out))
        rows += 1
    parts.append("</sheetData></worksheet>")
    sheet = "".join(parts).encode()
    with zipfile.ZipFile(xlsx_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return rows - 1, cells, text_bytes, len(sheet)


def project(work, name, data_file, tickets, crm):
    proj = work / name
    if proj.exists():
        shutil.rmtree(proj)
    shutil.copytree(ROOT / "example-project", proj, ignore=shutil.ignore_patterns("*.csv", "_site", ".cxscore"))
    survey = proj / "data" / "survey"
    survey.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_file, survey / data_file.name)
    shutil.copy(tickets, proj / "data" / "tickets.csv")
    shutil.copy(crm, proj / "data" / "crm.csv")
    if data_file.suffix == ".xlsx":
        yaml = proj / "cxscore.yaml"
        text = yaml.read_text()
        assert "path: data/survey/*.csv" in text
        yaml.write_text(text.replace("path: data/survey/*.csv", "path: data/survey/*.xlsx"))
    return proj


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/cxscore-xlsx")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--debug", action="store_true")
    a = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / ("debug" if a.debug else "release")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    if not (data / "survey.csv").exists():
        subprocess.run([str(target / "examples" / "gen"), "--rows", str(a.rows), "--months", "12",
                        "--tickets", "3600", "--single-file", "--out", str(data)], check=True, capture_output=True)
    xlsx = data / "survey.xlsx"
    rows, cells, text_bytes, sheet_bytes = write_xlsx(data / "survey.csv", xlsx)
    print(f"{rows} rows, {cells} non-blank cells, {text_bytes / 1e6:.1f} MB of cell text, "
          f"sheet XML {sheet_bytes / 1e6:.1f} MB, workbook {xlsx.stat().st_size / 1e6:.1f} MB, "
          f"CSV {(data / 'survey.csv').stat().st_size / 1e6:.1f} MB")
    bin_ = str(target / "cxscore")
    results = {}
    for name, f in [("csv", data / "survey.csv"), ("xlsx", xlsx)]:
        proj = project(work, name, f, data / "tickets.csv", data / "crm.csv")
        results[name] = timed([bin_, "build", str(proj), "--no-cache", "--quiet"])
        print(f"{name}: wall {results[name][0]:.2f} s, user {results[name][1]:.2f} s, peak RSS {results[name][2]:.0f} MB")
    m = [json.loads((work / n / "_site" / "metrics.json").read_text()) for n in ("csv", "xlsx")]
    diff = close(m[0], m[1])
    print("metrics.json equal to 1e-9" if not diff else f"metrics.json differ at {len(diff)} paths, e.g. {diff[:5]}")


if __name__ == "__main__":
    main()
