"""``visiongrad <command>``: each command lives in its own module of this package and
defines ``register(subparsers)``, which adds its parser and sets ``func`` to the
function that runs it."""
import argparse
import importlib
import sys

COMMANDS = ["train", "knn", "linear", "tune", "transfer", "visualize", "gradcheck",
            "experiment", "segment", "caption"]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="visiongrad",
        description="Deep learning for computer vision from first principles on NumPy.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"visiongrad {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for name in COMMANDS:
        importlib.import_module(f".{name}", __package__).register(subparsers)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
