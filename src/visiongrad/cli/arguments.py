"""Argument types shared by the commands."""
import argparse


def number_list(cast, minimum, description):
    """An argparse type for comma-separated numbers (``"1,3,5"``), each ≥ ``minimum``,
    returned sorted without duplicates."""

    def parse(text):
        try:
            values = [cast(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {description}, "
                                             f"got {text!r}")
        if not values or min(values) < minimum:
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return sorted(set(values))

    return parse
