"""Textual's command palette with the words it writes itself in the console's language."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from vecozo_tui.i18n import _


class TranslatedPalette(CommandPalette):
    """Textual writes "No matches found" in English, with no hook to change it: this is
    its ``_start_no_matches_countdown`` (Textual 8.2) with the text translated. The
    placeholder of the search field is a parameter; the commands come translated."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:  # with nothing typed, the palette only offers what it has
                text = Text(_("No matches found"), style="not bold")  # untranslated: style
                self.query_one(CommandList).add_option(
                    Option(Align.center(text), disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
