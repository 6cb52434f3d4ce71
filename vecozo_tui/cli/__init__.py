"""The command-line front: argparse, prompts and output; it calls the core.

The entry point is :func:`vecozo_tui.cli.main.main`. Each command's module is
imported only when it runs, so the scripted commands never load Textual.
"""
