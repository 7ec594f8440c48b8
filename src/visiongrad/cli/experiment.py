"""``visiongrad experiment NAME``: reproduce one of the course notes' claims, print its
numbers and save its figure in a run folder."""
import json

from .run_dir import RunDir


def register(subparsers):
    from ..experiments import EXPERIMENTS

    p = subparsers.add_parser("experiment", help="reproduce a claim of the course notes",
                              description=__doc__)
    p.add_argument("name", choices=sorted(EXPERIMENTS) + ["all"], help="which experiment")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.set_defaults(func=run)


def run(args):
    from ..experiments import EXPERIMENTS

    names = sorted(EXPERIMENTS) if args.name == "all" else [args.name]
    run_dir = RunDir(args.out, f"experiment-{args.name}")
    for name in names:
        results, figure = EXPERIMENTS[name]()
        print(f"== {name}")
        print(json.dumps(results, indent=2, default=str))
        run_dir.write_json(f"{name}.json", results)
        if figure is not None:
            print(f"figure: {run_dir.save_figure(f'{name}.png', figure)}")
    print(f"run folder: {run_dir.path}")
    return 0
