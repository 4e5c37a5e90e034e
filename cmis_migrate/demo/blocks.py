"""One generation block: the customers of a run of whole stations, with all their dirt.

Everything here is vectorized over the block's rows with numpy; only string assembly loops in
Python. A block is deterministic for (seed, block index) and independent of other blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cmis_migrate.demo import addresses, dates, identity, names, phones
from cmis_migrate.demo.places import BRANCHES, communes, communes_by_branch
from cmis_migrate.demo.plan import CODE_SPACE, Plan, rng_for
from cmis_migrate.demo.rates import DemoRates
from cmis_migrate.demo.text import bad_case, bad_spacing, nfd, strip_diacritics
from cmis_migrate.source.schema import CHANGE_REQUEST_TYPES

RAW_COLUMNS = (
    "customer_code", "branch", "station", "ledger", "metering_point", "meter_no", "full_name",
    "address", "supply_address", "phone", "email", "id_number", "id_issue_date",
    "id_issue_place", "birth_date", "households", "contract_no", "contract_date",
    "pending_change",
)  # fmt: skip

RENUMBERING = dates.day("2018-09-15")  # 11-digit mobiles became 10-digit (last day: 2018-11-14)
LANDLINE_CHANGE = dates.day("2017-01-01")  # Thanh Hóa 037 -> 0237 during 2017
CMIS_START = dates.day("2011-07-01")  # rows migrated into CMIS start their validity here
LAST_DAY = dates.day("2025-06-30")  # newest date a record may carry (before the 2025 reform)

# phone kinds (first one is the clean valid mobile)
PHONE_KINDS = (
    "phone_missing", "phone_old_mobile", "phone_landline_037", "phone_landline",
    "phone_several", "phone_relative", "phone_excel", "phone_formatted", "placeholder",
)  # fmt: skip
ID_KINDS = (
    "id_missing", "id_cmnd", "id_excel_lost_zero", "id_excel_scientific",
    "id_cccd_inconsistent", "placeholder",
)  # fmt: skip
ISSUE_DATE_KINDS = (
    "issue_date_missing", "issue_date_dashes", "issue_date_dots", "issue_date_iso",
    "issue_date_excel_serial", "issue_date_impossible", "issue_date_future",
)  # fmt: skip
NAME_KINDS = ("name_bad_case", "name_bad_spacing", "name_nfd", "name_no_diacritics")
ADDRESS_KINDS = (
    "address_abbreviated", "address_no_diacritics", "address_nfd", "address_old_tone",
    "address_missing",
)  # fmt: skip


@dataclass
class Block:
    first: int  # ordinal of the block's first customer
    columns: dict[str, list]  # the raw customer frame's columns
    valid_from: list[str]  # NGAY_HLUC of each customer (ISO)
    terminated: list[tuple]  # extra HDG_KHACH_HANG rows (NGAY_HHLUC set)
    requests: list[tuple]  # HDG_YEU_CAU rows: (MA_YCAU, MA_KHANG, LOAI_YCAU, NGAY_YCAU, TINH_TRANG)

    def __len__(self) -> int:
        return len(self.columns["customer_code"])


def _categorical(
    rng: np.random.Generator, rates: DemoRates, kinds: tuple[str, ...], r: int
) -> np.ndarray:
    p = np.array([getattr(rates, k) for k in kinds], dtype=float)
    u = rng.random(r)
    k = np.searchsorted(np.cumsum(p), u, side="right") + 1  # 1..len(p), len(p)+1 = clean
    return np.where(k > len(p), 0, k)


def _put(out: np.ndarray, mask: np.ndarray, values: list) -> None:
    idx = np.flatnonzero(mask)
    if len(idx):
        arr = np.empty(len(idx), dtype=object)
        arr[:] = values
        out[idx] = arr


def _birth_dates(rng: np.random.Generator, r: int) -> np.ndarray:
    year = np.clip(np.round(rng.normal(1967, 12, size=r)), 1932, 2002).astype(np.int64)
    start = (year - 1970).astype("datetime64[Y]").astype(dates.D)
    return start + rng.integers(0, 365, size=r).astype("timedelta64[D]")


def _contract_dates(rng: np.random.Generator, birth: np.ndarray) -> np.ndarray:
    r = len(birth)
    years = np.arange(1995, 2025)
    w = np.where(years < 2020, np.linspace(1.0, 2.0, len(years)), 0.35)
    year = rng.choice(years, size=r, p=w / w.sum())
    start = (year - 1970).astype("datetime64[Y]").astype(dates.D)
    d = start + rng.integers(0, 365, size=r).astype("timedelta64[D]")
    return np.maximum(d, dates.add_years(birth, 18))


def _redate_before(
    rng: np.random.Generator, contract: np.ndarray, undated: np.ndarray, birth: np.ndarray,
    rows: np.ndarray, limit: np.datetime64,
) -> None:  # fmt: skip
    """Rows of `rows` dated on/after `limit` get a date before it; a holder too young to have
    signed by then is made 20 years older (birth is changed in place too)."""
    fix = rows & ~undated & (contract >= limit)
    if not fix.any():
        return
    young = fix & (dates.add_years(birth, 18) >= limit - np.timedelta64(1, "D"))
    birth[young] = birth[young] - np.timedelta64(round(20 * 365.25), "D")
    lo = np.maximum(dates.day("1995-01-01"), dates.add_years(birth[fix], 18))
    contract[fix] = dates.uniform_dates(rng, lo, limit - np.timedelta64(1, "D"), int(fix.sum()))


def _shared_phone_groups(
    rng: np.random.Generator, rate: float, station_local: np.ndarray, sizes: np.ndarray,
    starts: np.ndarray, station_branch: np.ndarray,
) -> list[tuple[np.ndarray, str]]:  # fmt: skip
    """Groups of 5..40 customers of one station that share one phone; rate = share of rows."""
    r = len(station_local)
    target = rate * r
    k = int(target) + int(rng.random() < target - int(target))
    if 0 < k < 5:
        k = 5 if rng.random() < k / 5 else 0
    staff = phones.staff_phones()
    taken = np.zeros(r, dtype=bool)
    groups: list[tuple[np.ndarray, str]] = []
    while k >= 5:
        g = int(rng.integers(5, 41))
        if k - g < 5:
            g = k if k <= 40 else k - 5
        ok = np.flatnonzero(sizes >= g)
        s = int(rng.choice(ok)) if len(ok) else int(np.argmax(sizes))
        free = np.flatnonzero(~taken[starts[s] : starts[s] + sizes[s]]) + starts[s]
        g = min(g, len(free))
        if g < 2:
            break
        members = rng.choice(free, size=g, replace=False)
        taken[members] = True
        code = BRANCHES[int(station_branch[s])].code
        own = [p for p, _, unit in staff if unit == code]
        if own and rng.random() < phones.STAFF_SHARE_OF_SHARED:
            phone = own[int(rng.integers(0, len(own)))]
        else:  # a shop's or a neighbour's mobile, in use for years
            phone = phones.mobiles(rng, np.array([True]))[0]
        groups.append((members, phone))
        k -= g
    return groups


def make_block(plan: Plan, seed: int, rates: DemoRates, b: int) -> Block:
    s0, s1 = plan.blocks[b]
    rng = rng_for(seed, 1, b)
    sizes = plan.station_size[s0:s1]
    r = int(sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    station_local = np.repeat(np.arange(s1 - s0), sizes)
    station = station_local + s0
    branch = plan.station_branch[station]
    commune = plan.station_commune[station]
    highland = np.array([BRANCHES[i].highland for i in range(len(BRANCHES))])[branch]
    l0 = int(np.searchsorted(plan.ledger_station, s0, side="left"))
    l1 = int(np.searchsorted(plan.ledger_station, s1, side="left"))
    ledger = np.repeat(np.arange(l0, l1), plan.ledger_size[l0:l1])

    # -- customer codes: increasing within a station, with gaps; some go to terminated contracts
    n_term = rng.binomial(sizes, rates.terminated_customer)
    code_num = np.empty(r, dtype=np.int64)
    term_codes: list[tuple[int, int]] = []  # (station, number)
    for j, (sz, t) in enumerate(zip(sizes.tolist(), n_term.tolist(), strict=True)):
        picked = np.sort(rng.choice(CODE_SPACE * sz, size=sz + t, replace=False))
        is_term = np.zeros(sz + t, dtype=bool)
        is_term[rng.choice(sz + t, size=t, replace=False)] = True
        base = int(plan.station_code_base[s0 + j])
        code_num[starts[j] : starts[j] + sz] = picked[~is_term] + base
        term_codes.extend((s0 + j, int(x) + base) for x in picked[is_term])
    branch_code = [BRANCHES[i].code for i in branch.tolist()]
    customer_code = [f"{bc}{x:07d}" for bc, x in zip(branch_code, code_num.tolist(), strict=True)]

    # -- the person
    male, family, middle, given, full_clean = names.draw_names(rng, highland)
    birth = _birth_dates(rng, r)
    contract = _contract_dates(rng, birth)
    undated = rng.random(r) < rates.contract_undated

    # -- phone (dates first: an old 11-digit mobile or a 037 landline is an old record)
    pk = _categorical(rng, rates, PHONE_KINDS, r)
    _redate_before(rng, contract, undated, birth, pk == 2, RENUMBERING)
    is037 = pk == 3
    undated = np.where(is037, rng.random(r) < min(1.0, 6 * rates.contract_undated), undated)
    _redate_before(rng, contract, undated, birth, is037, LANDLINE_CHANGE)
    pre_2018 = ~undated & (contract < RENUMBERING)
    birth_year = dates.ymd(birth)[0]

    phone = np.full(r, None, dtype=object)
    for k, maker in (
        (0, lambda m: phones.mobiles(rng, pre_2018[m])),
        (2, lambda m: phones.old_mobiles(rng, int(m.sum()))),
        (3, lambda m: phones.landlines_037(rng, int(m.sum()))),
        (4, lambda m: phones.landlines(rng, int(m.sum()))),
        (5, lambda m: phones.several(rng, phones.mobiles(rng, pre_2018[m]), phones.mobiles(rng, pre_2018[m]))),
        (6, lambda m: phones.relative(rng, phones.mobiles(rng, pre_2018[m]))),
        (7, lambda m: phones.excel_damaged(rng, phones.mobiles(rng, pre_2018[m]))),
        (8, lambda m: phones.formatted(rng, phones.mobiles(rng, pre_2018[m]))),
        (9, lambda m: identity.placeholders(rng, int(m.sum()))),
    ):  # fmt: skip
        mask = pk == k
        if mask.any():
            _put(phone, mask, maker(mask))
    for members, shared in _shared_phone_groups(
        rng, rates.phone_shared, station_local, sizes, starts, plan.station_branch[s0:s1]
    ):
        phone[members] = shared

    # -- ID number, issue date and place
    ik = _categorical(rng, rates, ID_KINDS, r)
    has_id = (ik != 1) & (ik != 6)
    is_cccd = np.isin(ik, (0, 3, 4, 5))
    shown_birth = (rng.random(r) >= rates.birth_date_missing) | (ik == 5)
    ordinal = int(plan.station_start[s0]) + np.arange(r)
    id_offset = int(rng_for(seed, 2).integers(0, 10_000_000))
    cccd = identity.cccd_numbers(
        rng,
        ordinal,
        id_offset,
        birth_year,
        male,
        rng.random(r) < rates.cccd_other_province,
        ik == 5,
    )
    id_number = np.full(r, None, dtype=object)
    _put(
        id_number,
        (ik == 0) | (ik == 5),
        [c for c, m in zip(cccd, (ik == 0) | (ik == 5), strict=True) if m],
    )
    _put(id_number, ik == 2, identity.cmnd_numbers(ordinal[ik == 2], id_offset))
    _put(
        id_number, ik == 3, identity.lost_zero([c for c, m in zip(cccd, ik == 3, strict=True) if m])
    )
    _put(
        id_number,
        ik == 4,
        identity.scientific([c for c, m in zip(cccd, ik == 4, strict=True) if m]),
    )
    _put(id_number, ik == 6, identity.placeholders(rng, int((ik == 6).sum())))

    era = rng.choice(3, size=r, p=[0.1, 0.8, 0.1]) + 1  # 1 CCCD<10/2018, 2 CCCD, 3 căn cước
    card_kind = np.where(is_cccd, era, 0)
    era_lo = np.array(["1985-01-01", "2016-01-01", "2018-10-01", "2024-07-01"], dtype=dates.D)
    era_hi = np.array(["2020-12-31", "2018-09-30", "2024-06-30", "2025-06-30"], dtype=dates.D)
    lo = np.maximum(era_lo[card_kind], dates.add_years(birth, 14))
    issued = dates.uniform_dates(rng, lo, era_hi[card_kind], r)
    in_2021 = (card_kind == 2) & (rng.random(r) < 0.6)  # the 2021 chip-card campaign
    issued = np.where(
        in_2021,
        np.maximum(
            dates.uniform_dates(rng, dates.day("2021-01-01"), dates.day("2021-12-31"), r), lo
        ),
        issued,
    )
    dk = _categorical(rng, rates, ISSUE_DATE_KINDS, r)
    style = np.select([dk == 2, dk == 3, dk == 4, dk == 5], [1, 2, 3, 4], default=0)
    issue_text = dates.fmt_styles(issued, style)
    future = dates.fmt_dmy(
        dates.uniform_dates(rng, dates.day("2031-01-01"), dates.day("2035-12-31"), r)
    )
    impossible = dates.impossible_dates(rng, r)
    id_issue_date = np.array(issue_text, dtype=object)
    id_issue_date[dk == 6] = np.array(impossible, dtype=object)[dk == 6]
    id_issue_date[dk == 7] = np.array(future, dtype=object)[dk == 7]
    id_issue_date[(dk == 1) | ~has_id] = None

    pk_place = _categorical(
        rng, rates, ("issue_place_missing", "issue_place_mismatch", "placeholder"), r
    )
    id_issue_place = np.array(identity.issue_places(rng, card_kind, pk_place == 2), dtype=object)
    _put(id_issue_place, pk_place == 3, identity.placeholders(rng, int((pk_place == 3).sum())))
    id_issue_place[(pk_place == 1) | ~has_id] = None

    # -- birth date (known for about half; sometimes just the year)
    year_only = rng.random(r) < rates.birth_year_only
    birth_text = np.array(dates.fmt_dmy(birth), dtype=object)
    birth_text[year_only] = birth_year[year_only].astype(str).astype(object)
    birth_text[~shown_birth] = None

    # -- e-mail
    ek = _categorical(rng, rates, ("email_valid", "email_typo", "placeholder"), r)
    email = np.full(r, None, dtype=object)
    has_mail = (ek == 1) | (ek == 2)
    if has_mail.any():
        pick = np.flatnonzero(has_mail)
        _put(email, has_mail, identity.emails(
            rng, [family[i] for i in pick], [given[i] for i in pick], [middle[i] for i in pick],
            birth_year[pick], ek[pick] == 2,
        ))  # fmt: skip
    _put(email, ek == 3, identity.placeholders(rng, int((ek == 3).sum())))

    # -- holder name, as typed
    nk = _categorical(rng, rates, NAME_KINDS, r)
    how = rng.integers(0, 4, size=r).tolist()
    full_name = [
        n if k == 0
        else bad_case(n, h % 3) if k == 1
        else bad_spacing(n, h) if k == 2
        else nfd(n) if k == 3
        else strip_diacritics(n)
        for n, k, h in zip(full_clean, nk.tolist(), how, strict=True)
    ]  # fmt: skip

    # -- supply address (the station's commune) and the holder's address
    all_communes = communes()
    old_ok = np.array([c.old is not None for c in all_communes])
    old_until = np.array([c.old.until_year if c.old else 0 for c in all_communes])
    contract_year = dates.ymd(contract)[0]
    elsewhere = rng.random(r) < rates.address_elsewhere
    by_branch = communes_by_branch()
    other = np.array([by_branch[bi][x % len(by_branch[bi])] for bi, x in zip(
        branch.tolist(), rng.integers(0, 1_000_000, size=r).tolist(), strict=True)])  # fmt: skip
    anywhere = rng.integers(0, len(all_communes), size=r)
    home_commune = np.where(elsewhere, np.where(rng.random(r) < 0.6, other, anywhere), commune)
    pre_reform = rng.random(r) < rates.address_pre_reform_name

    def old_names(cidx: np.ndarray) -> np.ndarray:
        return pre_reform & old_ok[cidx] & (undated | (contract_year < old_until[cidx]))

    supply_street = addresses.streets(rng, commune)
    home_street = addresses.streets(rng, home_commune)
    same_street = ~elsewhere & (rng.random(r) < 0.85)
    home_street = [
        s if same else h
        for s, h, same in zip(supply_street, home_street, same_street.tolist(), strict=True)
    ]
    ak = _categorical(rng, rates, ADDRESS_KINDS, r)
    sk = _categorical(rng, rates, ADDRESS_KINDS, r)
    address = addresses.format_addresses(
        rng, home_street, home_commune, old_names(home_commune), ak
    )
    supply = addresses.format_addresses(rng, supply_street, commune, old_names(commune), sk)
    copy_text = same_street & (rng.random(r) < 0.7) & (ak != addresses.MISSING)
    supply = [a if c else s for a, s, c in zip(address, supply, copy_text.tolist(), strict=True)]

    # -- meter, households, contract
    households = np.where(
        rng.random(r) < rates.households_shared, rng.choice([2, 3, 4], size=r, p=[0.7, 0.2, 0.1]), 1
    )
    meter_no = [f"{x:010d}" for x in rng.integers(10**8, 10**10, size=r).tolist()]
    seq = rng.integers(1, 10_000, size=r).tolist()
    cstyle = rng.integers(0, 3, size=r).tolist()
    abbrev = [BRANCHES[i].abbrev for i in branch.tolist()]
    contract_no: list[str | None] = []
    for q, st, y, u, ab in zip(
        seq, cstyle, contract_year.tolist(), undated.tolist(), abbrev, strict=True
    ):
        if u:
            contract_no.append(f"{q}/HĐMBĐ" if st else f"HĐ-{q:05d}")
        elif st == 0:
            contract_no.append(f"{q}/{y}/HĐMBĐ-ĐL{ab}")
        elif st == 1:
            contract_no.append(f"HĐ{y}{q:05d}")
        else:
            contract_no.append(f"{q:04d}/HĐSH-{y}")
    no_number = rng.random(r) < rates.contract_no_missing
    contract_no = [None if m else c for c, m in zip(contract_no, no_number.tolist(), strict=True)]
    contract_text = np.array(dates.fmt_dmy(contract), dtype=object)
    contract_text[undated] = None

    # -- the same person under a second customer code
    dup = np.flatnonzero(rng.random(r) < rates.duplicate_customer)
    full_name_arr = np.array(full_name, dtype=object)
    clean_id = (ik == 0) | (ik == 2)
    for i in dup.tolist():
        j = station_local[i]
        cand = np.flatnonzero(clean_id[starts[j] : starts[j] + sizes[j]]) + starts[j]
        cand = cand[cand != i]
        if not len(cand):
            continue
        src = int(cand[rng.integers(0, len(cand))])
        for arr in (full_name_arr, id_number, id_issue_date, id_issue_place, birth_text):
            arr[i] = arr[src]
        # same phone half the time: a plain mobile the duplicate's record could hold (an
        # old-dated record only holds the 09x mobiles that existed then)
        if rng.random() < 0.5 and pk[src] == 0 and (pre_2018[src] or not pre_2018[i]):
            phone[i] = phone[src]

    # -- open change requests (and some finished ones)
    ck = _categorical(
        rng,
        rates,
        ("pending_holder_change", "pending_households_change", "pending_supply_address_change"),
        r,
    )
    pending = np.array([None, *CHANGE_REQUEST_TYPES], dtype=object)[ck]
    asked = dates.fmt_iso(dates.uniform_dates(rng, dates.day("2024-06-01"), LAST_DAY, r))
    closed = rng.random(r) < rates.closed_request
    closed_type = rng.integers(0, 3, size=r)
    closed_day = dates.fmt_iso(
        dates.uniform_dates(rng, dates.day("2012-01-01"), dates.day("2024-05-31"), r)
    )
    requests: list[tuple] = []
    for i in np.flatnonzero(closed).tolist():
        requests.append(
            (
                f"{customer_code[i]}-1",
                customer_code[i],
                CHANGE_REQUEST_TYPES[closed_type[i]],
                closed_day[i],
                "XONG",
            )
        )
    for i in np.flatnonzero(ck > 0).tolist():
        requests.append((f"{customer_code[i]}-2", customer_code[i], pending[i], asked[i], "MOI"))

    # -- validity of the CMIS row
    start = np.where(undated | (contract < CMIS_START), CMIS_START, contract)
    updated = rng.random(r) < 0.3
    start = np.where(updated, dates.uniform_dates(rng, start, dates.day("2024-12-31"), r), start)
    valid_from = dates.fmt_iso(start)

    terminated = _terminated_rows(rng, plan, term_codes, id_offset)

    station_code = [plan.station_code[i] for i in station.tolist()]
    ledger_code = [plan.ledger_code[i] for i in ledger.tolist()]
    columns = {
        "customer_code": customer_code,
        "branch": branch_code,
        "station": station_code,
        "ledger": ledger_code,
        "metering_point": [c + "001" for c in customer_code],
        "meter_no": meter_no,
        "full_name": full_name_arr.tolist(),
        "address": address,
        "supply_address": supply,
        "phone": phone.tolist(),
        "email": email.tolist(),
        "id_number": id_number.tolist(),
        "id_issue_date": id_issue_date.tolist(),
        "id_issue_place": id_issue_place.tolist(),
        "birth_date": birth_text.tolist(),
        "households": households.tolist(),
        "contract_no": contract_no,
        "contract_date": contract_text.tolist(),
        "pending_change": pending.tolist(),
    }
    return Block(int(plan.station_start[s0]), columns, valid_from, terminated, requests)


def _terminated_rows(
    rng: np.random.Generator, plan: Plan, codes: list[tuple[int, int]], id_offset: int
) -> list[tuple]:
    """HDG_KHACH_HANG rows of contracts ended before the snapshot (NGAY_HHLUC set)."""
    if not codes:
        return []
    t = len(codes)
    st = np.array([s for s, _ in codes])
    branch = plan.station_branch[st]
    highland = np.array([BRANCHES[i].highland for i in branch.tolist()])
    _, _, _, _, full = names.draw_names(rng, highland)
    commune = plan.station_commune[st]
    street = addresses.streets(rng, commune)
    addr = addresses.format_addresses(
        rng, street, commune, np.zeros(t, bool), np.zeros(t, np.int64)
    )
    phone = phones.old_mobiles(rng, t)
    # ordinals past every current customer's: unique (for the province) and never a current
    # customer's CMND
    ordinal = plan.n + np.array([num for _, num in codes]) * len(BRANCHES) + branch
    cmnd = identity.cmnd_numbers(ordinal, id_offset)
    since = dates.uniform_dates(rng, dates.day("1995-01-01"), dates.day("2015-12-31"), t)
    ended = dates.uniform_dates(rng, np.maximum(since, CMIS_START), dates.day("2024-12-31"), t)
    since_text, since_iso, ended_iso = (
        dates.fmt_dmy(since),
        dates.fmt_iso(np.maximum(since, CMIS_START)),
        dates.fmt_iso(ended),
    )
    rows = []
    for k, (s, num) in enumerate(codes):
        bc = BRANCHES[int(plan.station_branch[s])].code
        rows.append((
            f"{bc}{num:07d}", bc, full[k], addr[k], phone[k], None, cmnd[k], None,
            identity.PLACE_CMND[0], None, None, since_text[k], since_iso[k], ended_iso[k],
        ))  # fmt: skip
    return rows
