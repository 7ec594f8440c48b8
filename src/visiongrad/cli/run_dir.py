"""The run folder every long command writes: config, metrics (JSON lines), checkpoints,
PNG plots and a short markdown report. Every file is written atomically (temporary
file + rename), so an interrupted run never leaves a half-written file."""
import datetime
import io
import json
import os

from ..serialization import atomic_write_bytes


class RunDir:
    def __init__(self, root, command, name=None):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = os.path.join(root, name or f"{command}-{stamp}")
        path, n = base, 1
        while os.path.exists(path):
            n += 1
            path = f"{base}-{n}"
        os.makedirs(path)
        self.path = path
        self._metrics = []

    def file(self, name):
        return os.path.join(self.path, name)

    def write_text(self, name, text):
        atomic_write_bytes(self.file(name), text.encode("utf-8"))
        return self.file(name)

    def write_json(self, name, obj):
        return self.write_text(name, json.dumps(obj, indent=2, default=_jsonable) + "\n")

    def write_config(self, args, **extra):
        """config.json: the command's arguments (without the handler) plus ``extra``;
        returns the dict written."""
        config = {k: v for k, v in vars(args).items() if k != "func"}
        config.update(extra)
        self.write_json("config.json", config)
        return config

    def log_metrics(self, record, name="metrics.jsonl"):
        """Append one record; the whole file is rewritten atomically each time."""
        self._metrics.append(record)
        lines = "".join(json.dumps(r, default=_jsonable) + "\n" for r in self._metrics)
        return self.write_text(name, lines)

    def save_figure(self, name, figure):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(figure)
        atomic_write_bytes(self.file(name), buffer.getvalue())
        return self.file(name)


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
