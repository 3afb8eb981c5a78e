"""The import file parser (SPEC §9): shapes, formats, values and every error code."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.importer import ImportFileError, ParsedImport, parse_import

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)


def parse(text: str, filename: str = "data.csv") -> ParsedImport:
    return parse_import(text.encode("utf-8"), filename)


def error_of(data: str | bytes, filename: str = "data.csv", **kw: Any) -> ImportFileError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ImportFileError) as caught:
        parse_import(raw, filename, **kw)
    return caught.value


def xlsx(rows: list[list[object]], tmp_path: Path, *, start_row: int = 1) -> bytes:
    """An .xlsx workbook whose first sheet holds ``rows`` from ``start_row`` on."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=col, value=value)
    book.create_sheet("Second").append(["not", "read"])
    path = tmp_path / "data.xlsx"
    book.save(path)
    return path.read_bytes()


# --------------------------------------------------------------------------- shapes


def test_long_csv() -> None:
    result = parse("date,channel,metric,value\n"
                   "2026-11-01,instagram,reach,1200\n"
                   "2026-11-01,instagram,spend,15000.5\n"
                   "2026-11-02,tiktok,views,0\n")
    assert result.shape == "long"
    assert result.lines == 3
    assert result.rows == [
        SnapshotRow(D1, "instagram", "", "reach", 1200.0),
        SnapshotRow(D1, "instagram", "", "spend", 15000.5),  # money may have fractions
        SnapshotRow(D2, "tiktok", "", "views", 0.0),
    ]
    assert all(type(v) is float for v in (r.value for r in result.rows))


def test_wide_csv_skips_empty_cells() -> None:
    result = parse("date,channel,reach,likes,followers\n"
                   "2026-11-01,instagram,1200,,15000\n"
                   "2026-11-02,instagram,,35,\n")
    assert result.shape == "wide"
    assert result.lines == 2
    assert result.rows == [
        SnapshotRow(D1, "instagram", "", "reach", 1200.0),
        SnapshotRow(D1, "instagram", "", "followers", 15000.0),
        SnapshotRow(D2, "instagram", "", "likes", 35.0),
    ]


def test_indonesian_headers_aliases_bom_and_spaces() -> None:
    text = ("\ufeff Tanggal ;KANAL; Jangkauan ;pengikut;Kunjungan Profil;Kampanye;Pesaing\n"
            "01/11/2026;IG;100;2000;7;Promo 11.11;tidak\n")
    result = parse(text)
    assert result.shape == "wide"
    assert result.rows == [
        SnapshotRow(D1, "instagram", "", "reach", 100.0, "Promo 11.11", False),
        SnapshotRow(D1, "instagram", "", "followers", 2000.0, "Promo 11.11", False),
        SnapshotRow(D1, "instagram", "", "profile_visits", 7.0, "Promo 11.11", False),
    ]


def test_long_headers_in_indonesian_and_metric_aliases_in_cells() -> None:
    result = parse("Tanggal,Saluran,Metrik,Nilai,Kompetitor\n"
                   "2026-11-01,instagram,Jangkauan,10,\n"
                   "2026-11-01,instagram,pengikut,20,\n"
                   "2026-11-01,instagram,Kunjungan_Profil,30,\n"
                   "2026-11-01,youtube,subscriber,40,\n")
    assert [(r.metric, r.value) for r in result.rows] == [
        ("reach", 10.0), ("followers", 20.0), ("profile_visits", 30.0), ("subscribers", 40.0)]
    assert {r.competitor for r in result.rows} == {None}


def test_platform_handle_channels_and_platform_aliases() -> None:
    result = parse("date,platform,metric,value\n"
                   "2026-11-01,Instagram:@Rival_ID,followers,5\n"
                   "2026-11-01,twitter,mentions,6\n"
                   "2026-11-01, Shopee ,revenue,7\n"
                   "2026-11-01,instagram:,reach,8\n")
    assert [(r.platform, r.handle) for r in result.rows] == [
        ("instagram", "@rival_id"), ("x", ""), ("shopee", ""), ("instagram", "")]


def test_competitor_column_values() -> None:
    result = parse("date,channel,metric,value,competitor\n"
                   "2026-11-01,instagram:@a,followers,1,yes\n"
                   "2026-11-01,instagram:@b,followers,1,Ya\n"
                   "2026-11-01,instagram:@c,followers,1,TRUE\n"
                   "2026-11-01,instagram:@d,followers,1,1\n"
                   "2026-11-01,instagram,followers,1,no\n"
                   "2026-11-01,tiktok,followers,1,tidak\n"
                   "2026-11-01,youtube,followers,1,false\n"
                   "2026-11-01,facebook,followers,1,0\n"
                   "2026-11-01,x,followers,1,\n"
                   "2026-11-02,instagram:@a,followers,2,\n")
    assert [r.competitor for r in result.rows] == [
        True, True, True, True, False, False, False, False, None, None]


def test_campaign_column_is_part_of_the_key() -> None:
    result = parse("date,channel,metric,value,campaign\n"
                   "2026-11-01,instagram,spend,100,\n"
                   "2026-11-01,instagram,spend,250, Harbolnas 12.12 \n"
                   "2026-11-01,instagram,spend,300,promo_1111\n")
    assert [(r.campaign, r.value) for r in result.rows] == [
        ("", 100.0), ("Harbolnas 12.12", 250.0), ("promo_1111", 300.0)]


def test_dates_iso_and_day_first() -> None:
    result = parse("date,channel,metric,value\n"
                   "2026-11-01,instagram,reach,1\n"
                   "02/11/2026,instagram,reach,2\n"
                   "3/11/2026,instagram,reach,3\n"
                   "4-11-2026,instagram,reach,4\n"
                   "2026-11-5,instagram,reach,5\n"
                   "2026-11-06 00:00:00,instagram,reach,6\n")
    assert [r.day for r in result.rows] == [date(2026, 11, d) for d in range(1, 7)]


def test_semicolon_csv_with_indonesian_decimals() -> None:
    result = parse("date;channel;metric;value\n"
                   "2026-11-01;tiktok;spend;1.234,5\n"
                   "2026-11-01;instagram;revenue;Rp 1.500.000\n"
                   "2026-11-01;instagram;spend;2.000\n"
                   "2026-11-01;instagram;likes;12\n"
                   "2026-11-01;tiktok;revenue;0,25\n")
    assert [r.value for r in result.rows] == [1234.5, 1500000.0, 2000.0, 12.0, 0.25]


def test_quoted_decimal_comma_in_a_comma_separated_file() -> None:
    result = parse('date,channel,metric,value\n2026-11-01,instagram,spend,"1.234,5"\n'
                   '2026-11-01,instagram,likes,"7"\n')
    assert [r.value for r in result.rows] == [1234.5, 7.0]


def test_dot_decimal_numbers() -> None:
    result = parse("date\tchannel\tmetric\tvalue\n"
                   "2026-11-01\tinstagram\tspend\t 1234.5 \n"
                   "2026-11-01\tinstagram\tlikes\t1e3\n"
                   "2026-11-01\tinstagram\trevenue\tRp150000\n"
                   "2026-11-01\tinstagram\tsaves\t-0\n")
    assert [r.value for r in result.rows] == [1234.5, 1000.0, 150000.0, 0.0]
    assert str(result.rows[-1].value) == "0.0"


def test_blank_lines_and_empty_rows_are_skipped_but_counted_in_line_numbers() -> None:
    text = ("\n\ndate,channel,metric,value,,\n"
            "2026-11-01,instagram,reach,1,,\n"
            "\n"
            ",,,,,\n"
            "   \n"
            "2026-11-02,instagram,reach,2,,\n\n")
    result = parse(text)
    assert [r.value for r in result.rows] == [1.0, 2.0]
    assert result.lines == 2
    bad = text.replace("2026-11-02", "2026-13-02")
    assert error_of(bad).line == 8


def test_crlf_and_quoted_newlines_keep_line_numbers_exact() -> None:
    text = ('date,channel,metric,value,campaign\r\n'
            '2026-11-01,instagram,reach,"1\r\n",two line campaign\r\n'
            '2026-11-01,instagram,reach,2,plain\r\n'
            '2026-11-02,instagram,reach,x,plain\r\n')
    error = error_of(text)
    assert (error.code, error.line) == ("bad_number", 5)
    assert parse(text.replace(",x,", ",3,")).rows[0].value == 1.0
    # a line break inside a campaign name is refused (names are one line of plain text)
    broken = text.replace('"1\r\n",two line campaign', '1,"two\r\nline campaign"')
    assert (error_of(broken).code, error_of(broken).line) == ("name_control", 2)


def test_utf16_and_cp1252_text_files() -> None:
    text = "date\tchannel\tmetric\tvalue\tcampaign\n2026-11-01\tinstagram\treach\t5\tCafé\n"
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert parse_import(utf16, "export.txt").rows[0].campaign == "Café"
    assert parse_import(text.encode("cp1252"), "export.csv").rows[0].campaign == "Café"


# --------------------------------------------------------------------------- XLSX


def test_xlsx_long_with_real_dates_and_numbers(tmp_path: Path) -> None:
    data = xlsx([["Date", "Channel", "Metric", "Value", "Campaign", "Competitor"],
                 [datetime(2026, 11, 1), "instagram", "reach", 1200, None, None],
                 [D2, "tiktok:@rival", "spend", 3.5, "promo", True],
                 ["03/11/2026", "instagram", "revenue", "1.5", 2026, "no"]], tmp_path)
    result = parse_import(data, "upload.xlsx")
    assert result.shape == "long"
    assert result.rows == [
        SnapshotRow(D1, "instagram", "", "reach", 1200.0),
        SnapshotRow(D2, "tiktok", "@rival", "spend", 3.5, "promo", True),
        SnapshotRow(date(2026, 11, 3), "instagram", "", "revenue", 1.5, "2026", False),
    ]


def test_xlsx_wide_with_empty_cells_and_sheet_row_numbers(tmp_path: Path) -> None:
    data = xlsx([["tanggal", "kanal", "Reach", "Pengikut"],
                 [datetime(2026, 11, 1, 0, 0), "instagram", 100, None],
                 [],
                 [datetime(2026, 11, 2, 0, 0), "instagram", None, 2000]], tmp_path, start_row=3)
    result = parse_import(data, "upload.xlsx")
    assert result.shape == "wide"
    assert result.lines == 2
    assert result.rows == [SnapshotRow(D1, "instagram", "", "reach", 100.0),
                           SnapshotRow(D2, "instagram", "", "followers", 2000.0)]
    bad = xlsx([["date", "channel", "reach"],
                [D1, "instagram", 1],
                [],
                [D2, "instagram", -4]], tmp_path)
    error = error_of(bad, "upload.xlsx")
    assert (error.code, error.line, error.column) == ("negative", 4, "reach")


def test_xlsx_detected_by_content_not_extension(tmp_path: Path) -> None:
    data = xlsx([["date", "channel", "metric", "value"], [D1, "ig", "reach", 7]], tmp_path)
    assert parse_import(data, "renamed.csv").rows == [SnapshotRow(D1, "instagram", "", "reach",
                                                                  7.0)]


def test_xlsx_typed_cells_are_checked(tmp_path: Path) -> None:
    data = xlsx([["date", "channel", "metric", "value"], [46000, "ig", "reach", 7]], tmp_path)
    assert error_of(data, "a.xlsx").code == "bad_date"
    data = xlsx([["date", "channel", "metric", "value"], [D1, "ig", "reach", True]], tmp_path)
    assert error_of(data, "a.xlsx").code == "bad_number"
    data = xlsx([["date", "channel", "metric", "value"], [D1, "ig", "spend", "1,5"],
                 [D2, "ig", "spend", 2.5]], tmp_path)
    assert [r.value for r in parse_import(data, "a.xlsx").rows] == [1.5, 2.5]


# --------------------------------------------------------------------------- errors


def assert_messages(error: ImportFileError, *, line: int | None) -> None:
    indonesian, english = error.message(), error.message("en")
    assert indonesian == str(error)
    assert indonesian.endswith("Tidak ada data yang disimpan.")
    assert english.endswith("Nothing was saved.")
    if line is not None:
        assert indonesian.startswith(f"Baris {line}: ")
        assert english.startswith(f"Line {line}: ")
    # a hint: at least one sentence between the reason and the closing sentence
    assert indonesian.count(". ") >= 2 and english.count(". ") >= 2


HEAD = "date,channel,metric,value\n"
OK = "2026-11-01,instagram,reach,1\n"

ERRORS = [
    # (name, file text, code, line, column)
    ("missing date", "channel,metric,value\ninstagram,reach,1\n", "missing_column", 1, "date"),
    ("no header", "2026-11-01,instagram,reach,1\n", "missing_column", 1, "date"),
    ("missing value", "date,channel,metric\n" + OK, "missing_column", 1, "value"),
    ("no metric columns", "date,channel\n2026-11-01,instagram\n", "missing_column", 1,
     "metric"),
    ("duplicate field", "date,tanggal,channel,metric,value\n", "duplicate_header", 1, "tanggal"),
    ("duplicate metric", "date,channel,Reach,jangkauan\n", "duplicate_header", 1, "jangkauan"),
    ("unknown wide column", "date,channel,reach,rech2x\n", "unknown_metric", 1, "rech2x"),
    ("derived wide column", "date,channel,reach,engagement\n", "derived_metric", 1,
     "engagement"),
    ("extra long column", "date,channel,metric,value,notes\n", "unknown_column", 1, "notes"),
    ("header only", HEAD, "no_rows", 1, None),
    ("header and blank lines", HEAD + "\n\n,,,\n", "no_rows", 1, None),
    ("wide without values", "date,channel,reach\n2026-11-01,ig,\n", "no_rows", 1, None),
    ("bad date", HEAD + OK + "31/02/2026,instagram,reach,1\n", "bad_date", 3, "date"),
    ("month 13", HEAD + "2026-13-01,instagram,reach,1\n", "bad_date", 2, "date"),
    ("american date", HEAD + "11/30/2026,instagram,reach,1\n", "bad_date", 2, "date"),
    ("two-digit year", HEAD + "01/11/26,instagram,reach,1\n", "bad_date", 2, "date"),
    ("empty date", HEAD + ",instagram,reach,1\n", "missing_value", 2, "date"),
    ("empty channel", HEAD + "2026-11-01,,reach,1\n", "missing_value", 2, "channel"),
    ("bad channel", HEAD + "2026-11-01,:@rival,reach,1\n", "bad_channel", 2, "channel"),
    ("numeric channel", HEAD + "2026-11-01,12345,reach,1\n", "bad_channel", 2, "channel"),
    ("empty metric", HEAD + "2026-11-01,instagram,,1\n", "missing_value", 2, "metric"),
    ("unknown metric", HEAD + OK + "2026-11-01,instagram,rech,1\n", "unknown_metric", 3,
     "metric"),
    ("derived metric", HEAD + "2026-11-01,instagram,engagement,1\n", "derived_metric", 2,
     "metric"),
    ("ratio metric", HEAD + "2026-11-01,instagram,CTR,1\n", "derived_metric", 2, "metric"),
    ("follower growth", HEAD + "2026-11-01,instagram,follower growth,1\n", "derived_metric", 2,
     "metric"),
    ("empty value", HEAD + "2026-11-01,instagram,reach,\n", "missing_value", 2, "value"),
    ("text value", HEAD + "2026-11-01,instagram,reach,banyak\n", "bad_number", 2, "value"),
    ("thousands dots", HEAD + "2026-11-01,instagram,reach,1.234.567\n", "bad_number", 2,
     "value"),
    ("space inside", HEAD + "2026-11-01,instagram,reach,1 234\n", "bad_number", 2, "value"),
    ("underscore", HEAD + "2026-11-01,instagram,reach,1_000\n", "bad_number", 2, "value"),
    ("nan", HEAD + "2026-11-01,instagram,reach,NaN\n", "bad_number", 2, "value"),
    ("infinity", HEAD + "2026-11-01,instagram,reach,inf\n", "bad_number", 2, "value"),
    ("rupiah with dots", HEAD + "2026-11-01,instagram,revenue,Rp5.000\n", "bad_number", 2,
     "value"),
    ("us format in comma file", 'date;channel;metric;value\n2026-11-01;ig;reach;1,234.5\n',
     "bad_number", 2, "value"),
    ("bad grouping", 'date;channel;metric;value\n2026-11-01;ig;reach;1.23,5\n', "bad_number", 2,
     "value"),
    ("negative", HEAD + OK + "2026-11-02,instagram,reach,-5\n", "negative", 3, "value"),
    ("absurd", HEAD + "2026-11-01,instagram,reach,2e15\n", "too_large_value", 2, "value"),
    ("wide bad number", "date,channel,reach,likes\n2026-11-01,ig,1,x\n", "bad_number", 2,
     "likes"),
    ("bad competitor", "date,channel,metric,value,pesaing\n2026-11-01,ig,reach,1,maybe\n",
     "bad_competitor", 2, "pesaing"),
    ("competitor conflict", "date,channel,metric,value,competitor\n"
     "2026-11-01,ig:@a,reach,1,yes\n2026-11-01,tiktok,reach,1,no\n"
     "2026-11-02,instagram:@A,reach,1,no\n", "bad_competitor", 4, "competitor"),
    ("duplicate row", HEAD + OK + "2026-11-02,instagram,reach,1\n"
     "01/11/2026,IG,jangkauan,2\n", "duplicate_row", 4, None),
    ("duplicate wide row", "date,channel,reach\n2026-11-01,ig,1\n2026-11-01,ig,2\n",
     "duplicate_row", 3, None),
    ("too many fields", HEAD + OK + "2026-11-01,instagram,likes,1,5\n", "unnamed_column", 3,
     None),
    ("unclosed quote", HEAD + OK + '2026-11-01,instagram,likes,"1\n', "unreadable", 3, None),
]


@pytest.mark.parametrize(("text", "code", "line", "column"),
                         [pytest.param(*case[1:], id=case[0]) for case in ERRORS])
def test_errors(text: str, code: str, line: int, column: str | None) -> None:
    error = error_of(text)
    assert (error.code, error.line, error.column) == (code, line, column)
    assert_messages(error, line=line)


def test_bad_date_message_exactly() -> None:
    text = HEAD + "".join(f"2026-11-0{d},instagram,reach,1\n" for d in range(1, 6))
    error = error_of(text + "31/02/2026,instagram,reach,1\n")
    assert error.line == 7
    assert error.message() == ("Baris 7: tanggal '31/02/2026' tidak valid. Gunakan format "
                               "2026-11-01 atau 01/11/2026. Tidak ada data yang disimpan.")
    assert error.message("en") == ("Line 7: the date '31/02/2026' is not valid. Use the format "
                                   "2026-11-01 or 01/11/2026. Nothing was saved.")


def test_unknown_metric_suggests() -> None:
    error = error_of(HEAD + "2026-11-01,instagram,rech,1\n")
    assert "maksud Anda: reach?" in error.message()
    assert "did you mean: reach?" in error.message("en")
    assert error.params["suggestion"] == "reach"
    header_error = error_of("date,channel,folowers\n")
    assert "maksud Anda: followers?" in header_error.message()


def test_derived_metric_names_its_parts() -> None:
    error = error_of(HEAD + "2026-11-01,instagram,interaksi,1\n")
    assert "engagement = likes + comments + shares + saves" in error.message()
    assert "likes, comments, shares, saves" in error.message("en")
    roi = error_of(HEAD + "2026-11-01,instagram,roi,1\n")
    assert "roi = 100 × (revenue − spend) / spend" in roi.message()
    assert "revenue, spend" in roi.message()


def test_duplicate_row_names_both_lines() -> None:
    error = error_of("date,channel,metric,value,campaign\n"
                     "2026-11-01,instagram,reach,1,promo\n"
                     "2026-11-01,instagram,reach,1,\n"
                     "2026-11-01,Instagram,Reach,2,promo\n")
    assert (error.line, error.params["other_line"]) == (4, 2)
    assert "Baris 4:" in error.message() and "baris 2" in error.message()
    assert "kampanye 'promo'" in error.message()
    assert "Line 4:" in error.message("en") and "line 2" in error.message("en")


def test_first_error_wins_lowest_line_then_leftmost_column() -> None:
    text = (HEAD + OK
            + "2026-11-02,instagram,reach,-1\n"  # line 3: negative
            + "2026-02-30,instagram,reach,1\n"  # line 4: bad date
            + "2026-11-03,instagram,rech,x\n")  # line 5
    assert (error_of(text).code, error_of(text).line) == ("negative", 3)
    text = HEAD + OK + "2026-11-02,,rech,x\n"
    assert (error_of(text).code, error_of(text).column) == ("missing_value", "channel")
    text = "metric,value,channel,date\nrech,x,,2026-11-02\n"
    assert (error_of(text).code, error_of(text).column) == ("unknown_metric", "metric")
    # a duplicate is reported at its second line, after any cell error on that line
    text = HEAD + OK + OK.replace(",1\n", ",-1\n")
    assert error_of(text).code == "negative"


def test_file_level_errors() -> None:
    for empty in (b"", b"  \n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n"):
        error = error_of(empty)
        assert (error.code, error.line) == ("empty_file", None)
        assert_messages(error, line=None)
        assert error.message().startswith("File kosong.")
    error = error_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    assert (error.code, error.variant) == ("unknown_format", "xls")
    assert ".xlsx" in error.message()
    for blob in (b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n\x00\x00", b"abc\x00\x01\x02"):
        assert error_of(blob, "report.pdf").code == "unknown_format"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("word/document.xml", "<doc/>")
    assert error_of(archive.getvalue(), "letter.docx").code == "unknown_format"
    error = error_of(b"PK\x03\x04 this is not really a zip file", "broken.xlsx")
    assert error.code == "unreadable"
    assert_messages(error, line=None)
    assert_messages(error_of(b"%PDF-1.7", "a.pdf"), line=None)


def test_too_large_is_refused_before_parsing() -> None:
    payload = b"date,channel,metric,value\n" + b"x" * (50 * 1024 * 1024)
    started = time.perf_counter()
    error = error_of(payload)
    assert time.perf_counter() - started < 0.5
    assert (error.code, error.line) == ("too_large", None)
    assert "50 MB" in error.message() and "25 MB" in error.message()
    assert_messages(error, line=None)
    assert error_of(HEAD + OK, max_bytes=10).code == "too_large"


def test_empty_xlsx_and_header_only_xlsx(tmp_path: Path) -> None:
    assert error_of(xlsx([], tmp_path), "a.xlsx").code == "empty_file"
    error = error_of(xlsx([["date", "channel", "reach"]], tmp_path, start_row=2), "a.xlsx")
    assert (error.code, error.line) == ("no_rows", 2)


def test_garbage_collection_is_restored() -> None:
    import gc

    parse(HEAD + OK)
    assert gc.isenabled()
    error_of(HEAD + "x,instagram,reach,1\n")
    assert gc.isenabled()


# --------------------------------------------------------------------------- speed


def test_pandas_is_imported_lazily() -> None:
    code = "import sys, kpi_engine.services.importer; assert 'pandas' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_a_hundred_thousand_rows_parse_quickly(tmp_path: Path) -> None:
    metrics = ("reach", "likes", "followers", "views", "spend")
    lines = [HEAD.strip()]
    for i in range(100_000):
        day = date.fromordinal(D1.toordinal() - i // 50)
        metric = metrics[i // 10 % 5]  # counts are whole, money has fractions
        value = f"{i}.5" if metric == "spend" else str(i)
        lines.append(f"{day.isoformat()},instagram:@h{i % 10},{metric},{value}")
    data = ("\n".join(lines) + "\n").encode()
    parse_import(data[:2000].rsplit(b"\n", 1)[0], "warm-up.csv")
    started = time.perf_counter()
    result = parse_import(data, "big.csv")
    elapsed = time.perf_counter() - started
    assert len(result.rows) == 100_000
    assert result.rows[-1] == SnapshotRow(date.fromordinal(D1.toordinal() - 1999), "instagram",
                                          "@h9", "spend", 99999.5)
    assert elapsed < 2.0, f"{elapsed:.2f}s"
