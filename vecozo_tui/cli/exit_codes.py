"""Exit codes of the CLI (a leaf module: it imports nothing).

0 done; 1 a problem the user can fix (message on stderr); 2 usage error;
3 refused or cancelled (an import with blocking findings, or not confirmed);
130 interrupted. ``check`` follows the plugin convention instead (0-3).
"""


EXIT_OK = 0


EXIT_ERROR = 1


EXIT_USAGE = 2


EXIT_REFUSED = 3


EXIT_INTERRUPTED = 130
