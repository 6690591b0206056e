"""`python -m vdsl.emulator`: the same as `vdsl emulator`."""

import argparse
import sys

from .cli import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vdsl.emulator",
                                     description="Run a loopback Vertex AI emulator.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
