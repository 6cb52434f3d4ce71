"""The repository's summary (summary.json): every writer keeps it up to date, readers use
an entry only while the practice's files are the ones it was made from, and a summary that
cannot be trusted (damaged, foreign, too big, a symlink, of another format) changes
nothing but the speed. A reader never writes."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.monitoring_support import ACTOR, PASSWORD, Site
from vecozo_tui import pki
from vecozo_tui import repository as repository_module
from vecozo_tui.certificates import LoadedPkcs12, info_from_certificate
from vecozo_tui.config import load_config
from vecozo_tui.monitoring import check_report, read_snapshot
from vecozo_tui.overview import build_overview
from vecozo_tui.repository import SUMMARY_FILE, DeployRecord, Repository, TestCallRecord


def fill(site: Site) -> None:
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=20, agb="04011111", backup=False)
    site.practice("tand-west", days_left=-3, agb="05022222", test_ok=False)
    site.practice("nieuw", days_left=None, agb="06033333")


def rows(site: Site, now):
    """The overview as every front reads it (and the same without a summary)."""
    config = load_config(site.config, check_repository=False)
    return build_overview(config, Repository(site.repository_path), now)


def rows_without_summary(site: Site, now):
    summary = site.repository_path / SUMMARY_FILE
    saved = summary.read_bytes() if summary.exists() else None
    summary.unlink(missing_ok=True)
    try:
        return rows(site, now)
    finally:
        if saved is not None:
            summary.write_bytes(saved)


@pytest.fixture
def practice_reads(monkeypatch):
    """The practice files read one by one (not through the summary), by practice id."""
    read: list[str] = []
    original = Repository._read_json

    def counted(self, path):
        name = os.path.basename(str(path))
        if name in ("practice.json", "events.json"):
            read.append(os.path.basename(os.path.dirname(str(path))))
        return original(self, path)

    monkeypatch.setattr(Repository, "_read_json", counted)
    return read


def test_readers_use_the_summary_and_see_what_the_files_say(site, now, practice_reads):
    fill(site)
    assert (site.repository_path / SUMMARY_FILE).is_file()
    practice_reads.clear()
    with_summary = rows(site, now)
    assert practice_reads == []  # not one practice file was read: the summary was enough
    assert with_summary == rows_without_summary(site, now)
    assert {row.practice.id: row.level.value for row in with_summary} == {
        "hap-zuid": "OK", "fysio-oost": "WARNING", "tand-west": "EXPIRED",
        "nieuw": "NO CERTIFICATE"}


def test_the_summary_holds_no_secret(site, now):
    fill(site)
    text = (site.repository_path / SUMMARY_FILE).read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert "PRIVATE KEY" not in text
    assert os.stat(site.repository_path / SUMMARY_FILE).st_mode & 0o777 == 0o600


def renewed(site: Site, practice_id: str) -> LoadedPkcs12:
    not_after = site.now + timedelta(days=700)
    issued = pki.issue(site.pki.intermediate, pki.system_subject(f"Praktijk {practice_id}",
                                                                 "01234567"),
                       key=site.key, not_before=site.now, not_after=not_after)
    return LoadedPkcs12(issued.certificate, site.key, site.pki.chain,
                        info_from_certificate(issued.certificate, site.pki.chain), True)


def _other_writers(site: Site, now):
    """Every kind of write the repository has, each on a practice of its own."""
    repository = site.repository
    sha = repository.active("hap-zuid").info.sha256
    yield "test call", lambda: repository.record_test_call(
        "hap-zuid", TestCallRecord(now, sha, "production", False, "refused"), actor=ACTOR)
    yield "backup", lambda: repository.record_backup(
        "fysio-oost", repository_module.BackupRecord(
            now, repository.active("fysio-oost").info.sha256, "/mnt/usb", True), actor=ACTOR)
    yield "deploy", lambda: repository.record_deploy(
        "hap-zuid", DeployRecord(str(site.tmp / "his.pfx"), now, sha, "verify", "no",
                                 None, None), actor=ACTOR, action="deploy", details={})
    yield "walkthrough state", lambda: repository.write_state(
        "tand-west", "renew", {"done": ["export"]}, actor=ACTOR, action="walkthrough")
    older = repository.history("hap-zuid")
    yield "import", lambda: repository.import_certificate(
        "hap-zuid", renewed(site, "hap-zuid"), PASSWORD, actor=ACTOR)
    yield "activate", lambda: repository.activate("hap-zuid", older[-1].info.sha256,
                                                  actor=ACTOR)
    yield "purge", lambda: repository.purge_history("hap-zuid", actor=ACTOR,
                                                    confirm="hap-zuid")


def test_every_writer_keeps_the_summary_up_to_date(site, now, practice_reads):
    fill(site)
    for what, write in _other_writers(site, now):
        write()
        practice_reads.clear()
        with_summary = rows(site, now)
        assert practice_reads == [], what
        assert with_summary == rows_without_summary(site, now), what


def test_a_change_behind_the_summary_is_seen(site, now, practice_reads):
    fill(site)
    rows(site, now)
    events = site.repository_path / "practices" / "hap-zuid" / "events.json"
    data = json.loads(events.read_text(encoding="utf-8"))
    before = os.stat(events)
    # the same size, in place, and the old times put back: only the ctime tells
    data["last_test_call"]["ok"] = False
    data["last_test_call"]["summary"] = data["last_test_call"]["summary"][:-1]
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    assert len(text.encode()) == before.st_size
    with open(events, "r+", encoding="utf-8") as handle:
        handle.write(text)
        handle.truncate()
    os.utime(events, ns=(before.st_atime_ns, before.st_mtime_ns))
    practice_reads.clear()
    found = {row.practice.id: row for row in rows(site, now)}
    assert practice_reads == ["hap-zuid", "hap-zuid"]  # that practice only, from its files
    assert found["hap-zuid"].test_call_failed
    assert list(found.values()) == rows_without_summary(site, now)


def test_a_practice_file_replaced_by_a_symlink_is_refused_as_without_summary(site, now):
    fill(site)
    practice = site.repository_path / "practices" / "hap-zuid"
    copy = site.tmp / "elsewhere.json"
    copy.write_bytes((practice / "practice.json").read_bytes())
    (practice / "practice.json").unlink()
    (practice / "practice.json").symlink_to(copy)
    found = {row.practice.id: row for row in rows(site, now)}
    assert found["hap-zuid"].level.value == "DAMAGED"
    assert list(found.values()) == rows_without_summary(site, now)


def test_a_practice_directory_replaced_by_a_symlink_is_refused(site, now):
    fill(site)
    practices = site.repository_path / "practices"
    os.rename(practices / "hap-zuid", practices / "hap-zuid-moved")
    (practices / "hap-zuid").symlink_to(practices / "hap-zuid-moved")
    found = {row.practice.id: row for row in rows(site, now)}
    assert found["hap-zuid"].level.value == "DAMAGED"
    assert "symbolic link" in found["hap-zuid"].reasons[0].text
    assert list(found.values()) == rows_without_summary(site, now)


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff not json")


def _a_list(path: Path) -> None:
    path.write_text("[1, 2, 3]")


def _other_format(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format"] = 99
    path.write_text(json.dumps(data))


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _wrong_types(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["practices"].values():
        if entry[2] is not None:
            entry[2][4 + 6] = 12345  # not_after: not a date
        entry[3] = "nonsense"
    data["chains"] = [{"no": "list"}]
    path.write_text(json.dumps(data))


def _symlink(path: Path) -> None:
    target = path.with_name("elsewhere.json")
    target.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(target)


def _writable_by_others(path: Path) -> None:
    path.chmod(0o666)


@pytest.mark.parametrize("spoil", [_garbage, _a_list, _other_format, _truncated,
                                   _wrong_types, _symlink, _writable_by_others])
def test_a_summary_that_cannot_be_trusted_changes_nothing(site, now, spoil, practice_reads):
    fill(site)
    expected = rows_without_summary(site, now)
    spoil(site.repository_path / SUMMARY_FILE)
    practice_reads.clear()
    assert rows(site, now) == expected
    # every practice with files is read from them ("nieuw" has none)
    assert {"fysio-oost", "hap-zuid", "tand-west"} <= set(practice_reads)


def test_a_summary_too_big_is_not_read(site, now, monkeypatch, practice_reads):
    fill(site)
    expected = rows_without_summary(site, now)
    size = (site.repository_path / SUMMARY_FILE).stat().st_size
    monkeypatch.setattr(repository_module, "MAX_SUMMARY_BYTES", size - 1)
    practice_reads.clear()
    assert rows(site, now) == expected
    assert {"fysio-oost", "hap-zuid", "tand-west"} <= set(practice_reads)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another user needs root")
def test_a_summary_of_another_user_is_not_read(site, now, practice_reads):
    fill(site)
    expected = rows_without_summary(site, now)
    os.chown(site.repository_path / SUMMARY_FILE, 12345, 12345)
    practice_reads.clear()
    assert rows(site, now) == expected
    assert {"fysio-oost", "hap-zuid", "tand-west"} <= set(practice_reads)


def test_a_crash_between_a_write_and_the_summary_never_gives_a_wrong_status(
        site, now, monkeypatch):
    fill(site)
    rows(site, now)
    # the process dies right after events.json is replaced: the summary is the old one
    monkeypatch.setattr(Repository, "_refresh_summary", lambda self: None)
    sha = site.repository.active("hap-zuid").info.sha256
    site.repository.record_test_call(
        "hap-zuid", TestCallRecord(now, sha, "production", False, "TLS refused"), actor=ACTOR)
    monkeypatch.undo()
    found = {row.practice.id: row for row in rows(site, now)}
    assert found["hap-zuid"].test_call_failed
    assert found["hap-zuid"].level.value == "WARNING"
    # the next write, to any practice, brings the summary up to date again
    site.repository.write_state("nieuw", "new", {"done": []}, actor=ACTOR, action="walkthrough")
    summary = json.loads((site.repository_path / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["practices"]["hap-zuid"][3]["last_test_call"]["ok"] is False


def test_a_crash_while_the_summary_is_written_leaves_no_wrong_status(site, now, monkeypatch):
    fill(site)
    original = repository_module.atomic_write_text

    def dies_half_way(path, text, *args):
        if Path(path).name == SUMMARY_FILE:
            temporary = Path(path).with_name(f".{SUMMARY_FILE}.abcd1234.tmp")
            temporary.write_text(text[: len(text) // 3])
            raise KeyboardInterrupt  # the write never finished
        return original(path, text, *args)

    monkeypatch.setattr(repository_module, "atomic_write_text", dies_half_way)
    sha = site.repository.active("hap-zuid").info.sha256
    with pytest.raises(KeyboardInterrupt):
        site.repository.record_test_call(
            "hap-zuid", TestCallRecord(now, sha, "production", False, "refused"), actor=ACTOR)
    monkeypatch.undo()
    found = {row.practice.id: row for row in rows(site, now)}
    assert found["hap-zuid"].test_call_failed
    assert list(found.values()) == rows_without_summary(site, now)
    # the next writer removes what the crash left
    site.repository.write_state("nieuw", "new", {"done": []}, actor=ACTOR, action="walkthrough")
    assert not list(site.repository_path.glob(f".{SUMMARY_FILE}.*.tmp"))


def _disk(root: Path) -> dict[str, tuple]:
    return {str(path): (os.lstat(path).st_mtime_ns, os.lstat(path).st_ino)
            for path in [root, *root.rglob("*")]}


def test_readers_never_write(site, now, clock, capsys, monkeypatch):
    from vecozo_tui.cli.main import main

    fill(site)
    # a stale entry and a missing practice: the reader reads the files, and leaves the
    # summary as it is (only writers, under the lock, write it)
    events = site.repository_path / "practices" / "hap-zuid" / "events.json"
    events.write_text(events.read_text(encoding="utf-8"), encoding="utf-8")
    before = _disk(site.repository_path)

    def no_writes(*args, **kwargs):
        raise AssertionError("a reader wrote")

    monkeypatch.setattr(repository_module, "atomic_write_text", no_writes)
    monkeypatch.setattr(repository_module, "atomic_write_bytes", no_writes)
    config = load_config(site.config, check_repository=False)
    read_snapshot(config, Repository(site.repository_path), now)
    for command in (["check"], ["list"], ["status", "--json"], ["metrics"]):
        main([*command, "--config", str(site.config)], clock=clock)
    capsys.readouterr()
    assert _disk(site.repository_path) == before


def test_check_says_the_same_with_and_without_the_summary(site, now, clock):
    fill(site)
    config = load_config(site.config, check_repository=False)
    with_summary = check_report(read_snapshot(config, Repository(site.repository_path), now),
                                config.thresholds)
    (site.repository_path / SUMMARY_FILE).unlink()
    assert check_report(read_snapshot(config, Repository(site.repository_path), now),
                        config.thresholds) == with_summary


def test_days_left_follow_the_clock_not_the_summary(site, now):
    fill(site)
    today = {row.practice.id: row.days_left for row in rows(site, now)}
    later = {row.practice.id: row.days_left
             for row in rows(site, now + timedelta(days=10))}
    assert later["hap-zuid"] == today["hap-zuid"] - 10


def test_a_repository_without_a_summary_gets_one_at_the_next_write(site, now):
    fill(site)
    (site.repository_path / SUMMARY_FILE).unlink()
    assert rows(site, now) == rows_without_summary(site, now)
    assert not (site.repository_path / SUMMARY_FILE).exists()  # a reader does not write
    site.repository.write_state("nieuw", "new", {"done": []}, actor=ACTOR, action="walkthrough")
    summary = json.loads((site.repository_path / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert sorted(summary["practices"]) == ["fysio-oost", "hap-zuid", "nieuw", "tand-west"]
    # and two certificates with the same chain share one entry of the chain table
    assert len(summary["chains"]) == 1


def test_an_index_of_an_earlier_version_is_summed_up_as_it_reads(site, now, practice_reads):
    fill(site)
    index = site.repository_path / "practices" / "hap-zuid" / "practice.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    for entry in data["certificates"].values():  # written before kind_reason existed
        del entry["info"]["kind_reason"]
    index.write_text(json.dumps(data, indent=1), encoding="utf-8")
    site.repository.refresh_summary(ACTOR)
    practice_reads.clear()
    with_summary = rows(site, now)
    assert practice_reads == []
    assert with_summary == rows_without_summary(site, now)
