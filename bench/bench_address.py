"""Benchmark: normalize_address over ~790,000 realistic synthetic Thanh Hóa addresses.

    python bench/bench_address.py [--rows 789622] [--seed 7] [--repeat 3]

Prints records/second (best of --repeat, one core) and the peak memory of one call
(tracemalloc, measured on a separate run since tracing slows Python down). The addresses are
built from the legacy commune list the way paper records are written: village/house parts,
the pre-2025 commune and district with or without unit types, abbreviations (P., X., TT,
H., TX, TP, T.), no diacritics, NFD, old tone placement, no commas, 2025-style addresses,
placeholders; each commune has a few villages, so addresses repeat heavily as in CMIS.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import threading
import time
import tracemalloc
import unicodedata

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

from cmis_migrate.transforms.address import legacy_units, normalize_address, wards_2025  # noqa: E402

_OLD_TONES = {"Hóa": "Hoá", "Hòa": "Hoà", "Thủy": "Thuỷ", "Thụy": "Thuỵ", "Khỏe": "Khoẻ"}
_STREETS = ["Lê Lợi", "Trần Phú", "Bà Triệu", "Quang Trung", "Lê Hoàn", "Nguyễn Trãi"]


def _strip(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in nfd if not unicodedata.combining(c))


def _old_tones(text: str) -> str:
    for new, old in _OLD_TONES.items():
        text = text.replace(new, old)
    return text


def _abbreviate(commune: str, district: str, rng: random.Random) -> tuple[str, str]:
    c_abbr = {"Xã": "X.", "Phường": "P.", "Thị trấn": rng.choice(["TT", "TT.", "Tt"])}
    d_abbr = {"Huyện": "H.", "Thị xã": "TX", "Thành phố": rng.choice(["TP", "Tp.", "TP."])}
    for full, short in c_abbr.items():
        if commune.startswith(full + " "):
            commune = short + commune[len(full) :]
    for full, short in d_abbr.items():
        if district.startswith(full + " "):
            district = short + district[len(full) :]
    return commune, district


def synthetic_addresses(n: int, seed: int = 7) -> list[str | None]:
    rng = random.Random(seed)
    units = legacy_units("Thanh Hóa")
    new_wards = wards_2025("Thanh Hóa")
    communes = list(units.itertuples(index=False))
    # a few villages per commune: households of one village share their address text
    villages = {
        c.commune: [f"{rng.choice(['Thôn', 'Xóm', 'Bản', 'Thôn'])} {k}" for k in range(1, 13)]
        for c in communes
    }
    out: list[str | None] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.02:
            out.append(rng.choice([None, "", "không có", "-", "0", "n/a"]))
            continue
        if roll < 0.07:  # already written the 2025 way
            ward = rng.choice(new_wards)
            out.append(f"{rng.choice(villages[communes[0].commune])}, {ward}, Tỉnh Thanh Hóa")
            continue
        c = rng.choice(communes)
        commune, district = c.commune, c.district
        urban = c.commune_type in ("Phường", "Thị trấn")
        if urban and rng.random() < 0.6:
            street = f"Số nhà {rng.randint(1, 300)}, Đường {rng.choice(_STREETS)}"
            if rng.random() < 0.3:
                street = f"SN {rng.randint(1, 300)} {rng.choice(_STREETS)}"
        else:
            street = rng.choice(villages[c.commune])
        style = rng.random()
        province = rng.choice(["Tỉnh Thanh Hóa", "Thanh Hóa", "T. Thanh Hoá", "Thanh Hoá"])
        if style < 0.15:
            commune, district = _abbreviate(commune, district, rng)
        elif style < 0.22:  # no unit types
            commune = c.commune[len(c.commune_type) + 1 :]
            district = c.district[len(c.district_type) + 1 :]
        if rng.random() < 0.1:
            text = f"{street}, {commune}, {province}"  # district left out
        else:
            text = f"{street}, {commune}, {district}, {province}"
        variant = rng.random()
        if variant < 0.08:
            text = _strip(text).lower()
        elif variant < 0.12:
            text = unicodedata.normalize("NFD", text)
        elif variant < 0.2:
            text = _old_tones(text)
        elif variant < 0.25:
            text = text.replace(",", "")
        out.append(text)
    return out


def _rss() -> int:
    """Resident set size of this process, bytes (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=789_622)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pa.set_cpu_count(1)

    t0 = time.perf_counter()
    raw = synthetic_addresses(args.rows, args.seed)
    series = pd.Series(raw, dtype="str")
    del raw
    distinct = series.nunique(dropna=False)
    print(
        f"built {len(series):,} addresses ({distinct:,} distinct) in {time.perf_counter() - t0:.1f}s"
    )
    normalize_address(series.head(1000))  # load the reference data outside the timing
    gc.collect()

    # memory first, on a fresh process heap: RSS polled during the call, Arrow's own pool peak
    baseline, arrow_before = _rss(), pa.default_memory_pool().max_memory()
    peak_rss = [baseline]
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            peak_rss[0] = max(peak_rss[0], _rss())
            stop.wait(0.002)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    result = normalize_address(series)
    stop.set()
    poller.join()
    arrow_peak = pa.default_memory_pool().max_memory() - arrow_before
    print(
        f"peak RSS during one call: {peak_rss[0] / 2**20:,.0f} MiB, "
        f"+{(peak_rss[0] - baseline) / 2**20:,.0f} MiB over the {baseline / 2**20:,.0f} MiB "
        f"held before it (input, reference data); Arrow pool peak +{arrow_peak / 2**20:,.0f} MiB"
    )
    del result
    gc.collect()
    tracemalloc.start()
    normalize_address(series)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations during one call (tracemalloc): {peak / 2**20:,.0f} MiB")

    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        result = normalize_address(series)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    print(
        f"normalize_address: {best:.2f}s wall, {best_cpu:.2f}s CPU, best of {args.repeat} -> "
        f"{len(series) / best:,.0f} records/s wall, {len(series) / best_cpu:,.0f} per CPU-second"
        " (one thread; wall time suffers when other jobs share the cores)"
    )

    counts = result["status"].value_counts()
    print("status:", ", ".join(f"{k} {v:,} ({v / len(series):.1%})" for k, v in counts.items()))
    codes = result["issues"].str.split(";").explode().value_counts()
    print("issues:", ", ".join(f"{k or '(none)'} {v:,}" for k, v in codes.items()))
    ok = result["status"].isin(["ok", "fixed"])
    print("resolved ward for", f"{ok.mean():.1%}", "of rows; sample:")
    for raw, norm in zip(
        series.sample(5, random_state=1),
        result["normalized"].sample(5, random_state=1),
        strict=True,
    ):
        print(f"  {raw!s:.70} -> {norm}")


if __name__ == "__main__":
    main()
