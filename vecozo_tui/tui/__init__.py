"""The Textual front. Screens gather input, call the core in workers and show the result."""
