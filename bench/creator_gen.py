"""Seeded creator data for benchmarks: a stable re-export of webapp.services.creator_gen.

    from bench.creator_gen import generate_rows, write_csv, write_xlsx, COLUMNS, CATEGORIES
    python -m bench.creator_gen OUT.csv N [SEED]      (OUT.xlsx writes a spreadsheet)

See webapp/services/creator_gen.py for the distributions.
"""
from webapp.services.creator_gen import (  # noqa: F401
    ALIASES, CATEGORIES, COLUMNS, DEFAULT_REGIONS, generate_rows, main, write_csv, write_xlsx,
)

if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
