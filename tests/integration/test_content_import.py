"""Import of post and audience rows (SPEC §11) in the long and wide shapes, CSV and XLSX,
written on SQLite and PostgreSQL; a bad row rejects the whole file."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from kpi_engine.services.importer import ImportFileError
from kpi_engine.services.ingest import import_bytes
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

TODAY = date(2026, 11, 20)
WIDE = (
    "date,channel,post_id,published_at,format,caption,permalink,reach,likes,comments,shares,saves\n"
    "2026-11-03,instagram,P1,2026-11-02T19:30,Reels,Promo #Diskon #ramadan,"
    "https://instagram.com/p/P1,1000,100,10,5,5\n"
    "2026-11-08,instagram,P1,2026-11-02T19:30,Reels,Promo #Diskon #ramadan,"
    "https://instagram.com/p/P1,2000,200,20,10,10\n"
    "2026-11-06,instagram,P2,2026-11-05 09:00+07:00,feed,pagi #diskon,,700,300,,,\n"
)
LONG = (
    "date;channel;metric;value;post_id;published_at;format\n"
    "2026-11-04;tiktok:@rival;likes;1.500;V9;2026-11-03T20:00;video\n"
    "2026-11-04;tiktok:@rival;comments;12;V9;2026-11-03T20:00;video\n"
)
SEGMENTS = (
    "date,channel,segment,followers\n"
    "2026-11-01,instagram,city:Jakarta,400\n"
    "2026-11-01,instagram,kota:bandung,100\n"
    "2026-11-08,instagram,city:Jakarta,500\n"
    "2026-11-08,instagram,age:18 - 24,600\n"
    "2026-11-08,instagram,gender:Perempuan,350\n"
)


def _import(store: Store, text: str, name: str = "posts.csv") -> tuple[int, int]:
    ws = store.ensure_workspace("brand")
    done = import_bytes(store, ws.id, text.encode(), name, today=TODAY)
    return done.result.written, done.result.replaced


def test_wide_post_rows_become_posts_with_lifetime_values(store: Store) -> None:
    assert _import(store, WIDE) == (12, 0)  # 5 + 5 + 2 filled cells
    ws = store.workspace("brand")
    assert ws is not None
    content = ContentStore(store)
    top = content.top_posts(ws.id, date(2026, 11, 2), date(2026, 11, 8))
    # P2: 300 likes (its other parts empty); P1 on 11-08: 200 + 20 + 10 + 10
    assert [(p.post_id, p.value, p.format) for p in top] == [("P2", 300.0, "feed"),
                                                              ("P1", 240.0, "reel")]
    p1 = top[1]
    # no offset: the workspace's local time (Asia/Jakarta, UTC+7)
    assert p1.published_at == datetime(2026, 11, 2, 12, 30, tzinfo=UTC)
    assert p1.permalink == "https://instagram.com/p/P1"
    tags = {g.key: (g.posts, g.engagement) for g in
            content.by_hashtag(ws.id, date(2026, 11, 2), date(2026, 11, 8), min_posts=1)}
    assert tags == {"diskon": (2, 540.0), "ramadan": (1, 240.0)}
    # the same file again replaces every value: nothing is counted twice
    assert _import(store, WIDE) == (12, 12)
    assert content.count_posts(ws.id) == 2


def test_long_post_rows_of_a_competitor_in_the_indonesian_style(store: Store) -> None:
    assert _import(store, LONG) == (2, 0)
    ws = store.workspace("brand")
    assert ws is not None
    rival = store.channels(ws.id)[0]
    assert (rival.name, rival.is_competitor) == ("tiktok:@rival", False)
    top = ContentStore(store).top_posts(ws.id, date(2026, 11, 1), date(2026, 11, 8),
                                        channel_ids=[rival.id])
    assert [(p.post_id, p.value) for p in top] == [("V9", 1512.0)]  # "1.500" is 1500


def test_segment_rows_become_audience_buckets(store: Store) -> None:
    assert _import(store, SEGMENTS) == (5, 0)
    ws = store.workspace("brand")
    assert ws is not None
    got = [(b.dimension, b.bucket, b.value, b.change_pct) for b in
           ContentStore(store).audience(ws.id, date(2026, 11, 2), date(2026, 11, 8))]
    assert got == [("age", "18-24", 600.0, None), ("city", "Jakarta", 500.0, 25.0),
                   ("city", "Bandung", 100.0, 0.0), ("gender", "female", 350.0, None)]
    assert store.count_snapshots() == 0


def test_xlsx_post_rows(store: Store) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "channel", "post_id", "published_at", "format", "likes", "reach"])
    sheet.append([datetime(2026, 11, 9), "instagram", 123456, datetime(2026, 11, 8, 19, 0),
                  "carousel", 40, 900])
    out = io.BytesIO()
    book.save(out)
    ws = store.ensure_workspace("brand")
    done = import_bytes(store, ws.id, out.getvalue(), "posts.xlsx", today=TODAY)
    assert (done.result.written, done.shape) == (2, "wide")
    top = ContentStore(store).top_posts(ws.id, date(2026, 11, 8), date(2026, 11, 9), "reach")
    assert [(p.post_id, p.value, p.format, p.published_day) for p in top] == [
        ("123456", 900.0, "carousel", date(2026, 11, 8))]


@pytest.mark.parametrize("row, line, words", [
    ("2026-11-03,instagram,P3,2026-11-02T19:30,reel,,,10.5,1,1,1,1", 5,
     "reach dihitung dalam bilangan bulat"),
    ("2026-11-03,instagram,P3,2026-11-02T19:30,reel,,,-1,1,1,1,1", 5, "negatif"),
    ("2026-11-03,instagram,P3,2026-11-02T19:30,reel,,,5000000000000,1,1,1,1", 5,
     "terlalu besar"),
    ("2026-11-03,instagram,P3,kemarin,reel,,,10,1,1,1,1", 5, "waktu terbit 'kemarin'"),
    ("2026-11-03,instagram,P3,2026-11-02T19:30,tweet,,,10,1,1,1,1", 5,
     "format postingan 'tweet'"),
    ("2026-11-01,instagram,P3,2026-11-02T19:30,reel,,,10,1,1,1,1", 5,
     "sebelum postingan terbit"),
    ("2026-11-03,instagram,P3,2026-11-02T19:30,reel,,javascript:alert(1),10,1,1,1,1", 5,
     "tautan"),
    ("2026-11-21,instagram,P3,2026-11-02T19:30,reel,,,10,1,1,1,1", 5, "belum terjadi"),
    ("2026-11-08,instagram,P1,2026-11-02T19:31,Reels,Promo #Diskon #ramadan,"
     "https://instagram.com/p/P1,1,1,1,1,1", 5, "waktu terbit berbeda di baris 2"),
])
def test_a_bad_post_row_rejects_the_whole_file(store: Store, row: str, line: int,
                                               words: str) -> None:
    bad = WIDE + row + "\n"
    with pytest.raises(ImportFileError) as caught:
        _import(store, bad)
    text = caught.value.message("id")
    assert f"Baris {line}:" in text
    assert words in text.lower() or words in text
    assert "Tidak ada data yang disimpan." in text
    assert caught.value.message("en").endswith("Nothing was saved.")
    ws = store.workspace("brand")
    assert ws is not None
    assert ContentStore(store).count_posts(ws.id) == 0


@pytest.mark.parametrize("row, words", [
    ("2026-11-08,instagram,kota,100", "segmen 'kota'"),
    ("2026-11-08,instagram,age:tua,100", "segmen 'age:tua'"),
    ("2026-11-08,instagram,city:Jakarta,100.5", "followers dihitung dalam bilangan bulat"),
    ("2026-11-08,instagram,city:Jakarta,7", "sudah ada di baris 4"),
])
def test_a_bad_segment_row_rejects_the_whole_file(store: Store, row: str, words: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        _import(store, SEGMENTS + row + "\n")
    assert "Baris 7:" in caught.value.message("id")
    assert words in caught.value.message("id")
    ws = store.workspace("brand")
    assert ws is not None
    assert ContentStore(store).audience(ws.id, date(2026, 11, 1), date(2026, 11, 30)) == []


def test_a_file_of_33000_posts_imports_twice_idempotently(store: Store) -> None:
    """33,000 posts: more than the 32,766 bound variables of SQLite's default build (this
    machine's build allows more; the writes look posts up in chunks either way)."""
    n = 33_000
    lines = ["date,channel,post_id,published_at,format,caption,likes"] + [
        f"2026-11-03,instagram,P{i},2026-11-02T10:00,reel,#a,{i % 500}" for i in range(n)]
    assert _import(store, "\n".join(lines)) == (n, 0)
    assert _import(store, "\n".join(lines)) == (n, n)
    ws = store.workspace("brand")
    assert ws is not None
    content = ContentStore(store)
    assert content.count_posts(ws.id) == n
    tags = content.by_hashtag(ws.id, date(2026, 11, 2), date(2026, 11, 8), min_posts=1)
    # likes i % 500 over 33,000 posts: 66 full cycles of 0..499, Σ = 66 × 124,750
    assert [(g.key, g.posts, g.engagement) for g in tags] == [("a", n, 66 * 124_750.0)]
