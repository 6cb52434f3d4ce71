"""Key bindings in the language of the console."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.binding import Binding, BindingsMap

from vecozo_tui.i18n import N_, _

# Textual's own bindings that the footer or help show, for the catalog
TEXTUAL_BINDING_TEXTS = (N_("Quit"), N_("palette"), N_("Open the command palette"),
                         N_("Quit the app and return to the command prompt."))


def _translated(binding: Binding) -> Binding:
    return replace(binding, description=_(binding.description) if binding.description else "",
                   tooltip=_(binding.tooltip) if binding.tooltip else "")


class TranslatedBindings:
    """Key bindings whose descriptions and tooltips are in the current language.

    ``BINDINGS`` is built when a module is imported, before the language is chosen, so
    its texts are marked with ``N_``; each node translates its own copy of them when it
    is created (the language is chosen before the app is). A plain mixin, listed first:
    as a DOMNode subclass it would take part in Textual's CSS and component classes."""

    _bindings: BindingsMap

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, found in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [_translated(b) for b in found]
