"""A world for the TUI tests: the demo's practices plus one practice whose certificates
are fully deterministic (fixed key, serials and dates), so snapshots are stable.

The demo repository is built once per test session (generating keys is the slow part)
and copied for every test; the config uses relative paths so a copy is self-contained.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import inspect
import random
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from textual.app import App
from textual.worker import WorkerFailed

from tests.conftest import NOW
from tests.factory import multi_key_pkcs12
from vecozo_tui import pki
from vecozo_tui.clock import FixedClock
from vecozo_tui.config import Config, load_config
from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord
from vecozo_tui.tui.app import VecozoApp
from vecozo_tui.tui.context import AppContext

PASSWORD = "geheim-123"
ACTOR = Actor(user="admin", ssh_client=None)

# The practice of the snapshots: every certificate of it is deterministic.
SNAP_ID = "tand-west"
SNAP_NAME = "Tandartsen West"
SNAP_AGB = "12099999"
RENEWAL_FILE = "tand-west-verlengd.pfx"
BACKUP_FILE = "tand-west-firefox.p12"  # the active and the renewed certificate, each keyed
OLD_DAYS_LEFT = 40  # its active certificate: WARNING


# --- deterministic keys and certificates --------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def _probable_prime(n: int, rng: random.Random) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(16):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _seeded_prime(rng: random.Random, bits: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if _probable_prime(candidate, rng):
            return candidate


@functools.cache
def seeded_rsa_key(seed: str = "vecozo-tui snapshots"):
    """An RSA-2048 key that is the same on every run (test use only)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    rng = random.Random(seed)
    e = 65537
    while True:
        p, q = _seeded_prime(rng, 1024), _seeded_prime(rng, 1024)
        if p != q and (p - 1) % e and (q - 1) % e:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                    rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, p * q))
    return numbers.private_key()


@contextmanager
def _serial(number: int):
    with mock.patch.object(pki.x509, "random_serial_number", return_value=number):
        yield


@dataclass
class FixedPki:
    root: pki.Issued
    issuing: pki.Issued

    @property
    def chain(self) -> list:
        return [self.issuing.certificate, self.root.certificate]

    def system(self, name: str, agb: str, not_before: datetime, not_after: datetime,
               serial: int) -> pki.Issued:
        with _serial(serial):
            return pki.issue(self.issuing, pki.system_subject(name, agb),
                             not_before=not_before, not_after=not_after, key=seeded_rsa_key())


@functools.cache
def fixed_pki() -> FixedPki:
    key = seeded_rsa_key()
    with _serial(0x1001):
        root = pki.make_ca("Demo VECOZO Root CA", NOW - timedelta(days=900), days=7300, key=key)
    with _serial(0x1002):
        issuing = pki.make_ca("Demo VECOZO Systeemcertificaten CA", NOW - timedelta(days=900),
                              days=5000, key=key, parent=root)
    return FixedPki(root, issuing)


# --- the environment ------------------------------------------------------------------------

# what a developer's shell may set that changes how the app looks or behaves
MACHINE_ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "TEXTUAL", "TEXTUAL_THEME", "TEXTUAL_ANIMATIONS",
                       "TEXTUAL_DEBUG", "TEXTUAL_LOG", "COLORTERM", "SUDO_USER")


def plain_environment(monkeypatch) -> None:  # noqa: ANN001 - pytest.MonkeyPatch
    for name in MACHINE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


# --- the world ------------------------------------------------------------------------------


@functools.cache
def demo_template() -> Path:
    """The demo (no COV server) plus the deterministic practice, built once per session."""
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.demo import build_demo

    directory = Path(tempfile.mkdtemp(prefix="vecozo-tui-tests-"))
    atexit.register(shutil.rmtree, directory, True)
    demo = build_demo(directory / "world", NOW, start_server=False)
    root = demo.directory
    # relative paths: a copy of the directory is a complete, independent world; deploy
    # targets must be absolute, so make_world fills in where the copy is
    text = demo.config_path.read_text(encoding="utf-8")
    text = text.replace(f'"{root}/practice-software', f'"{WORLD}/practice-software')
    text = text.replace(f"{root}/", "")
    text += (f'\n[[practices]]\nid = "{SNAP_ID}"\nname = "{SNAP_NAME}"\nagb = "{SNAP_AGB}"\n'
             'environment = "production"\ncontact = "J. de Graaf"\n')
    demo.config_path.write_text(text, encoding="utf-8")

    fixed = fixed_pki()
    repository = Repository(root / "repository", clock=FixedClock(NOW - timedelta(days=700)))
    expiry = NOW + timedelta(days=OLD_DAYS_LEFT)
    older = fixed.system(SNAP_NAME, SNAP_AGB, expiry - timedelta(days=1460),
                         expiry - timedelta(days=730), serial=0x5EC0_0001)
    current = fixed.system(SNAP_NAME, SNAP_AGB, expiry - timedelta(days=730), expiry,
                           serial=0x5EC0_0002)
    for issued in (older, current):
        loaded = load_pkcs12(pki.pkcs12_bytes(issued, fixed.chain, PASSWORD), PASSWORD)
        repository.import_certificate(SNAP_ID, loaded, PASSWORD, actor=ACTOR)
        repository.clock = FixedClock(NOW - timedelta(days=300))
    active = repository.active(SNAP_ID)
    assert active is not None
    repository.record_backup(SNAP_ID, BackupRecord(
        at=NOW - timedelta(days=10), sha256=active.info.sha256, target="/media/usb-backup",
        verified=True), actor=ACTOR)
    repository.record_test_call(SNAP_ID, TestCallRecord(
        at=NOW - timedelta(days=2), sha256=active.info.sha256, environment="production",
        ok=True, summary="COV answered: insured person found"), actor=ACTOR)
    renewal = fixed.system(SNAP_NAME, SNAP_AGB, NOW - timedelta(days=1),
                           expiry + timedelta(days=730), serial=0x5EC0_0003)
    (root / "inbox" / RENEWAL_FILE).write_bytes(
        pki.pkcs12_bytes(renewal, fixed.chain, PASSWORD))
    # a Firefox backup holding the active certificate and the renewed one
    (root / "inbox" / BACKUP_FILE).write_bytes(multi_key_pkcs12(
        [current, renewal], PASSWORD, extra_certificates=fixed.chain))
    return root


@dataclass
class World:
    directory: Path
    config: Config
    repository: Repository
    clock: FixedClock

    @property
    def inbox(self) -> Path:
        return self.config.inbox

    def context(self) -> AppContext:
        return AppContext(config=self.config, repository=self.repository, clock=self.clock,
                          actor=ACTOR)

    def app(self) -> VecozoApp:
        app = VecozoApp(self.context())
        app.theme = "textual-dark"  # not $TEXTUAL_THEME (read by Textual at import)
        return app


WORLD = "@WORLD@"  # in the template's config: the directory of the world's copy


def make_world(target: Path) -> World:
    """A private copy of the template world in ``target``."""
    directory = Path(target) / "world"
    template = demo_template()
    shutil.copytree(template, directory, symlinks=True)
    config_file = directory / "config.toml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(WORLD, str(directory)),
                           encoding="utf-8")
    # the deploy records name their targets by absolute path too
    for events in (directory / "repository" / "practices").glob("*/events.json"):
        events.write_text(events.read_text(encoding="utf-8").replace(str(template),
                                                                       str(directory)),
                          encoding="utf-8")
    # people see the server's zone: a Dutch one, so the screens show local times
    clock = FixedClock(NOW, zone=ZoneInfo("Europe/Amsterdam"))
    config = load_config(directory / "config.toml")
    return World(directory, config, Repository(config.repository, clock=clock), clock)


class ScreenApp(App[None]):
    """The smallest app that shows one feature screen with a real AppContext; what the
    screen dismissed with is collected in ``results``. It has the console's one
    stylesheet, where every screen's CSS lives."""

    CSS_PATH = Path(inspect.getfile(VecozoApp)).with_name("app.tcss")

    def __init__(self, make_screen) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.results: list[bool] = []

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(), callback=self.results.append)


async def settle(pilot) -> None:
    """Wait for the app's workers (a failed one is shown by its screen) and the screen's
    updates. The file browser's "_loader" worker never ends, so it is left out (and an
    empty list would mean "all" to wait_for_complete)."""
    for _ in range(3):
        finite = [w for w in pilot.app.workers if w.group != "_loader"]
        if finite:
            with contextlib.suppress(WorkerFailed):
                await pilot.app.workers.wait_for_complete(finite)
        await pilot.pause()


async def wait_until(pilot, condition, seconds: float = 3.0) -> bool:
    """Let the app run until ``condition()`` holds (True) or ``seconds`` have passed
    (False). For what arrives from a worker: on a loaded machine one pause is not
    enough, and a key pressed before the screen has its data is lost."""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def open_walkthrough_and_tick_first_step(pilot, practice_id: str) -> None:
    """The renewal walkthrough of ``practice_id``, step 1 ticked, the highlight on step 2."""
    await pilot.pause()
    pilot.app.open_feature("walkthrough", practice_id, kind="renew")
    assert await wait_until(pilot, lambda: getattr(pilot.app.screen, "progress", None)
                            is not None, 10)
    await pilot.press("space")
    assert await wait_until(pilot, lambda: pilot.app.screen.progress.done_count == 1, 10)
    await settle(pilot)

