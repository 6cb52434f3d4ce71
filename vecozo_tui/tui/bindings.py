"""Which key bindings a person sees (help screen, command palette)."""

from __future__ import annotations

from textual.app import App
from textual.binding import ActiveBinding
from textual.screen import Screen

# Textual's own keys that help and the palette leave out (the help text mentions them)
_SYSTEM_ACTIONS = frozenset({"focus_next", "focus_previous", "copy_text",
                             "app.focus_next", "app.focus_previous",  # untranslated: id
                             "screen.copy_text"})  # untranslated: id
_SYSTEM_KEYS = frozenset({"ctrl+q", "ctrl+c", "super+c"})


def user_bindings(screen: Screen) -> list[ActiveBinding]:
    """The described key bindings of ``screen`` and the app, as the user can use them now
    (a focused widget's own keys, such as cursor movement, are not listed)."""
    found = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not isinstance(active.node, App | Screen):
            continue
        if binding.action in _SYSTEM_ACTIONS or key in _SYSTEM_KEYS:
            continue
        found.append(active)
    return found


def known_binding_ids() -> set[str]:
    """Every binding id of the console, the ids a ``[keymap]`` table may name. Imports
    every screen, so it is asked only when there is a keymap."""
    import importlib
    import inspect

    from textual.binding import Binding

    from vecozo_tui.tui.base import FEATURE_SCREENS

    modules = {module for module, _ in FEATURE_SCREENS.values()}
    modules |= {"vecozo_tui.tui.app", "vecozo_tui.tui.screens.dashboard",  # untranslated: module
                "vecozo_tui.tui.screens.help",  # untranslated: module
                "vecozo_tui.tui.screens.practices",  # untranslated: module
                "vecozo_tui.tui.screens.confirm"}  # untranslated: module
    found: set[str] = set()
    for module_name in modules:
        for _name, cls in inspect.getmembers(importlib.import_module(module_name), inspect.isclass):
            for binding in getattr(cls, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found
