"""Run every benchmark in bench/: each bench/*.py with a `main()` (`make bench`).

    .venv/bin/python bench/run_all.py [name ...]     # all, or only the named ones (file stems)

Benchmarks print their own results (a markdown table to paste into docs/PERFORMANCE.md); this runner
adds the wall time of each and exits non-zero if any of them failed.
"""
from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def discover(names: list[str]) -> list[Path]:
    files = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
    return [p for p in files if not names or p.stem in names]


def main(argv: list[str]) -> int:
    failed, ran = [], 0
    for path in discover(argv):
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception:  # noqa: BLE001 - report and go on with the others
            failed.append(path.name)
            traceback.print_exc()
            continue
        if not callable(getattr(module, "main", None)):
            continue
        print(f"\n== {path.name}", flush=True)
        start = time.perf_counter()
        try:
            module.main()
            ran += 1
        except SystemExit as exc:
            if exc.code not in (0, None):
                failed.append(path.name)
        except Exception:  # noqa: BLE001
            failed.append(path.name)
            traceback.print_exc()
        print(f"-- {path.name}: {time.perf_counter() - start:.1f} s", flush=True)
    print(f"\n{ran} benchmark(s) ran" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
