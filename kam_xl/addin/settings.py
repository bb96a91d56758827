"""The settings of ``kam-xl serve`` (xlwings Server) as one pydantic-settings model: the model is the schema.

Every field carries its description, its bounds, its command-line option and its environment variable
(``KAM_XL_`` + the field name in capitals, unless the field says otherwise). :meth:`ServerSettings.from_env`
reads the environment, puts the command-line options on top and turns a ``ValidationError`` into a
:class:`ServerConfigError` whose message names the option, the variable, the value (never a secret) and what is
allowed.

The folders the macros may touch (:class:`MacroAccess`): the data book of a controller's settings must lie under
one of ``data_roots``, its output folder under one of ``output_roots`` — none is allowed until the server is
started with ``--data-root`` / ``--output-root`` (``KAM_XL_DATA_ROOTS`` / ``KAM_XL_OUTPUT_ROOTS``). A database
URL in the data book setting must be on the ``allow_db_urls`` list (``--allow-db-url``), compared without
credentials (:func:`db_url_key`); a password is never stored or shown.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kam_xl.errors import validation_details

ENV_PREFIX = "KAM_XL_"
DEFAULT_MAX_BODY_MB = 16.0
#: Shortest API key or bearer token accepted (e.g. ``python -c "import secrets; print(secrets.token_urlsafe(32))"``).
MIN_SECRET_LENGTH = 16
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")
#: ``scheme://`` at the start of a setting: a URL, not a path (a scheme has two or more letters, so that a
#: Windows drive ``C:/`` stays a path).
_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


class ServerConfigError(RuntimeError):
    """The server cannot start: a setting, the xlwings licence key or a function is not usable as it is.

    ``problems`` lists each problem on its own when there are several (the message joins them)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


# --------------------------------------------------------------------------------------------------------------
# Database URLs, compared and shown without credentials


def is_url(text: str) -> bool:
    """True when ``text`` starts like a URL (``scheme://``), e.g. ``sqlite:///kam.db``; False for paths.

    >>> is_url("postgresql+psycopg://db/kam"), is_url("C:/Daten/Datenbuch.xlsx"), is_url("daten/x.xlsx")
    (True, False, False)
    """
    return bool(_URL_START.match(text.strip()))


def db_url_key(url: str) -> str:
    """A database URL without user name and password, scheme and host in lower case: the form URLs are compared
    and shown in. Raises ``ValueError`` (without the URL's credentials) when it is not a URL.

    >>> db_url_key("PostgreSQL+psycopg://kam:geheim@DB.example.com:5432/kam?sslmode=require")
    'postgresql+psycopg://db.example.com:5432/kam?sslmode=require'
    >>> db_url_key("sqlite:////srv/kam/kam.db")
    'sqlite:////srv/kam/kam.db'
    """
    text = url.strip()
    allowed = ("allowed: scheme://[user[:password]@]host[:port]/database, e.g. postgresql+psycopg://db.example.com/kam "
               "or sqlite:////srv/kam/kam.db")
    if not is_url(text):
        raise ValueError(f"not a database URL — {allowed}")
    try:
        parts = urlsplit(text)
    except ValueError as e:  # urllib's reason names no part of the URL
        raise ValueError(f"not a valid URL ({e}) — {allowed}") from None
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{_without_credentials(parts)}: the port is not valid — allowed: a number from 1 to "
                         "65535") from None
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{parts.path}{query}"


def _without_credentials(parts: SplitResult) -> str:
    netloc = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme.lower()}://{netloc}{parts.path}"


# --------------------------------------------------------------------------------------------------------------
# What the macros may touch


@dataclass(frozen=True)
class MacroAccess:
    """The folders and databases the macros may use when a caller names them in a controller's settings.

    ``data_roots`` and ``output_roots`` are resolved folders (links followed); ``db_urls`` are credential-free
    URL keys (:func:`db_url_key`). Empty means nothing of that kind is allowed.
    """

    data_roots: tuple[Path, ...] = ()
    output_roots: tuple[Path, ...] = ()
    db_urls: tuple[str, ...] = ()

    def refusal(self, path: Path, kind: Literal["data", "output"]) -> str | None:
        """Why ``path`` may not be used as a data book (``data``) or an output folder (``output``), or ``None``.

        The path is resolved first (``..`` removed, every link followed, also one inside a root that points
        outside), then it must lie in or under one of the roots.
        """
        roots = self.data_roots if kind == "data" else self.output_roots
        option = "--data-root (KAM_XL_DATA_ROOTS)" if kind == "data" else "--output-root (KAM_XL_OUTPUT_ROOTS)"
        if not roots:
            return (f"{path} is refused: this server allows no {kind} folder yet — the server's administrator "
                    f"must start kam-xl serve with {option}")
        try:
            resolved = path.resolve(strict=False)
        except (OSError, ValueError, RuntimeError) as e:  # a NUL byte, a name too long, a link loop
            return f"{str(path)[:200]!r} is not a usable path ({e}) — allowed: a path under {roots[0]} ({option})"
        if any(resolved.is_relative_to(root) for root in roots):
            return None
        shown = ", ".join(str(r) for r in roots)
        via = f" (it resolves to {resolved})" if resolved != path else ""
        return f"{path} is outside this server's {kind} folders{via} — allowed: a path under {shown} ({option})"

    def url_refusal(self, url: str) -> str | None:
        """Why the database ``url`` may not be used, or ``None`` when it is on the allow-list. The message shows
        the URL without credentials."""
        try:
            key = db_url_key(url)
        except ValueError as e:
            return str(e)
        if key in self.db_urls:
            return None
        allowed = ", ".join(self.db_urls) if self.db_urls else "none is configured"
        return (f"the database {key} is not on this server's allow-list — allowed: {allowed} (the server's "
                "administrator adds one with --allow-db-url / KAM_XL_ALLOW_DB_URLS)")

    def root_of(self, kind: Literal["data", "output"]) -> Path | None:
        """The first root of a kind: where a relative path in the settings is taken from on the server."""
        roots = self.data_roots if kind == "data" else self.output_roots
        return roots[0] if roots else None


# --------------------------------------------------------------------------------------------------------------
# The settings model


def _split(value: Any, separator: str | None) -> Any:
    """An environment text as a list: a JSON list, or the parts between ``separator`` (``None``: blanks)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a JSON list — allowed: a JSON list of texts, or texts "
                             "separated as the description says") from None
    return [part.strip() for part in text.split(separator) if part.strip()]


def _option(name: str, env: str | tuple[str, ...], description: str) -> dict[str, Any]:
    """Field metadata: the description, the command-line option, the environment variable(s)."""
    envs = (env,) if isinstance(env, str) else env
    return {"description": description, "json_schema_extra": {"option": name, "env": list(envs)}}


class ServerSettings(BaseSettings):
    """How ``kam-xl serve`` listens, who may call it, how large a request may be and which folders and databases
    the macros may use. Read from ``KAM_XL_*`` environment variables; keyword arguments (the command-line
    options) win. Every rule is checked when the settings are made, so a bad combination stops the start."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid", case_sensitive=False,
                                      populate_by_name=True, validate_default=True)

    host: str = Field("127.0.0.1", min_length=1, max_length=253,
                      **_option("--host", "KAM_XL_HOST", "interface to listen on; 127.0.0.1 = this machine only"))
    port: int = Field(8000, ge=1, le=65535, **_option("--port", "KAM_XL_PORT", "TCP port to listen on"))
    public_url: str | None = Field(None, **_option(
        "--public-url", "KAM_XL_PUBLIC_URL", "address Excel reaches the server at when it is not "
        "scheme://host:port (e.g. behind a TLS proxy): scheme://host[:port] without a path"))
    ssl_certfile: Path | None = Field(None, **_option(
        "--ssl-certfile", "KAM_XL_SSL_CERTFILE", "TLS certificate (PEM): serve HTTPS; needs --ssl-keyfile"))
    ssl_keyfile: Path | None = Field(None, **_option("--ssl-keyfile", "KAM_XL_SSL_KEYFILE",
                                                     "TLS private key (PEM); needs --ssl-certfile"))
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (), validation_alias=AliasChoices("api_keys", "KAM_XL_API_KEYS", "KAM_XL_API_KEY"),
        **_option("--api-key", ("KAM_XL_API_KEYS", "KAM_XL_API_KEY"),
                  f"accepted API keys (header X-API-Key), each at least {MIN_SECRET_LENGTH} characters; in the "
                  "environment comma-separated — better than the option, which shows in the process list"))
    bearer_tokens: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (), validation_alias=AliasChoices("bearer_tokens", "KAM_XL_BEARER_TOKENS", "KAM_XL_BEARER_TOKEN"),
        **_option("--bearer-token", ("KAM_XL_BEARER_TOKENS", "KAM_XL_BEARER_TOKEN"),
                  f"accepted bearer tokens (Authorization: Bearer …), each at least {MIN_SECRET_LENGTH} "
                  "characters; in the environment comma-separated"))
    no_auth: bool = Field(False, **_option("--no-auth", "KAM_XL_NO_AUTH",
                                           "no authentication: development on a loopback host only"))
    max_body_mb: float = Field(DEFAULT_MAX_BODY_MB, ge=0.001, le=1024, **_option(
        "--max-body-mb", "KAM_XL_MAX_BODY_MB", "largest request body in MB"))
    addin_name: str = Field("kam_xl", min_length=1, max_length=100, **_option(
        "--addin-name", "KAM_XL_ADDIN_NAME", "the add-in's name in Excel"))
    data_roots: Annotated[tuple[Path, ...], NoDecode] = Field((), **_option(
        "--data-root", "KAM_XL_DATA_ROOTS",
        "folder under which the macros may read data books (repeatable; in the environment separated by "
        f"{os.pathsep!r}); none = no data book allowed"))
    output_roots: Annotated[tuple[Path, ...], NoDecode] = Field((), **_option(
        "--output-root", "KAM_XL_OUTPUT_ROOTS",
        "folder under which the macros may write and collect account plans (repeatable; in the environment "
        f"separated by {os.pathsep!r}); none = no output folder allowed"))
    allow_db_urls: Annotated[tuple[str, ...], NoDecode] = Field((), **_option(
        "--allow-db-url", "KAM_XL_ALLOW_DB_URLS",
        "database URL a controller's data book setting may name (repeatable; in the environment separated by "
        "blanks), compared without user name and password, which are not kept"))

    @field_validator("api_keys", "bearer_tokens", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return _split(value, ",")

    @field_validator("data_roots", "output_roots", mode="before")
    @classmethod
    def _path_list(cls, value: Any) -> Any:
        return _split(value, os.pathsep)

    @field_validator("allow_db_urls", mode="before")
    @classmethod
    def _url_list(cls, value: Any) -> Any:
        return _split(value, None)

    @field_validator("public_url")
    @classmethod
    def _plain_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ValueError(f"{value!r} — allowed: scheme://host[:port] without a path, e.g. https://kam.example.com")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("api_keys", "bearer_tokens")
    @classmethod
    def _long_enough(cls, values: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for i, secret in enumerate(values, start=1):
            text = secret.get_secret_value()
            if len(text) < MIN_SECRET_LENGTH or text.strip() != text:
                raise ValueError(f"secret {i} has {len(text)} characters or surrounding blanks — allowed: at least "
                                 f"{MIN_SECRET_LENGTH} characters without blanks, e.g. from "
                                 "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
        return values

    @field_validator("data_roots", "output_roots")
    @classmethod
    def _existing_folders(cls, values: tuple[Path, ...]) -> tuple[Path, ...]:
        resolved = []
        for path in values:
            real = path.expanduser().resolve(strict=False)
            if not real.is_dir():
                raise ValueError(f"{str(path)!r} is not an existing folder — allowed: an existing folder")
            if real == Path(real.anchor):
                raise ValueError(f"{str(path)!r} is the root of a file system — allowed: a folder that holds only "
                                 "the data the macros may use")
            resolved.append(real)
        return tuple(dict.fromkeys(resolved))

    @field_validator("allow_db_urls")
    @classmethod
    def _credential_free(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(db_url_key(v) for v in values))

    @model_validator(mode="after")
    def _consistent(self) -> ServerSettings:
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("HTTPS needs both --ssl-certfile and --ssl-keyfile (KAM_XL_SSL_CERTFILE/_KEYFILE); "
                             "only one was given")
        for what, path in (("certificate", self.ssl_certfile), ("key", self.ssl_keyfile)):
            if path is not None and not path.is_file():
                raise ValueError(f"the TLS {what} file {str(path)!r} does not exist")
        if self.host in _WILDCARD_HOSTS and self.public_url is None:
            raise ValueError(f"--host {self.host!r} listens on every interface: give --public-url "
                             "(KAM_XL_PUBLIC_URL), the address Excel uses to reach this server")
        credentials = bool(self.api_keys or self.bearer_tokens)
        if self.no_auth and credentials:
            raise ValueError("--no-auth and API keys or bearer tokens were both given — choose one")
        if self.no_auth and not self.is_loopback:
            raise ValueError(f"--no-auth is only allowed on a loopback host (127.0.0.1, ::1, localhost), "
                             f"not on {self.host!r}: anyone on the network could run the macros")
        if not self.no_auth and not credentials:
            raise ValueError("no API key or bearer token is configured: set KAM_XL_API_KEYS or "
                             "KAM_XL_BEARER_TOKENS (or --api-key/--bearer-token), or use --no-auth for "
                             "development on 127.0.0.1")
        return self

    # ------------------------------------------------------------------------------------------ derived

    @property
    def max_body_bytes(self) -> int:
        """The largest request body in bytes."""
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def access(self) -> MacroAccess:
        """What the macros may touch on this server."""
        return MacroAccess(self.data_roots, self.output_roots, self.allow_db_urls)

    @property
    def https(self) -> bool:
        """True when the server itself speaks TLS (a certificate and key are given)."""
        return self.ssl_certfile is not None

    @property
    def is_loopback(self) -> bool:
        """True when only this machine can reach the server."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def local_url(self) -> str:
        """``scheme://host:port`` as the server listens."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.https else 'http'}://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The address the manifest gives Excel: ``public_url`` when set, else where the server listens."""
        return self.public_url or self.local_url

    @property
    def own_origins(self) -> list[str]:
        """The server's own origins, allowed by CORS besides Office's."""
        origins = [self.local_url, self.base_url]
        if self.is_loopback:
            origins.append(f"{'https' if self.https else 'http'}://localhost:{self.port}")
        return sorted(set(origins))

    @property
    def auth_scheme(self) -> Literal["api-key", "bearer", "none"]:
        """Which header the task pane and the functions send the user's credential in."""
        if self.api_keys:
            return "api-key"
        return "bearer" if self.bearer_tokens else "none"

    @classmethod
    def from_env(cls, **options: Any) -> ServerSettings:
        """Settings from the ``KAM_XL_*`` environment variables with the command-line ``options`` on top.

        An option that is ``None`` or an empty list (not given) leaves the environment's value. Raises
        :class:`ServerConfigError` naming the option, the variable, the value and what is allowed.
        """
        given = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()
                 if v is not None and not (isinstance(v, list | tuple) and not v)}
        try:
            return cls(**given)
        except ValidationError as exc:
            problems = settings_problems(exc)
            raise ServerConfigError("server settings: " + "; ".join(problems),
                                    [f"server settings: {p}" for p in problems]) from None


def help_text(field: str) -> str:
    """A field's description with its environment variable(s), for the command-line help."""
    info = ServerSettings.model_fields[field]
    extra = info.json_schema_extra
    envs = extra.get("env", []) if isinstance(extra, dict) else []
    bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "le") if getattr(m, k, None) is not None}
    text = str(info.description) + (f" ({bounds['ge']:g} to {bounds['le']:g})" if len(bounds) == 2 else "")
    return f"{text}; {' / '.join(str(e) for e in envs)}" if envs else text


_ALLOWED = {
    "int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number", "bool_parsing": "true or false (1/0, yes/no, on/off)",
    "bool_type": "true or false", "string_type": "a text", "path_type": "a path",
}


def settings_problems(exc: ValidationError) -> list[str]:
    """The problems of a settings ``ValidationError``, each with its option and environment variable, the value
    (never a secret's) and what is allowed, e.g. ``--port (KAM_XL_PORT): value 'acht' — allowed: a whole
    number``."""
    problems = []
    for e in validation_details(exc):
        loc = [p for p in e.loc if isinstance(p, str)]
        field = loc[0] if loc else None
        info = ServerSettings.model_fields.get(field) if field else None
        if info is None:
            problems.append(e.message)
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        where = f"{extra.get('option')} ({' / '.join(str(v) for v in extra.get('env', []))})"
        ctx = e.ctx
        allowed = _ALLOWED.get(e.kind) or {
            "greater_than_equal": f"at least {ctx.get('ge')}", "less_than_equal": f"at most {ctx.get('le')}",
            "greater_than": f"more than {ctx.get('gt')}", "less_than": f"less than {ctx.get('lt')}",
            "string_too_short": f"at least {ctx.get('min_length')} character(s)",
            "string_too_long": f"at most {ctx.get('max_length')} characters"}.get(e.kind)
        if e.kind == "value_error" or allowed is None:
            problems.append(f"{where}: {e.message}")
        elif field in ("api_keys", "bearer_tokens"):
            problems.append(f"{where}: a secret — allowed: {allowed}")  # the value is never shown
        else:
            problems.append(f"{where}: value {e.value!r} — allowed: {allowed}")
    return problems
