"""The one configuration object: config.yaml, validated by pydantic, loaded once and passed down.

Relative paths (and relative SQLite database paths inside URLs) resolve against the folder of
the config file, so a copied config keeps all its state beside itself. `CMIS_SOURCE_URL` and
`CMIS_STORE_URL` override the two database URLs; the CMIS password is read from
`CMIS_SOURCE_PASSWORD` or source.password_file (never from config.yaml) by source_password.
"""

from __future__ import annotations

import os
import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cmis_migrate.demo.rates import DemoRates

# SQLAlchemy (make_url: the URL checks) and the CMIS schema (the mapping checks) are imported
# where a check needs them: the pure transforms import this module for RulesConfig, and
# `normalize-file` without config.yaml never touches a database (tests/unit/test_cli_startup.py)

DEFAULT_CONFIG = Path("config.yaml")
SOURCE_URL_ENV = "CMIS_SOURCE_URL"
SOURCE_PASSWORD_ENV = "CMIS_SOURCE_PASSWORD"
STORE_URL_ENV = "CMIS_STORE_URL"
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """config.yaml is missing, unreadable or has an unknown key / bad value (message names it)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = Field(description="SQLAlchemy URL")

    @field_validator("url")
    @classmethod
    def _parsable(cls, v: str) -> str:
        if "\x00" in v:
            raise ValueError("a URL cannot hold a NUL character")
        from sqlalchemy.engine import make_url

        try:
            make_url(v)
        except Exception as exc:  # sqlalchemy raises ArgumentError with the url in it
            raise ValueError(
                "not a valid SQLAlchemy URL (e.g. sqlite:///work/cmis.sqlite)"
            ) from exc
        return v


# an Oracle/PostgreSQL identifier as a site names its schema, tables and columns
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]{0,127}$")


def _identifier(v: str) -> str:
    if not _IDENTIFIER.match(v):
        raise ValueError(f"{v!r} is not a table, column or schema name (letters, digits, _ $ #)")
    return v


Identifier = Annotated[str, AfterValidator(_identifier)]


class SourceConfig(DatabaseConfig):
    """CMIS: where it is, under which names, and how gently to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # the schema (Oracle: the owner) holding the CMIS tables; None = the login's default
    db_schema: Identifier | None = Field(default=None, alias="schema")
    # a site's names where they differ from CMIS's: {CMIS table: site table} and
    # {CMIS table: {CMIS column: site column}}
    tables: dict[str, Identifier] = {}
    columns: dict[str, dict[str, Identifier]] = {}
    # a file holding the password (CMIS_SOURCE_PASSWORD takes precedence)
    password_file: Path | None = None
    # a statement running longer is cancelled (PostgreSQL statement_timeout, Oracle call
    # timeout); 0 = no limit
    statement_timeout_seconds: Annotated[float, Field(ge=0)] = 600.0

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, str]) -> dict[str, str]:
        from cmis_migrate.source.schema import TABLE_COLUMNS

        for key in v:
            if key not in TABLE_COLUMNS:
                raise ValueError(f"unknown CMIS table {key!r} (one of {', '.join(TABLE_COLUMNS)})")
        return v

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from cmis_migrate.source.schema import TABLE_COLUMNS

        for table, cols in v.items():
            if table not in TABLE_COLUMNS:
                raise ValueError(
                    f"unknown CMIS table {table!r} (one of {', '.join(TABLE_COLUMNS)})"
                )
            for col in cols:
                if col not in TABLE_COLUMNS[table]:
                    raise ValueError(
                        f"unknown column {table}.{col} (one of {', '.join(TABLE_COLUMNS[table])})"
                    )
        return v


class PathsConfig(_Section):
    work: Path = Path("work")
    # the site's own files, beside config.yaml (the demo's are in site/)
    plan_file: Path = Path("site/plan.csv")
    staff_phones_file: Path | None = Path("site/staff_phones.csv")

    @field_validator("work", "plan_file", "staff_phones_file")
    @classmethod
    def _usable_path(cls, v: Path | None) -> Path | None:
        if v is not None and ("\x00" in str(v) or not str(v).strip()):
            raise ValueError("not a usable path (empty, or holds a NUL character)")
        return v

    @property
    def reports(self) -> Path:
        return self.work / "reports"

    @property
    def drafts(self) -> Path:
        return self.work / "drafts"

    @property
    def data_docs(self) -> Path:
        return self.work / "data_docs"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def prefect_home(self) -> Path:
        return self.work / "prefect"


class HoursConfig(_Section):
    start: time = time(22, 0)
    end: time = time(5, 0)


class WindowsConfig(_Section):
    """Off-peak calendar. PC Thanh Hoa's real calendar is unknown: every date rule is here."""

    allowed_hours: HoursConfig = HoursConfig()
    # invoice issuance: a ledger is blocked from its reading day for this many days
    billing_days: Annotated[int, Field(ge=0, le=31)] = 3
    # company-wide blocked days of the month; -1 means the last day of the month, -2 the one before
    debt_clearing_days: list[Annotated[int, Field(ge=-31, le=31)]] = [-1]
    report_aggregation_days: list[Annotated[int, Field(ge=-31, le=31)]] = [1, 2]
    blocked_dates: list[date] = []

    @field_validator("debt_clearing_days", "report_aggregation_days")
    @classmethod
    def _no_zero(cls, v: list[int]) -> list[int]:
        if 0 in v:
            raise ValueError("0 is not a day of the month (use 1..31, or -1 for the last day)")
        return v


class LoadConfig(_Section):
    max_ledgers_at_once: Annotated[int, Field(ge=1, le=64)] = 2
    max_rows_per_query: Annotated[int, Field(ge=1)] = 5000
    # a pause between two ledger reads of a task (each read then takes its own ledger slot)
    pause_between_ledgers_seconds: Annotated[float, Field(ge=0)] = 0.0
    # a ledger slot held by a dead process is free again after this many seconds
    lease_seconds: Annotated[int, Field(ge=5)] = 900
    # station batches run side by side (each still takes a ledger slot to read CMIS)
    parallel_batches: Annotated[int, Field(ge=1, le=64)] = 2
    # advanced: a station batch failing on transient database trouble (connection lost, lock
    # timeout) is retried this many times, after retry_backoff_seconds x 1, 2, 4... (+-30%)
    transient_retries: Annotated[int, Field(ge=0, le=10)] = 3
    retry_backoff_seconds: Annotated[float, Field(ge=0)] = 10.0
    # advanced: a running run writes a heartbeat this often; a run silent for dead_after_seconds
    # (killed, machine rebooted) is declared dead by the next run or rerun, which redoes its
    # unfinished batches and frees its ledger slots
    heartbeat_seconds: Annotated[float, Field(gt=0)] = 15.0
    dead_after_seconds: Annotated[float, Field(gt=0)] = 90.0

    @model_validator(mode="after")
    def _dead_after_several_beats(self) -> LoadConfig:
        if self.dead_after_seconds < 3 * self.heartbeat_seconds:
            raise ValueError(
                "dead_after_seconds must be at least 3 x heartbeat_seconds "
                "(a live run must not be taken for dead after one late heartbeat)"
            )
        return self

    # whole stations are handed to one task up to about this many customers read (fewer when the
    # run reads little, so that every worker gets work); each station still commits and counts
    # alone
    customers_per_task: Annotated[int, Field(ge=1)] = 20_000
    # incremental extraction: read only the ledgers whose CMIS rows, change requests or metering
    # points changed since their last committed read (or whose branch corrections, pipeline or
    # cross-station holders changed); the others keep their stored state unread. Off until
    # checked on the real CMIS (cmis_migrate/unchanged_ledgers.py says what is compared)
    incremental: bool = False
    # incremental only: a ledger last read this many days ago or more is read whatever changed
    full_sweep_days: Annotated[int, Field(ge=1, le=366)] = 7


class RulesConfig(_Section):
    max_holders_per_phone: Annotated[int, Field(ge=1)] = 3
    # SO_HO outside 1..max_households blocks the customer (HOUSEHOLDS_INVALID), never defaults
    max_households: Annotated[int, Field(ge=1, le=1000)] = 20
    # CMIS text longer than this (per raw field in text_limits, e.g. address: 600) is cut for
    # processing and flagged (TEXT_TOO_LONG)
    max_text_chars: Annotated[int, Field(ge=50, le=32_000)] = 400
    text_limits: dict[str, Annotated[int, Field(ge=50, le=32_000)]] = {}
    # the 2018 mobile renumbering: a 10-digit 03x number on a record dated before this day
    # cannot be a new-style mobile, so it is the old landline (the 037 trap)
    mobile_renumbering_date: date = date(2018, 9, 15)
    # the province's own old (pre-2017) landline area codes, e.g. ["037"]: only these make a
    # number that is also a valid mobile a landline candidate. None: the province's code(s)
    # from data/landline_area_codes_2017.csv
    local_area_codes: tuple[Annotated[str, Field(pattern=r"^0[0-9]{1,3}$")], ...] | None = None
    # a CMND (9 or 12 digits) is a valid document up to and including this day
    cmnd_valid_until: date = date(2024, 12, 31)
    # provincial police issued 12-digit CMNDs in these years (inclusive)
    cmnd12_first_year: Annotated[int, Field(ge=1990, le=2100)] = 2012
    cmnd12_last_year: Annotated[int, Field(ge=1990, le=2100)] = 2021
    # first CCCD (Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư); first CCCD of the Cục Cảnh sát
    # QLHC về TTXH; first căn cước of Bộ Công an (the national department issues none after)
    cccd_first_issue_date: date = date(2016, 1, 1)
    qlhc_first_issue_date: date = date(2018, 10, 1)
    bca_first_issue_date: date = date(2024, 7, 1)
    # the province the company serves: addresses resolve to its 2025 wards
    province: str = "Thanh Hóa"

    @model_validator(mode="after")
    def _ordered(self) -> RulesConfig:
        if self.cmnd12_first_year > self.cmnd12_last_year:
            raise ValueError("cmnd12_first_year must not be after cmnd12_last_year")
        if (
            not self.cccd_first_issue_date
            <= self.qlhc_first_issue_date
            <= self.bca_first_issue_date
        ):
            raise ValueError(
                "issuer dates must be in order: cccd_first_issue_date <= qlhc_first_issue_date "
                "<= bca_first_issue_date"
            )
        return self


class ReturnedFilesConfig(_Section):
    """Bounds on a workbook that comes back (`corrections import`): checked before parsing."""

    max_file_bytes: Annotated[int, Field(ge=1024)] = 30_000_000
    max_unzipped_bytes: Annotated[int, Field(ge=1024)] = 300_000_000
    max_zip_ratio: Annotated[float, Field(ge=2)] = 100.0  # uncompressed / compressed, per part
    max_rows: Annotated[int, Field(ge=1)] = 200_000
    max_cell_chars: Annotated[int, Field(ge=1, le=32_767)] = 32_767


class ScheduleConfig(_Section):
    cron: str = "0 22 * * *"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, v: str) -> str:
        if len(v.split()) != 5:
            raise ValueError("a cron expression has 5 fields, e.g. '0 22 * * *'")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return v


class DaskConfig(_Section):
    address: str | None = None  # tcp://host:8786; None starts a local cluster
    n_workers: Annotated[int, Field(ge=1)] = 2
    threads_per_worker: Annotated[int, Field(ge=1)] = 1


class DemoConfig(_Section):
    customers: Annotated[int, Field(ge=1)] = 20_000
    seed: int = 2020
    # share of records that carry each kind of paper-era damage (0..1); the names, meanings and
    # defaults are in cmis_migrate/demo/rates.py (an unknown name is an error naming the key)
    rates: DemoRates = DemoRates()


class CompanyConfig(_Section):
    """The seller's own details on every draft contract (Bên A). The defaults are DEMO values:
    replace them with the company's registered details before drafting real contracts."""

    name: str = "Công ty Điện lực Thanh Hóa"
    parent: str = "Tổng công ty Điện lực miền Bắc"
    address: str = "Số 98 Triệu Quốc Đạt, phường Hạc Thành, tỉnh Thanh Hóa"
    tax_code: str = "2800000000-000"
    representative: str = "Nguyễn Văn A"
    representative_title: str = "Giám đốc"
    bank_account: str = "0000000000000"
    bank_name: str = "Ngân hàng TMCP Công Thương Việt Nam - Chi nhánh Thanh Hóa"
    hotline: str = "1900 6769"
    place: str = "Thanh Hóa"  # the place in the contract's place-and-date line

    @field_validator("*")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\x00" in v or len(v) > 300:
            raise ValueError("one line of text, at most 300 characters")
        return " ".join(v.split())


class Config(_Section):
    # the two default URLs are constants SQLAlchemy parses (a test checks): built without the
    # check, which would import SQLAlchemy with this module
    source: SourceConfig = SourceConfig.model_construct(url="sqlite:///work/cmis_demo.sqlite")
    store: DatabaseConfig = DatabaseConfig.model_construct(url="sqlite:///work/store.sqlite")
    paths: PathsConfig = PathsConfig()
    windows: WindowsConfig = WindowsConfig()
    load: LoadConfig = LoadConfig()
    rules: RulesConfig = RulesConfig()
    returned_files: ReturnedFilesConfig = ReturnedFilesConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    runner: Literal["local", "dask"] = "local"
    dask: DaskConfig = DaskConfig()
    demo: DemoConfig = DemoConfig()
    company: CompanyConfig = CompanyConfig()
    # where the file was read from (set by load_config; not a key of config.yaml)
    config_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _no_config_path_key(cls, data: object) -> object:
        if isinstance(data, dict) and "config_path" in data:
            raise ValueError("config_path is not a config key (it is where the file was read from)")
        return data

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.timezone)


def _resolve_sqlite(url: str, base: Path) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return url
    if Path(u.database).is_absolute():
        return url
    return u.set(database=str((base / u.database).resolve())).render_as_string(hide_password=False)


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def build_config(
    data: dict | None, base: Path, *, source: str = "config", env: dict | None = None
) -> Config:
    """Validate a mapping (as read from YAML) and resolve relative paths against `base`."""
    data = dict(data or {})
    env = os.environ if env is None else env
    _no_password_in_file(data, source)
    for key, var in (("source", SOURCE_URL_ENV), ("store", STORE_URL_ENV)):
        if env.get(var):
            section = data.get(key) or {}
            if not isinstance(section, dict):
                raise ConfigError(
                    f"{source}: invalid configuration\n  {key}: must be a mapping (url: ...)"
                )
            data[key] = {**section, "url": env[var]}
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, source)) from None
    except RecursionError:
        raise ConfigError(f"{source}: invalid configuration (nested too deeply)") from None
    base = base.resolve()
    paths = cfg.paths
    try:
        resolved_paths = PathsConfig(
            work=_resolve_path(base, paths.work, "paths.work"),
            plan_file=_resolve_path(base, paths.plan_file, "paths.plan_file"),
            staff_phones_file=_resolve_path(
                base, paths.staff_phones_file, "paths.staff_phones_file"
            )
            if paths.staff_phones_file
            else None,
        )
        source_url = _resolve_url(cfg.source.url, base, "source.url")
        store_url = _resolve_url(cfg.store.url, base, "store.url")
        password_file = cfg.source.password_file
        if password_file is not None:
            password_file = _resolve_path(base, password_file, "source.password_file")
    except _BadKey as exc:
        raise ConfigError(f"{source}: invalid configuration\n  {exc.key}: {exc.message}") from None
    return cfg.model_copy(
        update={
            "source": cfg.source.model_copy(
                update={"url": source_url, "password_file": password_file}
            ),
            "store": DatabaseConfig(url=store_url),
            "paths": resolved_paths,
        }
    )


def _no_password_in_file(data: dict, source: str) -> None:
    """config.yaml is read by many and copied around: the CMIS password never lives in it."""
    from sqlalchemy.engine import make_url

    section = data.get("source")
    url = section.get("url") if isinstance(section, dict) else None
    try:
        has_password = isinstance(url, str) and make_url(url).password is not None
    except Exception:  # an unparsable URL is reported by validation
        has_password = False
    if has_password:
        raise ConfigError(
            f"{source}: invalid configuration\n  source.url: holds a password: set "
            f"{SOURCE_PASSWORD_ENV} or source.password_file instead"
        )


class _BadKey(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key, self.message = key, message


def _resolve_path(base: Path, path: Path, key: str) -> Path:
    try:
        return (base / path).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise _BadKey(key, f"not a usable path ({type(exc).__name__})") from None


def _resolve_url(url: str, base: Path, key: str) -> str:
    try:
        return _resolve_sqlite(url, base)
    except (OSError, ValueError, RuntimeError) as exc:
        raise _BadKey(key, f"not a usable database path ({type(exc).__name__})") from None


class _ConfigLoader(yaml.SafeLoader):
    """YAML 1.1 as people expect it in a config: `22:00` stays the text "22:00" (not the
    base-60 number 1320, which would silently become 00:22), and dates stay text for pydantic
    to check (a bad date is then an error naming its key, not a crash in the YAML parser)."""


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def load_config(path: Path | str = DEFAULT_CONFIG, *, env: dict | None = None) -> Config:
    """Read and validate config.yaml. Raises ConfigError with the file and key named."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: config file not found (pass --config PATH)")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: too large for a config file")
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path}:{where} not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML (nested too deeply)") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a !!timestamp 2020-13-45
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the top level must be a mapping of sections (source, store, ...)"
        )
    cfg = build_config(data, path.parent, source=str(path), env=env)
    return cfg.model_copy(update={"config_path": path.resolve()})


def source_password(cfg: Config, env: dict | None = None) -> str | None:
    """The CMIS password: CMIS_SOURCE_PASSWORD, else the first line of source.password_file,
    else None (no password: SQLite, or a login that needs none). Never logged or printed."""
    env = os.environ if env is None else env
    if env.get(SOURCE_PASSWORD_ENV):
        return env[SOURCE_PASSWORD_ENV]
    path = cfg.source.password_file
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(f"source.password_file {path}: cannot read ({reason})") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise ConfigError(f"source.password_file {path}: empty (the password is its first line)")
    return lines[0]
