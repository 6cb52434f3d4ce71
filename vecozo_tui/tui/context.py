"""What every screen needs from the outside world, passed down from the app.

One config object, one repository, one clock: no global state, so tests and
snapshots hand in their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vecozo_tui.clock import Clock

if TYPE_CHECKING:
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.demo import Demo
    from vecozo_tui.repository import Actor, Repository


@dataclass
class AppContext:
    config: Config
    repository: Repository
    clock: Clock
    actor: Actor
    demo: Demo | None = None

    def practice(self, practice_id: str) -> Practice:
        return self.config.practice(practice_id)
