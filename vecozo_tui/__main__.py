from vecozo_tui.cli.main import run

run()
