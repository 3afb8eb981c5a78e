"""Data-source tokens encrypted at rest (SPEC §10, §8): Fernet (AES-128-CBC + HMAC-SHA256,
the ``cryptography`` package) with the key of ``KPIBOT_SECRET_KEY``.

Make a key with ``kpibot secret-key`` (or ``python -c "from cryptography.fernet import
Fernet; print(Fernet.generate_key().decode())"``) and keep it with the database's backups:
without it the stored tokens cannot be read, and a new key means connecting every source
again. No key: adding a source is refused (:class:`NoSecretKey`); a token is never stored in
the clear. Nothing here logs or returns a token in a message.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

MESSAGES: dict[str, tuple[str, str]] = {
    "no_key": ("Sumber data belum bisa ditambahkan: KPIBOT_SECRET_KEY belum diatur, jadi "
               "token tidak bisa disimpan terenkripsi. Buat kunci dengan `kpibot secret-key`, "
               "simpan di KPIBOT_SECRET_KEY, lalu coba lagi.",
               "A data source cannot be added yet: KPIBOT_SECRET_KEY is not set, so its token "
               "cannot be stored encrypted. Make a key with `kpibot secret-key`, put it in "
               "KPIBOT_SECRET_KEY, and try again."),
    "bad_key": ("KPIBOT_SECRET_KEY bukan kunci Fernet (44 karakter base64). Buat kunci baru "
                "dengan `kpibot secret-key`.",
                "KPIBOT_SECRET_KEY is not a Fernet key (44 base64 characters). Make one with "
                "`kpibot secret-key`."),
    "wrong_key": ("Token sumber data tidak bisa dibuka dengan KPIBOT_SECRET_KEY ini (kuncinya "
                  "diganti?). Pasang kunci lama, atau hubungkan ulang sumbernya.",
                  "The data source's token cannot be opened with this KPIBOT_SECRET_KEY (was "
                  "the key changed?). Put the old key back, or connect the source again."),
}


class SecretsError(Exception):
    """Why a token cannot be sealed or opened; ``code`` is a key of :data:`MESSAGES`."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code][1])
        self.code = code

    def message(self, lang: str) -> str:
        return MESSAGES[self.code][1 if lang == "en" else 0]


class NoSecretKey(SecretsError):
    def __init__(self) -> None:
        super().__init__("no_key")


def new_key() -> str:
    """A fresh Fernet key, for ``KPIBOT_SECRET_KEY``."""
    return Fernet.generate_key().decode("ascii")


class Secrets:
    """Seals and opens tokens with one key (None: every seal is refused)."""

    def __init__(self, key: str | None) -> None:
        self._fernet: Fernet | None = None
        if key:
            try:
                self._fernet = Fernet(key.strip().encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raise SecretsError("bad_key") from None

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, token: str) -> str:
        """The token encrypted (``""`` stays ``""``: nothing to hide)."""
        if not token:
            return ""
        if self._fernet is None:
            raise NoSecretKey()
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        if not sealed:
            return ""
        if self._fernet is None:
            raise NoSecretKey()
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretsError("wrong_key") from None
