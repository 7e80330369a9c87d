"""What a person does with each step's widget, keyed by notebook name (``NN_name``)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

INTERACTIONS: dict[str, Callable[[Page], None]] = {}
