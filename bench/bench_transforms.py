"""Benchmark: the whole transform set (normalize_customers) on ONE core, and peak memory.

    python bench/bench_transforms.py                 # 789,622 demo records (PC Thanh Hóa's count)
    python bench/bench_transforms.py --n 100000 --breakdown
    python bench/bench_transforms.py --naive 3000    # also time the naive per-row approach
    python bench/bench_transforms.py --whole-command 30000   # `cmis-migrate normalize-file`
                                                     # as a user runs it, vs a naive script

The demo records come from cmis_migrate.demo.generator.iter_raw_frames. They are generated in
this process, saved to a temporary Parquet file, and the transform runs in a fresh worker
process pinned to one CPU (numpy/Arrow thread pools set to 1), so that its peak RSS
(ru_maxrss) is the transform's, not the generator's. Network access is blocked in the worker:
nothing here may call a geocoder. Prints figures; asserts nothing about speed.

--whole-command N writes N demo customers to a CSV file (UTF-8 with BOM, as Excel saves it) and
times, as subprocesses, the whole `cmis-migrate normalize-file` command on it (start-up, reading,
normalizing, writing: the wall time a user waits, printed first) and then the naive script on
the same file (pandas read_csv, a row-wise .apply calling phonenumbers, email-validator and
vietnamadminunits, to_csv). Not pinned to one core: both run as a user would run them.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

PC_THANH_HOA_CUSTOMERS = 789_622


def _one_core() -> str:
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "unpinned"


def _block_network() -> None:
    def refuse(*_a, **_k):
        raise RuntimeError("network access attempted during the benchmark")

    class NoNetwork(socket.socket):
        connect = connect_ex = refuse

    socket.socket = NoNetwork  # type: ignore[misc]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(path: str, today: date, breakdown: bool, naive: int, chunk: int) -> dict:
    pinned = _one_core()
    _block_network()
    import pandas as pd

    from cmis_migrate.transforms import FIELDS, normalize_customers

    raw = pd.read_parquet(path)
    raw = raw.astype({c: "str" for c in raw.columns if c != "households"})
    normalize_customers(raw.head(500), today=today)  # imports, reference tables
    base = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    if chunk:
        out = pd.concat(
            [
                normalize_customers(raw.iloc[i : i + chunk], today=today)
                for i in range(0, len(raw), chunk)
            ]
        )
    else:
        out = normalize_customers(raw, today=today)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {
        "records": len(raw),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "records_per_second": len(raw) / seconds,
        "records_per_cpu_second": len(raw) / cpu,
        "load_average": os.getloadavg()[0],
        "rss_before_mb": base,
        "rss_peak_mb": _rss_mb(),
        "pinned": pinned,
        "chunk": chunk,
        "otp_ready": float(out["otp_ready"].mean()),
        "status": {f: out[f"{f}_status"].value_counts().to_dict() for f in FIELDS},
    }
    if breakdown:
        result["breakdown"] = _breakdown(raw, today)
    if naive:
        result["naive"] = _naive(raw.sample(n=min(naive, len(raw)), random_state=1))
    return result


def _breakdown(raw, today: date) -> dict[str, float]:
    import pandas as pd

    from cmis_migrate.transforms.address import normalize_address
    from cmis_migrate.transforms.dates import parse_dates
    from cmis_migrate.transforms.email import normalize_emails
    from cmis_migrate.transforms.identity import normalize_id_numbers
    from cmis_migrate.transforms.issue_place import normalize_issue_places
    from cmis_migrate.transforms.names import normalize_names
    from cmis_migrate.transforms.phone import normalize_phones

    both = pd.concat([raw["address"], raw["supply_address"]], ignore_index=True)
    steps = {
        "names": lambda: normalize_names(raw["full_name"]),
        "phone": lambda: normalize_phones(raw["phone"], record_dates=raw["contract_date"]),
        "email": lambda: normalize_emails(raw["email"]),
        "id_number": lambda: normalize_id_numbers(raw["id_number"], today=today),
        "dates (x3)": lambda: [
            parse_dates(raw[c], today=today)
            for c in ("id_issue_date", "birth_date", "contract_date")
        ],
        "issue_place": lambda: normalize_issue_places(raw["id_issue_place"]),
        "address + supply_address": lambda: normalize_address(both),
    }
    times = {}
    for name, step in steps.items():
        t0 = time.process_time()
        step()
        times[name] = time.process_time() - t0
    return times


def _naive(sample) -> dict:
    """The naive approach: pandas .apply per row with the libraries called on every row."""
    import phonenumbers
    from email_validator import EmailNotValidError, validate_email
    from vietnamadminunits import parse_address  # local parser only; never convert_address

    def phone(v):
        if not isinstance(v, str) or not v.strip():
            return None
        try:
            p = phonenumbers.parse(v, "VN")
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(p):
            return phonenumbers.format_number(
                p, phonenumbers.PhoneNumberFormat.E164
            ), phonenumbers.number_type(p)
        return None

    def email(v):
        if not isinstance(v, str) or "@" not in v:
            return None
        try:
            return validate_email(v.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            return None

    def address(v):
        if not isinstance(v, str) or not v.strip():
            return None
        try:
            return parse_address(v, mode="LEGACY", keep_street=True, level=3).ward
        except Exception:  # the naive way swallows everything
            return None

    def row(r):
        return (phone(r["phone"]), email(r["email"]), address(r["address"]), address(r["supply_address"]),
                str(r["full_name"]).title())  # fmt: skip

    t0 = time.perf_counter()
    sample.apply(row, axis=1)
    seconds = time.perf_counter() - t0
    return {"records": len(sample), "seconds": seconds, "records_per_second": len(sample) / seconds}


# the columns of a branch spreadsheet handed to normalize-file
SHEET_COLUMNS = (
    "customer_code", "full_name", "address", "supply_address", "phone", "email", "id_number",
    "id_issue_date", "id_issue_place", "birth_date", "contract_date",
)  # fmt: skip


def _naive_rows(frame):
    """The naive per-row approach of _naive, as columns (for the naive whole script)."""
    import phonenumbers
    from email_validator import EmailNotValidError, validate_email
    from vietnamadminunits import parse_address

    def phone(v):
        if not isinstance(v, str) or not v.strip():
            return ""
        try:
            p = phonenumbers.parse(v, "VN")
        except phonenumbers.NumberParseException:
            return ""
        if phonenumbers.is_valid_number(p):
            return phonenumbers.format_number(p, phonenumbers.PhoneNumberFormat.E164)
        return ""

    def email(v):
        if not isinstance(v, str) or "@" not in v:
            return ""
        try:
            return validate_email(v.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            return ""

    def address(v):
        if not isinstance(v, str) or not v.strip():
            return ""
        try:
            return parse_address(v, mode="LEGACY", keep_street=True, level=3).ward or ""
        except Exception:  # the naive way swallows everything
            return ""

    def row(r):
        return (phone(r["phone"]), email(r["email"]), address(r["address"]),
                address(r["supply_address"]), str(r["full_name"]).title())  # fmt: skip

    out = frame.apply(row, axis=1, result_type="expand")
    out.columns = ["phone_e164", "email_normalized", "address_ward", "supply_ward", "name_title"]
    return out


def naive_file(src: str, out: str) -> None:
    """The naive whole script: read the CSV, .apply per row, write the CSV."""
    import pandas as pd

    frame = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    result = pd.concat([frame, _naive_rows(frame)], axis=1)
    result.to_csv(out, index=False, encoding="utf-8-sig")


def _timed(cmd: list[str], cwd: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of a subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed (exit {done.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_command(n: int, seed: int, repeat: int, naive: bool) -> None:
    import pandas as pd

    from cmis_migrate.demo.generator import iter_raw_frames

    raw = pd.concat(list(iter_raw_frames(n, seed)))
    script = Path(sys.executable).with_name("cmis-migrate")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cmis_migrate"]
    with tempfile.TemporaryDirectory() as tmp:  # no config.yaml there: built-in rules
        src = Path(tmp) / f"branch_{n}.csv"
        raw[list(SHEET_COLUMNS)].to_csv(src, index=False, encoding="utf-8-sig")
        del raw
        size = src.stat().st_size / 2**20
        runs = [
            _timed([*command, "normalize-file", str(src), "--out", str(Path(tmp) / "out.csv")], tmp)
            for _ in range(repeat)
        ]
        wall, cpu = min(runs)
        print(
            f"normalize-file, whole command : {wall:.2f} s wall ({cpu:.2f} s CPU) on {n:,} rows "
            f"({size:.1f} MiB CSV) -> {n / wall:,.0f} rows/s"
        )
        if repeat > 1:
            print("  every run (wall s)          : " + ", ".join(f"{w:.2f}" for w, _ in runs))
        if naive:
            n_wall, n_cpu = _timed(
                [sys.executable, __file__, "--naive-file", str(src), str(Path(tmp) / "naive.csv")],
                tmp,
            )
            print(
                f"naive pandas .apply script    : {n_wall:.2f} s wall ({n_cpu:.2f} s CPU) on the "
                f"same file -> x{n_wall / wall:.1f} the whole command's time"
            )
    print(
        f"machine load                  : 1-min load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=PC_THANH_HOA_CUSTOMERS)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--chunk-size", type=int, default=50_000)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 3, 1))
    ap.add_argument("--breakdown", action="store_true", help="also time each field transform")
    ap.add_argument(
        "--naive",
        type=int,
        default=0,
        metavar="N",
        help="also time the naive per-row approach on N rows",
    )
    ap.add_argument(
        "--transform-chunk",
        type=int,
        default=0,
        metavar="N",
        help="call normalize_customers on N records at a time (as station batches do); 0 = all at once",
    )
    ap.add_argument(
        "--whole-command",
        type=int,
        default=0,
        metavar="N",
        help="time `cmis-migrate normalize-file` on an N-row CSV, then the naive script on it",
    )
    ap.add_argument("--repeat", type=int, default=1, help="--whole-command: runs (best shown)")
    ap.add_argument(
        "--no-naive", action="store_true", help="--whole-command: skip the naive script"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--naive-file", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.naive_file:
        naive_file(*args.naive_file)
        return
    if args.whole_command:
        whole_command(args.whole_command, args.seed, max(args.repeat, 1), not args.no_naive)
        return
    if args.worker:
        print(
            json.dumps(
                worker(args.worker, args.today, args.breakdown, args.naive, args.transform_chunk)
            )
        )
        return

    import pandas as pd

    from cmis_migrate.demo.generator import iter_raw_frames

    t0 = time.perf_counter()
    raw = pd.concat(list(iter_raw_frames(args.n, args.seed, chunk_size=args.chunk_size)))
    gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.parquet"
        raw.to_parquet(path)
        del raw
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            str(path),
            "--today",
            args.today.isoformat(),
            "--naive",
            str(args.naive),
            "--transform-chunk",
            str(args.transform_chunk),
        ]
        if args.breakdown:
            cmd.append("--breakdown")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"demo records        : {r['records']:,} (generated in {gen:.1f} s, seed {args.seed})")
    print(f"one core            : {r['pinned']}, Arrow/BLAS threads 1, network blocked")
    print(
        f"normalize_customers : {r['seconds']:.2f} s wall -> {r['records_per_second']:,.0f} records/s; "
        f"{r['cpu_seconds']:.2f} s CPU -> {r['records_per_cpu_second']:,.0f} records/CPU-s"
    )
    print(
        f"machine load        : 1-min load average {r['load_average']:.1f} on {os.cpu_count()} cores"
    )
    if r.get("chunk"):
        print(f"transform chunks    : {r['chunk']:,} records per normalize_customers call")
    print(
        f"peak RSS            : {r['rss_peak_mb']:,.0f} MB (after loading the input: {r['rss_before_mb']:,.0f} MB)"
    )
    print(f"otp_ready           : {r['otp_ready']:.1%}")
    for field, counts in r["status"].items():
        print(f"  {field:15s} " + "  ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    if r.get("breakdown"):
        print("breakdown (CPU time, each step run again on the same records):")
    for name, seconds in (r.get("breakdown") or {}).items():
        print(f"  {name:26s} {seconds:6.2f} s  {r['records'] / seconds:12,.0f} records/s")
    if r.get("naive"):
        nv = r["naive"]
        print(
            f"naive per-row apply : {nv['records']:,} rows in {nv['seconds']:.2f} s -> {nv['records_per_second']:,.0f} records/s"
        )
        print(f"speed-up            : x{r['records_per_second'] / nv['records_per_second']:.0f}")


if __name__ == "__main__":
    main()
