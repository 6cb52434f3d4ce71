"""A yes/no question as a modal dialog: ``y`` confirms, ``n`` or Escape declines."""

from __future__ import annotations

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vecozo_tui.i18n import N_
from vecozo_tui.tui.translated import TranslatedBindings
from vecozo_tui.tui.widgets import KeysFooter


class ConfirmScreen(TranslatedBindings, ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),  # untranslated: action, id
        Binding("n", "answer(False)", N_("No"), id="confirm.no"),  # untranslated: action, id
        Binding("escape", "answer(False)", N_("No"), show=False),  # untranslated: action
    ]

    def __init__(self, title: str, body: RenderableType, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-box"):
            yield Static(self.title_text, classes="section-title first")  # untranslated: CSS
            yield Static(self.body, classes="kv")
            yield Static(self.question, classes="section-title")
        yield KeysFooter()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
