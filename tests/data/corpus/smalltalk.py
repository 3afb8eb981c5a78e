"""Small talk and confirmations: thanks, greetings and "siapa kamu" get a short friendly
reply (command ``smalltalk``); ``ya`` / ``iya`` / ``yes`` after a "maksud Anda ...?" accepts
the suggestion (command ``confirm``). A greeting or thanks in front of a question is the
question."""

from __future__ import annotations

from tests.data.corpus import LAST_MONTH, LAST_WEEK, THIS_MONTH, YESTERDAY, Case

THANKS = {"command": "smalltalk", "smalltalk": "thanks"}
GREETING = {"command": "smalltalk", "smalltalk": "greeting"}
ABOUT = {"command": "smalltalk", "smalltalk": "about"}
CONFIRM = {"command": "confirm"}

CASES: list[Case] = [
    # thanks
    ("makasih ya", {**THANKS, "lang": "id"}),
    ("makasih", {**THANKS, "lang": "id"}),
    ("makasih kak", {**THANKS, "lang": "id"}),
    ("makasih min", {**THANKS, "lang": "id"}),
    ("mksh", {**THANKS, "lang": "id"}),
    ("makasi ya bot", {**THANKS, "lang": "id"}),
    ("terima kasih banyak", {**THANKS, "lang": "id"}),
    ("terima kasih ya", {**THANKS, "lang": "id"}),
    ("Terima kasih!", {**THANKS, "lang": "id"}),
    ("trims", {**THANKS, "lang": "id"}),
    ("thx", THANKS),
    ("thanks", {**THANKS, "lang": "en"}),
    ("thank you", {**THANKS, "lang": "en"}),
    ("Thank you!", {**THANKS, "lang": "en"}),
    ("thanks ya", THANKS),
    ("tq", THANKS),
    ("tengkyu", THANKS),
    ("sip makasih", {**THANKS, "lang": "id"}),
    ("oke makasih", {**THANKS, "lang": "id"}),
    ("mantap, makasih ya", {**THANKS, "lang": "id"}),
    ("makasih banyak 🙏", {**THANKS, "lang": "id"}),
    ("thanks bot!", {**THANKS, "lang": "en"}),
    ("thanks a lot", {**THANKS, "lang": "en"}),
    ("makasih infonya", {**THANKS, "lang": "id"}),
    ("makasih ya kak 😊", {**THANKS, "lang": "id"}),
    ("terimakasih", {**THANKS, "lang": "id"}),
    # greetings
    ("halo kak", GREETING),
    ("hai bot", GREETING),
    ("pagi", {**GREETING, "lang": "id"}),
    ("selamat siang", {**GREETING, "lang": "id"}),
    ("met pagi", {**GREETING, "lang": "id"}),
    ("assalamualaikum", GREETING),
    ("hello", {**GREETING, "lang": "en"}),
    ("good morning", {**GREETING, "lang": "en"}),
    ("hey", GREETING),
    ("pagi min", {**GREETING, "lang": "id"}),
    ("halo min", GREETING),
    ("sore kak", {**GREETING, "lang": "id"}),
    ("selamat malam", {**GREETING, "lang": "id"}),
    ("hallo", GREETING),
    ("hai", GREETING),
    ("pagi semua", {**GREETING, "lang": "id"}),
    ("halo KpiBot", GREETING),
    ("hey bot", GREETING),
    ("good afternoon", {**GREETING, "lang": "en"}),
    ("halo 👋", GREETING),
    # who are you
    ("siapa kamu", {**ABOUT, "lang": "id"}),
    ("kamu siapa", {**ABOUT, "lang": "id"}),
    ("kamu siapa sih?", {**ABOUT, "lang": "id"}),
    ("siapa kamu?", {**ABOUT, "lang": "id"}),
    ("who are you", {**ABOUT, "lang": "en"}),
    ("who are you?", {**ABOUT, "lang": "en"}),
    ("ini bot apa", {**ABOUT, "lang": "id"}),
    ("bot apa ini?", {**ABOUT, "lang": "id"}),
    ("kamu bot ya?", {**ABOUT, "lang": "id"}),
    ("what are you", {**ABOUT, "lang": "en"}),
    ("kamu itu apa sih", {**ABOUT, "lang": "id"}),
    # confirmations after a suggestion
    ("ya", {**CONFIRM, "lang": "id"}),
    ("Ya", {**CONFIRM, "lang": "id"}),
    ("ya.", {**CONFIRM, "lang": "id"}),
    ("iya", {**CONFIRM, "lang": "id"}),
    ("Iya!", {**CONFIRM, "lang": "id"}),
    ("iyaa", {**CONFIRM, "lang": "id"}),
    ("iya bener", {**CONFIRM, "lang": "id"}),
    ("ya betul", {**CONFIRM, "lang": "id"}),
    ("betul", {**CONFIRM, "lang": "id"}),
    ("bener", {**CONFIRM, "lang": "id"}),
    ("iya itu", {**CONFIRM, "lang": "id"}),
    ("iya dong", {**CONFIRM, "lang": "id"}),
    ("iya kak", {**CONFIRM, "lang": "id"}),
    ("ya min", {**CONFIRM, "lang": "id"}),
    ("yes", {**CONFIRM, "lang": "en"}),
    ("Yes", {**CONFIRM, "lang": "en"}),
    ("yes!", {**CONFIRM, "lang": "en"}),
    ("yes please", {**CONFIRM, "lang": "en"}),
    ("yep", {**CONFIRM, "lang": "en"}),
    ("yup", CONFIRM),
    ("iya 👍", {**CONFIRM, "lang": "id"}),
    # a greeting or thanks in front of a question: the question
    ("pagi kak, reach ig kmrn brp ya", {"command": "kpi", "metric": "reach", "channel": "instagram", **YESTERDAY}),
    ("halo min, followers tt bln ini?", {"command": "kpi", "metric": "followers", "channel": "tiktok", **THIS_MONTH}),
    ("hai bot, ringkasan mgg lalu dong", {"command": "summary", **LAST_WEEK}),
    ("makasih! skrg reach tt bln ini brp", {"command": "kpi", "metric": "reach", "channel": "tiktok", **THIS_MONTH}),
    ("ok makasih, terus followers ig?", {"command": "kpi", "metric": "followers", "channel": "instagram"}),
    ("good morning, ig reach yesterday", {"command": "kpi", "metric": "reach", "channel": "instagram", **YESTERDAY}),
    ("thanks! now tiktok views last week", {"command": "kpi", "metric": "views", "channel": "tiktok", **LAST_WEEK}),
    ("selamat pagi, revenue kmrn brp?", {"command": "kpi", "metric": "revenue", **YESTERDAY}),
    ("iya, tapi yg bulan lalu dong reach ig", {"command": "kpi", "metric": "reach", "channel": "instagram", **LAST_MONTH}),
]
