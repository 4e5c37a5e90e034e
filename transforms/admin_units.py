"""Vietnamese administrative units before and after the 1/7/2025 reform, read once from the
data files that the `vietnamadminunits` package ships (never its code: its converter geocodes
split communes over the internet).

- `data/dataset.db`, table `admin_units_legacy`: the 63-province list (province, district,
  commune), with aliases for names merged away earlier (e.g. xã Hà Phong -> TT Hà Trung);
- table `admin_units`: the 34-province 2025 list (province, ward);
- `data/converter_2025.json`: old commune -> 2025 ward (`DICT_PROVINCE_WARD_NO_DIVIDED`) and
  the communes split across several 2025 wards with the default one (`..._DIVIDED`).

Reading these local files is the only I/O of transforms/ (cached per process).
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .vn_fold import fold, tone_key

# Canonical unit-type keys (folded) and their spellings as folded tokens.
COMMUNE_TYPES = {"xa": "xa", "phuong": "phuong", "thitran": "thitran", "dackhu": "dackhu"}
DISTRICT_TYPES = {"huyen": "huyen", "thixa": "thixa", "thanhpho": "thanhpho", "quan": "quan"}
PROVINCE_TYPES = {"tinh": "tinh", "thanhpho": "thanhpho"}
# Written (folded) type spellings -> canonical type; single letters are the dotted
# abbreviations "P.", "X.", "H.", "T.", "Q.".
TYPE_SPELLINGS: dict[str, str] = {
    "xa": "xa",
    "x": "xa",
    "phuong": "phuong",
    "p": "phuong",
    "ph": "phuong",
    "thitran": "thitran",
    "tt": "thitran",
    "huyen": "huyen",
    "h": "huyen",
    "thixa": "thixa",
    "tx": "thixa",
    "thanhpho": "thanhpho",
    "tp": "thanhpho",
    "quan": "quan",
    "q": "quan",
    "tinh": "tinh",
    "t": "tinh",
    "dackhu": "dackhu",
}
# Type prefixes that may be glued to a name in an alias/keyword ("xahaphong", "ttrungthong").
_ALIAS_PREFIXES = (
    ("thitran", "thitran"),
    ("phuong", "phuong"),
    ("huyen", "huyen"),
    ("thanhpho", "thanhpho"),
    ("thixa", "thixa"),
    ("tinh", "tinh"),
    ("quan", "quan"),
    ("xa", "xa"),
    ("tt", "thitran"),
    ("tx", "thixa"),
    ("tp", "thanhpho"),
)


@dataclass(frozen=True, slots=True)
class Ward:
    """A 2025 commune-level unit (phường / xã / đặc khu)."""

    name: str  # "Phường Hạc Thành"
    short: str  # "Hạc Thành"
    type_key: str  # "phuong"
    names: frozenset[str]  # folded names without type
    typed: frozenset[tuple[str, str]]  # (type, folded name) pairs accepted
    tone_keys: frozenset[str]
    kind: str = "new"


@dataclass(frozen=True, slots=True)
class Commune:
    """A pre-2025 commune-level unit with the 2025 ward(s) it went to."""

    name: str  # "Xã Hà Bình"
    short: str
    type_key: str
    district_key: str  # folded district name with type, e.g. "huyenhatrung"
    district: str  # "Huyện Hà Trung"
    names: frozenset[str]
    typed: frozenset[tuple[str, str]]
    tone_keys: frozenset[str]
    wards: tuple[str, ...]  # 2025 ward names, the default first
    kind: str = "legacy"

    @property
    def is_split(self) -> bool:
        return len(self.wards) > 1


@dataclass(frozen=True, slots=True)
class District:
    key: str
    name: str  # "Huyện Hà Trung"
    short: str
    type_key: str
    names: frozenset[str]
    typed: frozenset[tuple[str, str]]
    tone_keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Province:
    key: str  # folded with type, e.g. "tinhthanhhoa"
    name: str
    type_key: str
    is_target: bool


@dataclass(slots=True)
class Reference:
    """Everything the address resolver needs for one (2025) province."""

    province: str  # official 2025 name, "Tỉnh Thanh Hóa"
    wards: tuple[Ward, ...]
    communes: tuple[Commune, ...]
    districts: tuple[District, ...]
    # folded name -> units; "glued" maps a folded type+name written as one word.
    province_names: dict[str, list[tuple[Province, frozenset[str]]]] = field(default_factory=dict)
    district_names: dict[str, list[District]] = field(default_factory=dict)
    unit_names: dict[str, list[Commune | Ward]] = field(default_factory=dict)
    district_glued: dict[str, list[tuple[District, str]]] = field(default_factory=dict)
    unit_glued: dict[str, list[tuple[Commune | Ward, str]]] = field(default_factory=dict)


def _package_data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package (reference data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _type_key(type_name: str | None) -> str:
    return fold(type_name or "", "")


def _split_alias(alias: str, own: set[str]) -> tuple[str | None, str]:
    """'xahaphong' -> ('xa', 'haphong') when the rest is itself a known name of the unit."""
    for prefix, canon in _ALIAS_PREFIXES:
        if alias.startswith(prefix):
            rest = alias[len(prefix) :]
            if rest and rest in own:
                return canon, rest
    return None, alias


def _names_and_typed(
    own_type: str, short: str, keywords: list[str]
) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    short_key = fold(short, "")
    keywords = [fold(k, "") for k in keywords]  # a few keywords in the data keep diacritics
    known = {short_key, *keywords}
    names = {short_key}
    typed = {(own_type, short_key)}
    for kw in keywords:
        t, rest = _split_alias(kw, known)
        if t is None:
            names.add(rest)
            typed.add((own_type, rest))
        else:
            names.add(rest)
            typed.add((t, rest))
            typed.add((own_type, rest))
    return frozenset(n for n in names if n), frozenset(t for t in typed if t[1])


def _tone_key_of(name: str) -> str:
    return "".join(tone_key(w) for w in name.split())


def _json_list(text: str | None) -> list[str]:
    return list(json.loads(text)) if text else []


def _target_province_key(province: str, db: sqlite3.Connection) -> tuple[str, str]:
    wanted = fold(province, "")
    for prefix in ("tinh", "thanhpho"):
        if wanted.startswith(prefix) and len(wanted) > len(prefix):
            candidates = {wanted, wanted[len(prefix) :]}
            break
    else:
        candidates = {wanted}
    rows = db.execute("SELECT DISTINCT provinceKey, provinceShortKey, province FROM admin_units")
    for key, short_key, name in rows:
        if key in candidates or short_key in candidates:
            return key, name
    raise ValueError(f"unknown 2025 province: {province!r}")


def _initial_abbreviation(short: str) -> str | None:
    """'Thanh Hóa' -> 'thoa' (written "T.Hóa"); None for one-word names."""
    words = short.split()
    if len(words) < 2:
        return None
    return fold(words[0], "")[:1] + fold(" ".join(words[1:]), "")


@lru_cache(maxsize=8)
def load_reference(province: str = "Thanh Hóa") -> Reference:
    """Load and index the units of one 2025 province (cached: call it freely)."""
    data_dir = _package_data_dir()
    with open(data_dir / "converter_2025.json", encoding="utf-8") as fh:
        converter = json.load(fh)
    db = sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True)
    try:
        new_key, new_name = _target_province_key(province, db)
        old_keys = converter["DICT_PROVINCE"][new_key]
        new_rows = db.execute(
            "SELECT ward, wardShort, wardType, wardKey, wardKeywords FROM admin_units "
            "WHERE provinceKey = ? ORDER BY wardCode",
            (new_key,),
        ).fetchall()
        marks = ",".join("?" * len(old_keys))
        legacy_rows = db.execute(
            "SELECT provinceKey, district, districtShort, districtType, districtKey, "
            "districtKeywords, ward, wardShort, wardType, wardKey, wardKeywords "
            f"FROM admin_units_legacy WHERE provinceKey IN ({marks}) AND ward IS NOT NULL "
            "ORDER BY provinceKey, districtCode, wardCode",
            old_keys,
        ).fetchall()
        province_rows = db.execute(
            "SELECT DISTINCT provinceKey, province, provinceShort, provinceKeywords "
            "FROM admin_units UNION SELECT DISTINCT provinceKey, province, provinceShort, "
            "provinceKeywords FROM admin_units_legacy"
        ).fetchall()
    finally:
        db.close()

    wards_by_key: dict[str, Ward] = {}
    for name, short, wtype, wkey, kws in new_rows:
        tkey = _type_key(wtype)
        names, typed = _names_and_typed(tkey, short, _json_list(kws))
        wards_by_key[wkey] = Ward(name, short, tkey, names, typed, frozenset({_tone_key_of(short)}))

    old_to_new: dict[str, tuple[str, ...]] = {}
    for wkey, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][new_key].items():
        for old in olds:
            old_to_new[old] = (wards_by_key[wkey].name,)
    for old, options in converter["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}).items():
        ordered = sorted(options, key=lambda o: not o["isDefaultNewWard"])
        old_to_new[old] = tuple(wards_by_key[o["newWardKey"]].name for o in ordered)

    districts: dict[str, District] = {}
    communes: list[Commune] = []
    for row in legacy_rows:
        pkey, dname, dshort, dtype, dkey, dkws, cname, cshort, ctype, ckey, ckws = row
        if dkey not in districts:
            dt = _type_key(dtype)
            names, typed = _names_and_typed(dt, dshort, _json_list(dkws))
            abbrev = _initial_abbreviation(dshort)
            if abbrev:
                names |= {abbrev}
                typed |= {(dt, abbrev)}
            districts[dkey] = District(
                dkey, dname, dshort, dt, names, typed, frozenset({_tone_key_of(dshort)})
            )
        ct = _type_key(ctype)
        names, typed = _names_and_typed(ct, cshort, _json_list(ckws))
        wards = old_to_new[f"{pkey}_{dkey}_{ckey}"]
        communes.append(
            Commune(
                cname,
                cshort,
                ct,
                dkey,
                dname,
                names,
                typed,
                frozenset({_tone_key_of(cshort)}),
                wards,
            )
        )

    ref = Reference(
        new_name, tuple(wards_by_key.values()), tuple(communes), tuple(districts.values())
    )
    _index_provinces(ref, province_rows, set(old_keys) | {new_key})
    _drop_colliding_abbreviations(ref)
    for d in ref.districts:
        for n in d.names:
            ref.district_names.setdefault(n, []).append(d)
        for t, n in d.typed:
            _add_glued(ref.district_glued, t, n, d)
    for u in (*ref.communes, *ref.wards):
        for n in u.names:
            ref.unit_names.setdefault(n, []).append(u)
        for t, n in u.typed:
            _add_glued(ref.unit_glued, t, n, u)
    return ref


def _add_glued(index: dict, type_key: str, name: str, unit: object) -> None:
    for spelling, canon in TYPE_SPELLINGS.items():
        if canon == type_key and len(spelling) > 1:
            index.setdefault(spelling + name, []).append((unit, type_key))


def _index_provinces(ref: Reference, rows: list[tuple], target_keys: set[str]) -> None:
    for pkey, pname, pshort, kws in rows:
        ptype = "thanhpho" if pkey.startswith("thanhpho") else "tinh"
        prov = Province(pkey, pname, ptype, pkey in target_keys)
        keywords = _json_list(kws)
        names, typed = _names_and_typed(ptype, pshort, keywords)
        if prov.is_target:
            extra = {
                _initial_abbreviation(pshort),
                "".join(fold(w, "")[:1] for w in pshort.split()),
            }
            extra.discard(None)
            names |= extra
            typed |= {(ptype, e) for e in extra}
        tnames = frozenset(t for t, _ in typed)
        for n in names:
            entries = ref.province_names.setdefault(n, [])
            if all(p.key != pkey for p, _ in entries):
                entries.append((prov, tnames))


def _drop_colliding_abbreviations(ref: Reference) -> None:
    """An initials abbreviation ("T.Xuân") shared by two districts identifies neither alone;
    with the unit type written ("TP T.Hóa") it still may."""
    owners: dict[str, set[str]] = {}
    typed_owners: dict[tuple[str, str], set[str]] = {}
    for d in ref.districts:
        abbrev = _initial_abbreviation(d.short)
        if abbrev:
            owners.setdefault(abbrev, set()).add(d.key)
            typed_owners.setdefault((d.type_key, abbrev), set()).add(d.key)
    clashing = {a for a, keys in owners.items() if len(keys) > 1}
    typed_clashing = {a for a, keys in typed_owners.items() if len(keys) > 1}
    if not clashing:
        return
    ref.districts = tuple(
        District(
            d.key,
            d.name,
            d.short,
            d.type_key,
            frozenset(n for n in d.names if n not in clashing or n == fold(d.short, "")),
            frozenset(t for t in d.typed if t not in typed_clashing or t[1] == fold(d.short, "")),
            d.tone_keys,
        )
        for d in ref.districts
    )


def wards_2025(province: str = "Thanh Hóa") -> list[str]:
    """Official names of the province's 2025 commune-level units ("Phường Hạc Thành", ...)."""
    return [w.name for w in load_reference(province).wards]


def province_name_2025(province: str = "Thanh Hóa") -> str:
    """Official 2025 name of the province ("Tỉnh Thanh Hóa")."""
    return load_reference(province).province


def legacy_units(province: str = "Thanh Hóa") -> pd.DataFrame:
    """The pre-2025 communes of the province and where they went on 1/7/2025.

    Columns: district, district_type, commune, commune_type, ward_2025 (the default when
    split), is_split, wards_2025 (every 2025 ward it went to, ';'-joined, default first).
    """
    ref = load_reference(province)
    district_types = {d.key: d.name[: -len(d.short)].strip() for d in ref.districts}
    rows = [
        {
            "district": c.district,
            "district_type": district_types[c.district_key],
            "commune": c.name,
            "commune_type": c.name[: -len(c.short)].strip(),
            "ward_2025": c.wards[0],
            "is_split": c.is_split,
            "wards_2025": ";".join(c.wards),
        }
        for c in ref.communes
    ]
    frame = pd.DataFrame(rows)
    return frame.astype({"is_split": bool})
