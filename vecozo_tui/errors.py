"""The one exception type for problems a user can fix.

``str(error)`` is the message shown to the user: plain language, specific, and
never containing a password, a private key or a BSN. Bugs are not VecozoErrors;
they stay ordinary exceptions so tests see their tracebacks.
"""


class VecozoError(Exception):
    """A problem the user can fix; its text is shown as is."""


class WrongPasswordError(VecozoError):
    """The password does not open the PKCS#12 file."""


class BusyError(VecozoError):
    """Another admin holds the repository lock."""


class ConfigError(VecozoError):
    """The configuration file has one or more problems."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
