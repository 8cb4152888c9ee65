"""Creator directory (filled by its issue)."""


def seed_demo(org, shops, n: int) -> None:
    """Demo creators: n seeded, realistic creators (mostly US, some GB) imported through the real import path.

    Idempotent: the same rows are generated every time, so a second run finds them all unchanged;
    a larger n adds the extra creators and leaves the first ones alone.
    """
    import os
    import tempfile

    from webapp.services.creator_gen import write_csv
    from webapp.services.creator_import import import_path, upload_dir
    if n <= 0:
        return
    regions = {s.region for s in shops}
    weights = {"US": 0.85, "GB": 0.15}
    mix = {r: w for r, w in weights.items() if r in regions} or {"US": 1.0}
    fd, path = tempfile.mkstemp(prefix="demo-creators-", suffix=".csv", dir=str(upload_dir()))
    os.close(fd)
    try:
        write_csv(path, n, seed=2026, regions=mix)
        import_path(path, org.id)
    finally:
        os.unlink(path)
