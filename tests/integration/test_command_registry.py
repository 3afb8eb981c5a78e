"""The router bootstrap wires serves exactly the commands of ``bot.command_names.ALL``,
under the names declared there (an in-memory SQLite database)."""

from __future__ import annotations

from bot.bootstrap import bootstrap
from bot.command_names import ALL
from bot.reply import Request
from bot.vocabulary import COMMANDS
from config.settings import Settings


def test_bootstrap_registers_every_declared_command_and_no_other() -> None:
    app = bootstrap(Settings(database_url="sqlite://"))
    registered = app.router.commands
    declared = {c.name: c for c in ALL}
    missing, extra = set(declared) - set(registered), set(registered) - set(declared)
    assert not missing, f"declared in bot/command_names.py, not registered: {sorted(missing)}"
    assert not extra, f"registered, not declared in bot/command_names.py: {sorted(extra)}"
    for name, command in registered.items():
        assert command.names is declared[name]  # the very declaration, not a copy
        assert (command.name, command.id_name, command.en_name) == \
            (name, declared[name].id_name, declared[name].en_name)
        assert command.help_id and command.help_en


def test_every_declared_word_reaches_its_command() -> None:
    app = bootstrap(Settings(database_url="sqlite://"))
    for c in ALL:
        for word in c.words:
            assert COMMANDS[word] == c.name
            reply = app.router.handle(Request(text=f"/{word}", platform="telegram",
                                              chat_id="unlinked-chat", user_id="u1"))
            # an unlinked chat: every word is a known command; those that need a link say so
            # (help, join and start are answered by their own handlers, help with the list)
            assert reply.error != "unknown_command", word
            if app.router.commands[c.name].needs_link:
                assert reply.error == "not_linked", word
            elif c.name == "help":
                assert reply.intent == "help", word
