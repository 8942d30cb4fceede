"""`python -m bench [NAME] [ARGS...]`: run one benchmark module's main(), or all of them (but the slow ones)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

SLOW = {"soak"}  # minutes long: run only by name (`python -m bench soak --minutes 3`)


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("benchmarks:", ", ".join(names))
        return 0
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"bench: no benchmark {argv[0]!r}; choose from {', '.join(names)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(f"bench.{argv[0]}").main(argv[1:]) or 0)
    status = 0
    for name in (n for n in names if n not in SLOW):
        print(f"== {name}")
        status |= int(importlib.import_module(f"bench.{name}").main(argv) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
