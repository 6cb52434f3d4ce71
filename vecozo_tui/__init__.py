"""vecozo-tui: a terminal console for the VECOZO system certificates of Dutch practices."""

__version__ = "0.1.0"
