"""The core stays UI-free; the scripted commands start without Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "vecozo_tui"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_never_import_textual():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tui" in path.relative_to(PACKAGE).parts:
            continue
        if any(name == "textual" or name.startswith("textual.") for name in
               imported_modules(path)):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_check_finds_a_textual_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from textual.app import App\n")
    assert "textual.app" in imported_modules(sample)


def test_scripted_cli_commands_do_not_load_textual(tmp_path):
    script = (
        "import sys\n"
        "from vecozo_tui.cli.main import main\n"
        "for argv in (['list'], ['status', '--json'], ['check'], ['metrics'], ['--help']):\n"
        "    try:\n"
        "        main(argv + ['--config', sys.argv[1]] if argv[0] != '--help' else argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('TEXTUAL', loaded)\n"
        "crypto = sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography')\n"
        "print('CRYPTOGRAPHY', crypto)\n"
    )
    repository = tmp_path / "repo"
    repository.mkdir(mode=0o700)
    config = tmp_path / "config.toml"
    config.write_text(f'[repository]\npath = "{repository}"\n\n[[practices]]\nid = "a"\n'
                      'name = "A"\nagb = "01234567"\nenvironment = "test"\n'
                      f'[[practices.deploy]]\npath = "{tmp_path}/his.pfx"\n')
    result = subprocess.run([sys.executable, "-c", script, str(config)], capture_output=True,
                            text=True, timeout=60)
    assert "TEXTUAL []" in result.stdout, result.stdout + result.stderr
    # nor cryptography: they read public metadata only (deploy states included)
    assert "CRYPTOGRAPHY []" in result.stdout, result.stdout + result.stderr


def test_every_tui_worker_has_a_plain_description():
    """Textual describes a worker by the repr() of its arguments and logs it; passwords,
    a BSN and notes are arguments of workers, so each worker names its own description."""
    missing = []
    for path in (PACKAGE / "tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") \
                        == "work" and "description" not in {k.arg for k in decorator.keywords}:
                    missing.append(f"{path.name}:{node.name}")
    assert missing == []


def _contract(name: str) -> dict:
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in pyproject["tool"]["importlinter"]["contracts"] if c["name"] == name]
    return contract


def _children(package: Path) -> set[str]:
    dotted = ".".join(package.relative_to(PACKAGE.parent).parts)
    return {f"{dotted}.{path.stem}" for path in package.iterdir()
            if path.stem not in ("__init__", "__main__", "__pycache__", "py")
            and (path.suffix == ".py" or (path / "__init__.py").exists())}


def test_the_import_contracts_name_every_module_of_their_room():
    """The contracts list their modules by name: a new module must be in them, or the
    doors would not be checked for it."""
    core = _children(PACKAGE) - {"vecozo_tui.cli", "vecozo_tui.tui"}
    assert set(_contract("The core imports neither front nor Textual")["source_modules"]) \
        == core
    cli = _children(PACKAGE / "cli") - {"vecozo_tui.cli.console"}
    assert set(_contract("Only cli.console opens the TUI")["source_modules"]) == cli
