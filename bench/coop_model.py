"""Run one policy MODEL (full15, full5, persku) against a cooperative world.

Started by ``bench/coop.py``; see ``bench/cooplib/models.py`` for what each model does.
``python bench/coop_model.py DB POLICY --poll S --workers N --seed N --ready FILE``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for p in (str(BENCH.parent), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from cooplib.models import POLICIES, run  # noqa: E402

from syncd.log import configure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("policy", choices=sorted(POLICIES))
    parser.add_argument("--poll", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args()
    configure(level="warning")
    run(
        args.db, args.policy, poll=args.poll, workers=args.workers, seed=args.seed, ready=args.ready
    )


if __name__ == "__main__":
    main()
