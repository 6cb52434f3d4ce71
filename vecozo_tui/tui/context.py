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
    from vecozo_tui.overview import FirstReading
    from vecozo_tui.repository import Actor, Repository


@dataclass
class AppContext:
    config: Config
    repository: Repository
    clock: Clock
    actor: Actor
    demo: Demo | None = None
    # read before the app started (cli/console.py): the dashboard's first rows
    first_reading: FirstReading | None = None

    def take_first_reading(self) -> FirstReading | None:
        """The first reading, once: every later reading is the screen's own."""
        reading, self.first_reading = self.first_reading, None
        return reading

    def practice(self, practice_id: str) -> Practice:
        return self.config.practice(practice_id)
