"""The words of chat requests: command names, intent words, fillers and language markers.

Everything here is lower case and normalized like ``kpi_engine.domain.metrics.normalize``
(no accents, ``_``/``-`` folded to spaces). Metric aliases live in the metric catalogue and
platform words in ``kpi_engine.domain.model.PLATFORM_ALIASES``; this module holds the rest.
"""

from __future__ import annotations

from bot.command_names import ALL as _ALL_COMMANDS

#: Every command word (Indonesian, English, aliases) → its canonical command
#: (declared in ``bot.command_names``).
COMMANDS: dict[str, str] = {w: c.name for c in _ALL_COMMANDS for w in c.words}

#: The language a command word shows; neutral words (kpi, roi, alert, start, target) are absent.
COMMAND_LANG: dict[str, str] = {
    w: lang for c in _ALL_COMMANDS for w in c.words if (lang := c.lang(w)) is not None}

#: Commands whose text is a question about metrics: periods, metrics and channels are read
#: from it and filler words are dropped. The others keep their arguments as typed.
QUERY_COMMANDS: frozenset[str] = frozenset(
    c.name for c in _ALL_COMMANDS if c.reads == "question")

#: Commands whose arguments may still name a metric and a channel (but no period: "3 bulan"
#: in ``/target`` is a deadline, "2 jam" in ``/senyap`` a duration).
METRIC_ARG_COMMANDS: frozenset[str] = frozenset(
    c.name for c in _ALL_COMMANDS if c.reads == "metric")

#: Words that show what a sentence asks for (single normalized words).
INTENT_WORDS: dict[str, str] = {
    **dict.fromkeys(("kpi", "metrik", "metric", "metrics", "berapa", "berapakah", "brp",
                     "performa", "performance", "kinerja", "hasil", "data", "statistik",
                     "stats", "statistics", "angka", "insight", "insights"), "kpi"),
    **dict.fromkeys(("ringkasan", "rangkuman", "ringkas", "summary", "overview", "laporan",
                     "report", "rekap", "recap"), "summary"),
    **dict.fromkeys(("bandingkan", "bandingin", "perbandingan", "compare", "comparison",
                     "vs", "versus", "kompetitor", "pesaing", "competitor", "competitors",
                     "rival", "kompetitornya", "pesaingnya"), "compare"),
    **dict.fromkeys(("kenapa", "mengapa", "why", "knp", "napa", "kenapakah"), "why"),
    **dict.fromkeys(("peringkat", "ranking", "rangking", "urutan", "urutkan", "rank",
                     "rankings", "klasemen"), "rank"),
    **dict.fromkeys(("grafik", "grafiknya", "chart", "diagram", "graph", "plot"), "chart"),
    # "posts" stays the metric (the metric aliases win in the phrases); as a first word it
    # keeps the sentence a sentence ("posts ig kemarin brp": the count)
    **dict.fromkeys(("konten", "kontennya", "content", "posts"), "content"),
    **dict.fromkeys(("audiens", "audience", "demografi", "demographics", "demografis"),
                    "audience"),
    **dict.fromkeys(("catat", "catatkan", "record", "input"), "record"),
    **dict.fromkeys(("goal", "goals", "target", "targets", "sasaran"), "goal"),
    **dict.fromkeys(("bantuan", "help", "panduan", "bantu", "cara", "caranya", "perintah",
                     "menu", "fitur", "lakukan", "commands", "features", "guide", "usage",
                     "bisa apa", "what can you do"), "help"),
}

#: When a sentence shows several intents, the first of these wins.
INTENT_PRIORITY: tuple[str, ...] = ("record", "goal", "why", "content", "audience", "rank",
                                     "compare",
                                     "chart", "summary", "help",
                                     "kpi")

#: Greetings: a message of only these (and fillers) asks for help.
GREETINGS: frozenset[str] = frozenset({
    "halo", "hallo", "helo", "hai", "hi", "hello", "hey", "hei", "pagi", "siang", "sore",
    "malam", "selamat", "assalamualaikum", "permisi", "bot", "gan", "kak", "min", "kabar",
})

#: Words that carry no request of their own, dropped before looking for unknown words.
FILLERS: frozenset[str] = frozenset({
    # Indonesian
    "sih", "dong", "donk", "ya", "yah", "yuk", "tolong", "mohon", "minta", "kasih", "kasi",
    "tau", "tahu", "gimana", "gmn", "gmana", "bagaimana", "di", "untuk", "utk", "buat", "dari",
    "dan", "dengan", "dgn", "sama", "yang", "yg", "kita", "kami", "saya", "aku", "gue", "gw",
    "akun", "jumlah", "total", "nilai", "apa", "aja", "saja", "ada", "itu",
    "nya", "selama", "pada", "ke", "per", "lagi", "coba", "lihat", "liat", "cek", "check",
    "tampilkan", "tunjukkan", "tunjukin", "info", "sekarang", "deh",
    "nih", "kah", "udah", "sudah", "semua", "seluruh", "channel", "kanal", "platform", "iklan",
    "brand", "kok", "gitu", "kampanye", "dibanding", "dibandingkan", "banding",
    "terhadap", "ini", "lalu", "hari", "minggu", "pekan", "bulan", "tahun", "kuartal",
    "triwulan", "terakhir", "depan", "besok", "kemarin", "sejak", "periode", "tanggal", "tgl",
    "terima", "makasih", "thanks", "thx", "bro", "sis", "terbaru", "baru", "update", "bisa", "kamu", "anda",
    # English
    "how", "many", "much", "what", "whats", "what's", "was", "is", "are", "were", "the", "a",
    "an", "of", "for", "on", "in", "at", "our", "my", "we", "me", "us", "show", "give", "tell",
    "please", "pls", "get", "number", "do", "did", "does", "have", "has", "i", "about",
    "during", "over", "so", "far", "and", "to", "with", "from", "can", "you", "could", "see",
    "across", "all", "channels", "ads", "ad", "campaign", "compared", "against",
    "last", "this", "next", "week", "month", "year", "quarter", "days", "weeks", "months",
    "today", "yesterday", "since", "period", "account", "it", "be", "will", "would", "doing",
    "going", "latest", "current", "new", "there",
})

#: Sub-command and argument words of /target, /alert, /senyap, /langganan...: never offered
#: as "maksud Anda" metric suggestions.
ARGUMENT_WORDS: frozenset[str] = frozenset({
    "hapus", "tambah", "daftar", "batal", "batalkan", "list", "add", "remove", "delete",
    "cancel", "turun", "naik", "drop", "rise", "above", "below", "atas", "bawah", "lebih",
    "kurang", "harian", "mingguan", "bulanan", "daily", "weekly", "monthly", "jam", "menit",
    "hours", "hour", "minutes", "akhir", "end", "viewer", "editor", "admin", "terbaik",
    "tertinggi", "terendah", "paling", "tinggi", "rendah", "best", "top", "kenaikan",
    "penurunan", "growth", "pertumbuhan", "naiknya", "turunnya", "progress", "status",
    # the direction of a change in a "kenapa … turun?" / "why did … fall" question
    "fall", "fell", "falls", "falling", "dropped", "drops", "dropping", "rose", "rising",
    "go", "went", "gone", "anjlok", "merosot", "melonjak",
    # "weekend depan": a period's words, left in the arguments by its error
    "weekend", "wiken", "wikend",
})

#: The words for a campaign, followed by its name ("kampanye ramadan", "campaign: promo").
CAMPAIGN_WORDS: frozenset[str] = frozenset({"kampanye", "campaign", "kampanya"})

#: Platforms the bot does not serve: named in a request they are an unknown channel.
OTHER_PLATFORMS: frozenset[str] = frozenset({
    "snapchat", "pinterest", "threads", "whatsapp", "wa", "telegram", "discord",
    "reddit", "twitch", "shopee", "tokopedia", "lazada", "bukalapak", "blibli", "tumblr",
    "vimeo", "spotify", "substack", "clubhouse", "bereal", "vk", "weibo", "wechat",
})

#: A metric alias that also names a channel.
ALIAS_CHANNEL: dict[str, str] = {"pelanggan youtube": "youtube"}

#: Words that show the language of a sentence; "strong" ones count twice.
LANG_WORDS: dict[str, str] = {
    **dict.fromkeys((
        "berapa", "berapakah", "brp", "minggu", "pekan", "bulan", "tahun", "hari", "ini", "lalu",
        "dong", "ya", "sih", "kemarin", "terakhir", "kuartal", "triwulan", "sejak", "tolong",
        "kasih", "tau", "gimana", "bagaimana", "kita", "yang", "dan", "dengan", "untuk", "di",
        "tampilkan", "lihat", "grafik", "ringkasan", "rangkuman", "laporan", "bandingkan",
        "perbandingan", "catat", "bantuan", "halo", "hai", "selamat", "pagi", "apa", "saja",
        "aja", "dari", "kampanye", "pengikut", "jangkauan", "kunjungan", "tingkat", "pesaing",
        "kompetitor", "pertumbuhan", "pendapatan", "biaya", "komentar", "penayangan", "depan",
    ), "id"),
    **dict.fromkeys((
        "how", "what", "whats", "last", "this", "week", "month", "year", "quarter", "days",
        "weeks", "months", "show", "me", "the", "today", "yesterday", "since", "our", "please",
        "many", "much", "was", "is", "compare", "chart", "summary", "overview", "report", "hello",
        "hi", "give", "for", "on", "of", "campaign", "next",
    ), "en"),
}
STRONG_LANG_WORDS: frozenset[str] = frozenset({
    "berapa", "dong", "ya", "sih", "gimana", "tolong", "kasih", "tau", "yang",
    "how", "what", "whats", "show", "please", "the",
})

#: Month names and abbreviations: period words, never "maksud Anda" metric suggestions.
MONTH_WORDS: frozenset[str] = frozenset({
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
    "oktober", "november", "desember", "january", "february", "march", "may", "june", "july",
    "august", "october", "december", "jan", "feb", "mar", "apr", "jun", "jul", "agu", "agt",
    "aug", "sep", "sept", "okt", "oct", "nov", "des", "dec",
})

#: Words understood without a slot of their own: "which is best", profit, growth and rate
#: words, side-by-side joiners, chat particles and everyday words around a question.
UNDERSTOOD: frozenset[str] = frozenset({
    # "the best", "which"
    "paling", "terbaik", "tertinggi", "terbanyak", "terbesar", "terendah", "terburuk",
    "tersedikit", "terkecil", "terlaris", "best", "top", "highest", "lowest", "worst", "most",
    "juara", "unggul", "menang", "bagus", "jelek", "tinggi", "rendah", "banyak", "gede", "besar",
    "kecil", "mana", "which", "teratas", "urutan", "ranking", "peringkat",
    # rankings: cheap and dear, worst and least ("kanal mana cpc paling murah", "worst
    # performing channel", "campaign with the fewest conversions")
    "murah", "termurah", "mahal", "termahal", "buruk", "terjelek", "terbawah", "sedikit",
    "dikit", "performing", "performer", "performers", "cheapest", "least", "fewest", "bottom",
    "biggest", "largest", "smallest", "urut", "diurutkan", "had", "rame", "ramai", "sepi",
    "tersepi", "boros", "terboros", "hemat", "terhemat", "berdasarkan", "menurut", "based",
    "termasuk", "including", "include",
    # profit, growth, rate
    "untung", "menguntungkan", "profit", "profitable", "cuan", "keuntungan", "laba",
    "growth", "pertumbuhan", "naik", "kenaikan", "bertambah", "tambah", "nambah", "penambahan",
    "gain", "gained", "grow", "grew", "tumbuh", "bertumbuh", "naiknya", "increase", "tambahan",
    "turun", "turunnya", "penurunan", "berkurang", "drop", "down", "up", "change", "perubahan",
    "persen", "laju", "persentase", "percent", "percentage", "pct",
    # side by side, competitors
    "alert", "alerts", "peringatan", "notifikasi", "notif", "alarm",
    "vs", "versus", "atau", "or", "lawan", "v", "&", "pesaing", "kompetitor", "competitor",
    "competitors", "rival", "rivals", "saingan", "kompetitornya", "pesaingnya",
    # chat particles and everyday words
    "juga", "banget", "dulu", "kalau", "karena", "tidak", "gak", "ga", "nggak", "ngga", "belum",
    "lah", "loh", "lho", "kak", "gan", "min", "bang", "mas", "mbak", "pak", "bu", "om", "guys",
    "eh", "hmm", "hm", "oh", "wah", "wow", "nah", "oke", "ok", "okay", "sip", "please", "plz",
    "mau", "pengen", "pingin", "ingin", "butuh", "perlu", "dapat", "dapet", "dapatkan", "jadi",
    "sebenarnya", "sebetulnya", "kira", "kira-kira", "kirakira", "sekitar", "berapa", "berapakah",
    "kah", "dalam", "sampai", "hingga", "bagaimana", "seperti", "kayak", "kaya", "gimana",
    "terus", "trus", "habis", "abis", "cuma", "hanya", "only", "just", "also", "too", "again",
    "kapan", "when", "where", "why", "kenapa", "mengapa", "apakah", "brapa", "persis", "exact",
    "angkanya", "nilainya", "datanya", "hasilnya", "totalnya", "jumlahnya", "kita", "tim",
    "team", "kantor", "perusahaan", "doang", "tuh", "toh", "si", "sang", "punya", "punyanya",
    "milik", "sendiri", "own", "ours", "mine", "their", "them", "they", "its", "that", "those",
    "these", "now", "right", "currently", "kini", "saat", "waktu", "masih", "still", "sudah",
    "already", "yet", "berapaan", "nanya", "tanya", "ask", "asking", "question", "pertanyaan",
    "gak?", "ya?", "let", "lets", "know", "want", "need", "like", "kasih", "tahu", "kasitau",
    "kasi", "tolongin", "bantuin", "cariin", "carikan", "hitung", "hitungin", "itung",
    "jelaskan", "jelasin", "lihatin", "liatin", "cek", "cekin", "kabarnya", "gimana?", "by",
    "than", "then", "but", "tapi", "namun", "not", "no", "yes", "apa", "aja", "saja",
    "kemana", "dimana", "berapa?", "nilai", "value", "figure", "figures", "numbers", "kali",
    "times", "padahal", "mulu", "melulu",
})
