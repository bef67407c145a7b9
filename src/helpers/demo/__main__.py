"""``python -m helpers.demo``: write the demo raw data (see :mod:`helpers.demo.generator`)."""

from helpers.demo.generator import main

raise SystemExit(main())
