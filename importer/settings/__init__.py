"""Connection and import settings: one frozen `Settings`, built by `load_settings()`.

Where each value comes from, first match wins:

1. keyword arguments of `load_settings()` (the command-line flags; ``None`` means "not given");
2. environment variables ``IMPORTER_<KEY>`` (``IMPORTER_URL``, ``IMPORTER_DATA_SOURCE``,
   ``IMPORTER_USER``, ``IMPORTER_PASSWORD``, ``IMPORTER_RETRIES``, ...);
3. a TOML config file: the ``config_file`` argument (or ``IMPORTER_CONFIG``) when given, else
   ``importer.toml`` in the working directory, else ``importer.toml`` in the user's config
   directory (``platformdirs.user_config_dir('importer')``);
4. the defaults below.

The config file has these tables. Keys may also be written at the top level (flat); a key given
both flat and in its table is an error, as is any unknown key (the message names the closest
valid one)::

    [connection]
    url = "https://erp.example.com"
    data_source = "DEMO"
    user = "APIUSER"
    password = "..."            # or IMPORTER_PASSWORD, or the prompt on a terminal
    ca_bundle = "/etc/ssl/company-ca.pem"   # or insecure = true (not recommended)
    connect_timeout = 5
    read_timeout = 60
    retry_budget = 120         # seconds a call is retried after network trouble or a busy server
    retries = 10               # optional: also stop after this many retries (default: no count)
    backoff_base = 0.5
    backoff_max = 30
    retry_after_max = 120
    max_answer_mb = 4           # a longer answer is not read (the call may have been applied)

    [import]
    workers = "auto"            # find the ERP's capacity (up to max_workers), or a number
    max_workers = 32
    journal = "~/importer-journal.sqlite3"
    exists_codes = ["RECORD_EXISTS"]
    not_found_codes = ["RECORD_NOT_FOUND"]
    exists_patterns = ["already exist", "duplicate"]
    not_found_patterns = ["does not exist"]
    login_failure_messages = ["Auth Token login failure.", "Auth Token is expired."]
    skip_unchanged = false      # --skip-unchanged: do not send rows equal to the last known record
    max_price_change = 50       # --max-price-change: percent before a price move is a warning

    [reading]                   # how text numbers and dates are read: see reading/options.py
    max_sheet_mb = 1024         # largest file, zip member or sheet a file may declare
    decimal = "comma"           # or "point"
    date_order = "day-first"    # or "month-first"

    [columns]                   # saved column names: see reading/options.py
    ignore = ["PART_DESC"]
    [columns.product-price]
    "Unit Price" = "SO_UNIT_PRICE"

    [masterdata]                # what validate and import check PART_ID / CUSTOMER_ID against
    parts = "parts.xlsx"        # PART_ID (+ PART_DESC, PART_STATUS, ...), as `importer sandbox`
    customers = "customers.csv" # CUSTOMER_ID (+ CUST_NAME)
    obsolete_statuses = ["O"]   # PART_STATUS values warned about
    part_not_found_codes = ["PART_NOT_FOUND"]          # the ERP's answers the journal learns from
    customer_not_found_codes = ["CUSTOMER_NOT_FOUND"]

    [values.product-price.CURR_CODE]   # values a file writes that mean another (settings/values.py)
    Euro = "EUR"

    [rules.product-price]       # a price list's own rules (importer.checks.pricerules), on by default
    effective_date_required = true
    price_required_on_create = true
    overlapping_periods = "warning"   # or "error", or "off"

    [decisions]                 # findings that hold a row until someone accepts it
    hold = ["price-jump", "overlap", "obsolete"]   # the default; [] holds nothing

    [approval]
    required = false            # true: nothing of a file is sent until another person approved it

List values given in the environment are comma-separated, or a JSON array (for patterns that
contain commas). Relative paths in a config file are relative to that file. The password is never
a command-line flag; it is hidden from ``repr``/``str`` and from `Settings.public_dict()`. A
config file holding a password must be readable by its owner only (``chmod 600``), as ssh wants
of a key; on Windows a warning is logged instead.
"""
from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import platformdirs

from importer.errors import BadOptions
from importer.rules import parse_rules_config
from importer.settings.values import parse_values_config
from importer.settings.keys import (
    _FLAG_OF,
    _NAME_OF,
    AUTO,
    COLUMNS_TABLE,
    IN_TABLE,
    KEY_TYPES,
    READING_ONLY,
    TABLES,
    _closest,
    _convert,
)

log = logging.getLogger(__name__)

APP_NAME = "importer"
CONFIG_FILE_NAME = "importer.toml"
ENV_PREFIX = "IMPORTER_"
SECRET_MASK = "***"


def refuse_user_info(url: str) -> None:
    """A URL carrying a user name or password (``https://user:secret@host``) is refused: it
    would be printed, journaled and written on the Summary sheet like any URL."""
    try:
        parts = urlsplit(url)
        has_user_info = parts.username is not None or parts.password is not None
    except ValueError:
        has_user_info = "@" in url.split("//", 1)[-1].split("/", 1)[0]
    if has_user_info:
        raise BadOptions("The URL must not hold a user name or password (user:password@): give "
                         "the address alone with --url, the user with --user and the password "
                         "in IMPORTER_PASSWORD.")


def default_journal_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "journal.sqlite3"


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE_NAME


@dataclass(frozen=True)
class Settings:
    """Everything the client and the import need to know. Build it with `load_settings()`."""

    url: str
    data_source: str
    user: str
    password: str = field(default="", repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retry_budget: float = 120.0  # seconds a call is retried after transient trouble
    retries: int | None = None  # an optional cap on the retries of one call (None: no cap)
    backoff_base: float = 0.5  # seconds; full-jitter exponential backoff: rand * base * 2**n
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a server's Retry-After is honoured up to this many seconds
    max_answer_mb: float = 4.0  # the longest answer read (importer.erp.transport)
    workers: int | str = "auto"  # or a number; with auto importer.erp.limiter decides (<= max_workers)
    max_workers: int = 32
    verify: bool | str = True  # True, a CA bundle path (--ca-bundle), or False (--insecure)
    journal: Path = field(default_factory=default_journal_path)
    exists_codes: tuple[str, ...] = ("RECORD_EXISTS",)
    not_found_codes: tuple[str, ...] = ("RECORD_NOT_FOUND",)
    exists_patterns: tuple[str, ...] = (r"already exist", r"duplicate")
    not_found_patterns: tuple[str, ...] = (r"does not exist",)
    login_failure_messages: tuple[str, ...] = ("Auth Token login failure.",
                                               "Auth Token is expired.")
    max_sheet_mb: int = 1024  # reading/limits.py: what a file may declare before it is refused
    skip_unchanged: bool = False  # --skip-unchanged: rows equal to the last known record
    max_price_change: float = 50.0  # percent; a bigger price move is a warning (price-jump)
    parts: Path | None = None  # master data files ([masterdata]); None = none given
    customers: Path | None = None
    obsolete_statuses: tuple[str, ...] = ("O",)
    part_not_found_codes: tuple[str, ...] = ("PART_NOT_FOUND",)
    customer_not_found_codes: tuple[str, ...] = ("CUSTOMER_NOT_FOUND",)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # [rules.ENTITY] tables
    hold: tuple[str, ...] = ("price-jump", "overlap", "obsolete")  # [decisions] hold
    approval_required: bool = False  # [approval] required: four eyes
    config_path: Path | None = None  # the config file that was read, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))
        refuse_user_info(self.url)
        object.__setattr__(self, "journal", Path(self.journal))
        if not isinstance(self.verify, bool):
            object.__setattr__(self, "verify", str(self.verify))

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) seconds, as `requests` takes them."""
        return (self.connect_timeout, self.read_timeout)

    @property
    def auto_workers(self) -> bool:
        """True when the number of calls in flight is found at run time (``workers = "auto"``)."""
        return self.workers == AUTO

    @property
    def insecure(self) -> bool:
        return self.verify is False

    def public_dict(self) -> dict[str, Any]:
        """Every setting as plain JSON-able values, the password masked (safe to print or store)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "password":
                value = SECRET_MASK if value else ""
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def replace(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.public_dict().items())
        return f"Settings({shown})"

    __str__ = __repr__


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------
def find_config_file(config_file: str | Path | None = None,
                     environ: dict[str, str] | None = None) -> Path | None:
    """The config file to read: the explicit one (must exist), else ./importer.toml, else the
    user's config directory; None when there is none."""
    environ = os.environ if environ is None else environ
    explicit = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if explicit:
        path = Path(os.path.expanduser(str(explicit)))
        if not path.is_file():
            raise BadOptions(f"Config file {path} does not exist: check --config "
                             f"(or IMPORTER_CONFIG).")
        return path
    for candidate in (Path.cwd() / CONFIG_FILE_NAME, user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's settings as {key: converted value}; BadOptions for syntax, unknown or bad keys."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadOptions(f"Cannot read config file {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadOptions(f"Config file {path} is not valid TOML ({exc}); fix that line.") from None
    if _holds_password(data):
        check_secret_file(path)
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == COLUMNS_TABLE and isinstance(value, dict):
            flat[COLUMNS_TABLE], flat["ignore"] = _columns_table(path, value)
        elif key == "rules" and isinstance(value, dict):
            flat["rules"] = parse_rules_config(value, f"Config file {path}")
        elif key == "values":
            flat["values"] = parse_values_config(value, f"Config file {path}")
        elif key in TABLES and isinstance(value, dict):
            for sub_key, sub_value in value.items():
                _take(flat, path, IN_TABLE.get((key, sub_key), sub_key), sub_value,
                      TABLES[key], f"[{key}] ")
        else:
            _take(flat, path, key, value, KEY_TYPES, "")
    return flat


def _holds_password(data: dict[str, Any]) -> bool:
    section = data.get("connection")
    return bool(data.get("password")) or (isinstance(section, dict) and bool(
        section.get("password")))


def check_secret_file(path: Path) -> None:
    """A password in a file other users may read or change is refused, as ssh refuses such a
    key; on Windows (no such mode bits) a warning is logged."""
    if os.name == "nt":
        log.warning("Config file %s holds a password: keep it in your own user folder, where "
                    "other users cannot read it, or use IMPORTER_PASSWORD instead.", path)
        return
    mode = path.stat().st_mode
    if mode & 0o077:
        raise BadOptions(f"Config file {path} holds a password but other users may read or "
                         f"change it (mode {mode & 0o777:o}); run: chmod 600 {path}")


def _take(flat: dict, path: Path, key: str, value: Any, allowed: dict, where: str) -> None:
    if key not in allowed:
        hint = _closest(key, list(allowed) + (list(TABLES) + [COLUMNS_TABLE, "rules", "values"]
                                              if not where else []))
        raise BadOptions(f"Config file {path} has an unknown key {where}{key}.{hint}")
    if key in flat:
        raise BadOptions(f"Config file {path} sets {key} twice; keep one.")
    value = _convert(key, value, f"Config file {path} ({where}{key})")
    if KEY_TYPES[key] == "path" and not value.is_absolute():
        value = path.parent / value  # relative to the config file, not to the working directory
    flat[key] = value


def _columns_table(path: Path, table: dict[str, Any]
                   ) -> tuple[dict[str, dict[str, str]], tuple[str, ...]]:
    """[columns]: ``ignore`` (a list of headers) and one table per entity of header = field."""
    from importer.entities import ENTITIES

    ignore: tuple[str, ...] = ()
    maps: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        if key == "ignore":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadOptions(f"Config file {path} has [columns] ignore = {value!r}; write "
                                 f"a list of column headers, like ignore = [\"PART_DESC\"].")
            ignore = tuple(v.strip() for v in value if v.strip())
            continue
        if key not in ENTITIES or not isinstance(value, dict):
            hint = _closest(key, list(ENTITIES) + ["ignore"])
            raise BadOptions(f"Config file {path} has an unknown key [columns] {key}: write "
                             f"[columns.<record type>] tables or ignore = [...].{hint}")
        entity, maps[key] = ENTITIES[key], {}
        for header, target in value.items():
            name = str(target).strip().upper() if isinstance(target, str) else ""
            if not entity.has_field(name):
                hint = _closest(name, entity.field_names)
                raise BadOptions(f"Config file {path} maps {header!r} to {target!r} under "
                                 f"[columns.{key}], which is no {entity.label} field.{hint}")
            maps[key][header] = name
    return maps, ignore


def reading_config(config_file: str | Path | None = None,
                   environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The [reading] and [columns] settings of the config file (IMPORTER_DECIMAL and
    IMPORTER_DATE_ORDER over it): decimal, date_order, columns, ignore (each only when set)."""
    path = find_config_file(config_file, environ)
    found = read_config_file(path) if path else {}
    env = read_environment(environ)
    out = {k: found[k] for k in READING_ONLY if k in found}
    out.update({k: env[k] for k in ("decimal", "date_order") if k in env})
    if path:
        out["path"] = path
    return out


def read_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key in KEY_TYPES:
        name = ENV_PREFIX + key.upper()
        if environ.get(name, "") != "":
            out[key] = _convert(key, environ[name], f"Environment variable {name}")
    return out


# ---------------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------------
def load_settings(url: str | None = None, data_source: str | None = None, user: str | None = None,
                  password: str | None = None, config_file: str | Path | None = None, *,
                  password_prompt: Callable[[], str] | None = None,
                  password_needed: bool = True, connection_needed: bool = True,
                  environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build Settings from flags (these arguments; None = not given) > IMPORTER_* > config file.

    ``overrides`` take the config keys (``ca_bundle``, ``insecure``, ``read_timeout``,
    ``retries``, ``workers``, ``journal``, ...; ``timeout`` is an alias of ``read_timeout``).
    ``password_prompt`` is called when no password is found anywhere (the CLI passes a hidden
    prompt on a terminal); without it a missing password is a BadOptions. With
    ``password_needed=False`` (a dry run that logs in nowhere) a missing password stays ''
    and nobody is asked. ``connection_needed=False`` (validate, which only reads what the
    journal knows of a server) lets url, data source and user be missing (''). ``environ`` replaces os.environ (for tests). Raises BadOptions naming
    the flag or variable to set for every missing or unusable value.
    """
    flags = _flag_values(dict(overrides, url=url, data_source=data_source, user=user,
                              password=password))
    path = find_config_file(config_file, environ)
    merged = {**(read_config_file(path) if path else {}), **read_environment(environ), **flags}
    if connection_needed:
        _require(merged, path)
    else:
        merged = {"url": "", "data_source": "", "user": "", **merged}
    if not merged.get("password") and password_needed:
        merged["password"] = _ask(password_prompt)
    return _build(merged, path)


def reading_setting(key: str, config_file: str | Path | None = None,
                    environ: dict[str, str] | None = None) -> Any:
    """One [reading] setting from IMPORTER_* > the config file > the default, for the commands
    that read a file without connecting anywhere (validate)."""
    path = find_config_file(config_file, environ)
    merged = {**(read_config_file(path) if path else {}), **read_environment(environ)}
    return merged.get(key, next(f.default for f in fields(Settings) if f.name == key))


def _flag_values(raw: dict[str, Any]) -> dict[str, Any]:
    alias = raw.pop("timeout", None)
    if raw.get("read_timeout") is None:
        raw["read_timeout"] = alias
    out = {}
    for key, value in raw.items():
        if key not in KEY_TYPES:
            hint = _closest(key, KEY_TYPES)
            raise TypeError(f"load_settings() got an unknown setting {key!r}.{hint}")
        if value is not None and not (key == "insecure" and value is False):
            out[key] = _convert(key, value, f"The option for {key}")
    return out


def _require(merged: dict[str, Any], path: Path | None) -> None:
    for key in ("url", "data_source", "user"):
        if not merged.get(key):
            where = path or CONFIG_FILE_NAME
            raise BadOptions(f"No {_NAME_OF[key]} given: pass {_FLAG_OF[key]}, set "
                             f"{ENV_PREFIX}{key.upper()}, or set {key} under [connection] in "
                             f"{where}.")
    refuse_user_info(merged["url"])
    if not merged["url"].lower().startswith(("http://", "https://")):
        raise BadOptions(f"The URL {merged['url']!r} must start with http:// or https:// "
                         f"(for example https://erp.example.com).")
    if merged.get("ca_bundle") and merged.get("insecure"):
        raise BadOptions("Give either --ca-bundle or --insecure, not both.")
    bundle = merged.get("ca_bundle")
    if bundle and not Path(bundle).is_file():
        raise BadOptions(f"CA bundle {bundle} does not exist: check --ca-bundle.")


def _ask(password_prompt: Callable[[], str] | None) -> str:
    if password_prompt is None:
        raise BadOptions("No password given: set IMPORTER_PASSWORD, or put password under "
                         f"[connection] in {CONFIG_FILE_NAME}, or run on a terminal to be asked.")
    answer = password_prompt()
    if not answer:
        raise BadOptions("No password given: type it at the prompt or set IMPORTER_PASSWORD.")
    return answer


def _build(merged: dict[str, Any], path: Path | None) -> Settings:
    values = {k: v for k, v in merged.items()
              if k not in ("ca_bundle", "insecure", *READING_ONLY)}
    if merged.get("ca_bundle"):
        values["verify"] = str(merged["ca_bundle"])
    elif merged.get("insecure"):
        values["verify"] = False
    return Settings(config_path=path, **values)
