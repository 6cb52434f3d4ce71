"""Workers report back with typed messages: a test can watch them (message_hook), and a
result never shows up in a message's repr (it may hold a key or a password)."""

from __future__ import annotations

from tests.tui.test_flow import give_password, open_import_and_pick
from tests.tui_support import make_world, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.errors import WrongPasswordError
from vecozo_tui.tui.messages import CertificateFileRead, CertificateOpened, WorkDone

SIZE = (80, 24)


async def test_an_import_posts_what_each_worker_found(tmp_path):
    world = make_world(tmp_path)
    seen: list[WorkDone] = []

    def hook(message) -> None:
        if isinstance(message, WorkDone):
            seen.append(message)

    app = world.app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await open_import_and_pick(pilot, "hap-delinde-nieuw.pfx")
        await settle(pilot)
        await give_password(pilot, "wrong-password")
        await give_password(pilot, DEMO_PASSWORD)
    kinds = [type(message) for message in seen]
    assert kinds[:3] == [CertificateFileRead, CertificateOpened, CertificateOpened], kinds
    read, wrong, right = seen[:3]
    assert read.result is not None and read.result[0].name == "hap-delinde-nieuw.pfx"
    assert isinstance(wrong.error, WrongPasswordError) and wrong.result is None
    assert right.error is None and right.attempt == wrong.attempt + 1
    loaded, findings, password, active = right.result
    assert password == DEMO_PASSWORD and active is not None
    assert DEMO_PASSWORD not in repr(right) and "result" in repr(right)
