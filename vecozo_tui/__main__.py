from vecozo_tui.cli import main

raise SystemExit(main())
