"""Build a repository and configuration of many practices, for the benchmarks.

    .venv/bin/python benchmarks/build_fleet.py [--count 1000] [--dir PATH] [--rebuild]

The repository is written through the real ``Repository.import_certificate`` (AES-256
PKCS#12, chain.pem, practice.json, audit log, fsync), ``record_backup`` and
``record_test_call``: the same files a real server would have, nothing faked. To keep it
fast, four RSA keys are generated and shared by all certificates (only the metadata is
read by the commands under test, so that changes nothing they measure), and the
imports run in two processes (the repository lock serialises the writes; the PKCS#12
encryption, the slow part, runs outside it). About 25 s for 1,000 practices on 2 cores.

The mix, relative to the moment of building: every practice has an active certificate
(1,000 certificates, so the openssl comparison covers the same set), expiring spread
over -10 .. 720 days (some expired, some critical, some in their renewal window, most
fine); a third also have a replaced certificate in history (as after a renewal, which
makes ``practice.json`` bigger); 1 % hold a personal certificate; 85 % have a verified
backup of the active certificate, 70 % a successful test call and 5 % a failed one.

A finished fleet is kept (``fleet.json`` marks it complete) and reused by the next run
when it is less than a day old; ``--rebuild`` forces a new one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vecozo_tui import pki  # noqa: E402
from vecozo_tui.certificates import LoadedPkcs12, info_from_certificate  # noqa: E402
from vecozo_tui.repository import (  # noqa: E402
    Actor,
    BackupRecord,
    Repository,
    TestCallRecord,
)

PASSWORD = "benchmark-only"
ACTOR = Actor("benchmark")
KEYS = 4
MAX_AGE = timedelta(days=1)
FORMAT = 2


@dataclass(frozen=True)
class Fleet:
    directory: Path
    config: Path
    repository: Path
    count: int
    pem_files: list[Path]  # chain.pem of every active certificate (leaf first)


def default_directory(count: int) -> Path:
    return Path(tempfile.gettempdir()) / f"vecozo-bench-fleet-{count}"


def practice_id(number: int) -> str:
    return f"p{number:04d}"


def _environment(number: int) -> str:
    if number % 25 == 3:
        return "test"
    if number % 10 == 5:
        return "acceptance"
    return "production"


def _agb(number: int) -> str:
    return f"{10_000_000 + number:08d}"


# --- the work done in the worker processes (inherited by fork) -------------------------

_CA: dict = {}


def _import_range(numbers: list[int]) -> list[tuple[int, str]]:
    """Issue and import the certificates of ``numbers``; [(number, chain.pem path)]."""
    root, intermediate, keys, repo_root, now = (_CA[k] for k in
                                                ("root", "intermediate", "keys", "repo", "now"))
    repository = Repository(repo_root)
    chain = [intermediate.certificate, root.certificate]
    done = []
    for number in numbers:
        pid = practice_id(number)
        days_left = (number * 7919) % 731 - 10
        not_after = now + timedelta(days=days_left, hours=12)
        not_before = not_after - timedelta(days=730)
        name = f"Praktijk {number:04d}"
        if number % 97 == 1:
            subject = pki.personal_subject("Jan", "de Vries", name, _agb(number))
        else:
            subject = pki.system_subject(name, _agb(number))
        key = keys[number % len(keys)]
        if number % 3 == 0:  # a replaced certificate in history, as after a renewal
            previous = pki.issue(intermediate, subject, key=key,
                                 not_before=not_before - timedelta(days=730),
                                 not_after=not_before)
            repository.import_certificate(pid, LoadedPkcs12(
                previous.certificate, key, chain,
                info_from_certificate(previous.certificate, chain), True), PASSWORD,
                actor=ACTOR)
        issued = pki.issue(intermediate, subject, not_before=not_before, not_after=not_after,
                           key=key)
        info = info_from_certificate(issued.certificate, chain)
        loaded = LoadedPkcs12(issued.certificate, key, chain, info, True)
        stored = repository.import_certificate(pid, loaded, PASSWORD, actor=ACTOR)
        sha = stored.info.sha256
        if number % 20 != 7 and number % 20 != 13 and number % 20 != 17:  # 85 %
            repository.record_backup(pid, BackupRecord(now - timedelta(days=number % 300), sha,
                                                       "/media/backup", True), actor=ACTOR)
        if number % 20 < 14:  # 70 %
            repository.record_test_call(pid, TestCallRecord(
                now - timedelta(days=number % 90), sha, _environment(number), True,
                "COV answered"), actor=ACTOR)
        elif number % 20 == 14:  # 5 %
            repository.record_test_call(pid, TestCallRecord(
                now - timedelta(days=1), sha, _environment(number), False,
                "TLS handshake: client certificate rejected"), actor=ACTOR)
        done.append((number, str(repository.chain_pem_path(pid, sha))))
    return done


# --- building -----------------------------------------------------------------------------


def _config_text(repository: Path, count: int) -> str:
    lines = ["# benchmark fleet, written by benchmarks/build_fleet.py", "",
             "[repository]", f"path = {json.dumps(str(repository))}", ""]
    for number in range(count):
        lines += ["[[practices]]", f'id = "{practice_id(number)}"',
                  f'name = "Praktijk {number:04d}"', f'agb = "{_agb(number)}"',
                  f'environment = "{_environment(number)}"', ""]
    return "\n".join(lines)


def load_fleet(directory: Path, count: int) -> Fleet | None:
    """The finished fleet in ``directory``, or None (missing, incomplete, stale)."""
    try:
        marker = json.loads((directory / "fleet.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    built = datetime.fromisoformat(marker["built_at"])
    if marker.get("format") != FORMAT or marker.get("count") != count or \
            datetime.now(UTC) - built > MAX_AGE:
        return None
    return Fleet(directory, Path(marker["config"]), Path(marker["repository"]), count,
                 [Path(p) for p in marker["pem_files"]])


def build_fleet(directory: Path | None = None, count: int = 1000, *, rebuild: bool = False,
                workers: int = 2, log=print) -> Fleet:
    directory = Path(directory or default_directory(count))
    if not rebuild:
        fleet = load_fleet(directory, count)
        if fleet is not None:
            log(f"Reusing the fleet of {count} practices in {directory} (--rebuild for a new "
                "one).")
            if not (fleet.repository / "summary.json").exists():  # built by an earlier version
                Repository(fleet.repository).refresh_summary(ACTOR)
            return fleet
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, mode=0o700)
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    repository_path = directory / "repository"
    Repository.init(repository_path, actor=ACTOR)
    root = pki.make_ca("Benchmark VECOZO Root CA", now - timedelta(days=800))
    intermediate = pki.make_ca("Benchmark VECOZO Issuing CA", now - timedelta(days=800),
                               parent=root)
    _CA.update(root=root, intermediate=intermediate,
               keys=[pki.new_rsa_key() for _ in range(KEYS)], repo=repository_path, now=now)
    numbers = list(range(count))
    chunks = [numbers[i::workers] for i in range(workers)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_import_range, chunks)
    else:
        results = [_import_range(numbers)]
    pem_files = [path for _, path in sorted(pair for chunk in results for pair in chunk)]
    config = directory / "config.toml"
    config.write_text(_config_text(repository_path, count), encoding="utf-8")
    config.chmod(0o600)
    (directory / "fleet.json").write_text(json.dumps({
        "format": FORMAT, "count": count, "built_at": now.isoformat(), "config": str(config),
        "repository": str(repository_path), "pem_files": pem_files,
    }), encoding="utf-8")
    log(f"Built a fleet of {count} practices ({len(pem_files)} certificates) in {directory} "
        f"in {time.perf_counter() - started:.1f} s.")
    return Fleet(directory, config, repository_path, count, [Path(p) for p in pem_files])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--dir", type=Path, help="default: $TMPDIR/vecozo-bench-fleet-COUNT")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    fleet = build_fleet(args.dir, args.count, rebuild=args.rebuild, workers=args.workers)
    print(f"config: {fleet.config}")
    print(f"try:    .venv/bin/vecozo-tui check --config {fleet.config}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
