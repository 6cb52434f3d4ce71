"""The COV test call (VZ801/802) over mutual TLS, its diagnosis, and a local fake server.

* :mod:`~vecozo_tui.cov.soap`: the SOAP request and answer (ElementTree / defusedxml)
* :mod:`~vecozo_tui.cov.tls`: the client ``SSLContext`` from a PKCS#12, key never in clear
* :mod:`~vecozo_tui.cov.client`: the httpx call
* :mod:`~vecozo_tui.cov.diagnosis`: the chain of checks with causes and advice
* :mod:`~vecozo_tui.cov.fake_server`: the local VECOZO-like server (demo, tests)
* :mod:`~vecozo_tui.cov.command`: ``vecozo-tui test-cov`` (and the shared call used by the TUI)

Nothing here imports Textual; the modules import httpx and cryptography lazily where
that keeps ``vecozo-tui check`` fast.
"""
