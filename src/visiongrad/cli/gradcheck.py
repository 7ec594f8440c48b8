"""``visiongrad gradcheck``: the float64 numerical gradient check of every registered
operation, printed as a table of CS231n relative errors (max |a − n| / max(1e-8, |a| + |n|))."""
import sys


def register(subparsers):
    p = subparsers.add_parser("gradcheck", help="check every op's backward numerically",
                              description=__doc__)
    p.add_argument("--filter", default="", help="only ops whose name contains this text")
    p.add_argument("--eps", type=float, default=1e-5,
                   help="finite-difference step for the relative errors; default: %(default)s")
    p.set_defaults(func=run)


def run(args):
    import numpy as np

    from ..autograd.gradcheck import gradcheck, gradient_errors
    from ..testing import all_ops, make_inputs

    ops = [op for op in all_ops() if args.filter in op.name]
    if not ops:
        print(f"gradcheck: no op name contains {args.filter!r}", file=sys.stderr)
        return 2
    width = max(len(op.name) for op in ops)
    print(f"{'op':<{width}}  {'max relative error':>18}  status")
    failures = 0
    for op in ops:
        errors = gradient_errors(op.fn, make_inputs(op, np.random.default_rng(0)), eps=args.eps)
        worst = max(errors) if errors else 0.0
        # pass/fail uses the op's own tolerances (|a - n| <= atol + rtol·|n|): the relative
        # error alone is noisy where a gradient is exactly zero
        ok = gradcheck(op.fn, make_inputs(op, np.random.default_rng(0)), atol=op.grad_atol,
                       rtol=op.grad_rtol, raise_exception=False)
        failures += not ok
        print(f"{op.name:<{width}}  {worst:18.3e}  {'ok' if ok else 'FAIL'}")
    print(f"{len(ops) - failures} passed, {failures} failed")
    return 1 if failures else 0
