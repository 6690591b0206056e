"""How fast is `vdsl check`? Whole-process and in-process compile times for synthetic projects
of 10, 100 and 1000 functions, cold (no cache) and warm (cache filled). Median of 5.

    python bench/compile.py [--sizes 10,100,1000] [--repeat 5]

"Cold" is `--no-cache`: no project cache. The parser tables derived from the grammar stay
cached on disk (the same for every project; deriving them costs ~0.1 s once per machine).
BAML side by side: bench/versus.py. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_project


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def whole_process(path: Path, cache: Path, no_cache: bool, repeat: int) -> float:
    env = dict(os.environ, VDSL_CACHE_DIR=str(cache))
    argv = [sys.executable, "-m", "vdsl", "check", str(path), "-q"] + (
        ["--no-cache"] if no_cache else [])

    def run() -> None:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"vdsl check failed:\n{result.stdout}{result.stderr}")
    run()  # fill the cache (and the OS file cache)
    return median_time(run, repeat)


def in_process(path: Path, cache: Path, no_cache: bool, repeat: int) -> float:
    os.environ["VDSL_CACHE_DIR"] = str(cache)
    import vdsl
    vdsl.check(path, use_cache=not no_cache)
    return median_time(lambda: vdsl.check(path, use_cache=not no_cache), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'functions':>9} {'lines':>7} {'process cold':>13} {'process warm':>13} "
          f"{'in-proc cold':>13} {'in-proc warm':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            root = write_project(Path(tmp) / f"p{size}", size)
            lines = sum(p.read_text().count("\n") for p in root.glob("*.baml"))
            cache = Path(tmp) / f"cache{size}"
            row = [whole_process(root, cache, True, args.repeat),
                   whole_process(root, cache, False, args.repeat),
                   in_process(root, cache, True, args.repeat),
                   in_process(root, cache, False, args.repeat)]
            print(f"{size:>9} {lines:>7} " + " ".join(f"{t * 1000:>11.0f}ms" for t in row))


if __name__ == "__main__":
    main()
