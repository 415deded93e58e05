from vsegrader_client.cli import main

raise SystemExit(main())
