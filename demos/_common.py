"""Small helpers the demos share: the documents' numpy initialisation, the output folder."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["numpy_uniform_init", "transpose", "out_dir", "pyplot", "save_loss_curve",
           "progress_bar"]


def numpy_uniform_init(*shapes: tuple[int, int], seed: int = 1) -> list[list[list[float]]]:
    """The documents' initialisation, ``np.random.seed(seed); 2*np.random.random(shape)-1``.

    The arrays are drawn in order from numpy's legacy generator, exactly as the documents
    do, and returned as plain nested lists in numpy's ``W[inputs][outputs]`` layout.
    """
    import numpy as np  # a demo extra: only the demos ever import numpy

    np.random.seed(seed)
    return [(2 * np.random.random(shape) - 1).tolist() for shape in shapes]


def transpose(matrix: list[list[float]]) -> list[list[float]]:
    """numpy's ``W[in][out]`` as nn's ``weight[out][in]`` (torch.nn.Linear's layout)."""
    return [list(column) for column in zip(*matrix)]


def out_dir(path: str | Path | None) -> Path | None:
    """The artefact directory, created if needed (None means: write no files)."""
    if path is None:
        return None
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    return p


def pyplot():
    """matplotlib's pyplot on the Agg backend: files only, never a window."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_loss_curve(steps, losses, path: Path, title: str, xlabel: str, ylabel: str) -> Path:
    """A PNG of a loss curve, on a log scale so the late, small losses stay visible."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(steps, losses)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def progress_bar(iterable, description: str, unit: str = "epoch"):
    """A tqdm bar for a training loop, on a terminal only (never in logs or pipes).

    It replaces a printed line per epoch: the loop calls ``bar.set_postfix(loss=...)``
    and prints one summary line when it is done.  The bar is at most 100 columns wide
    and disappears when the loop ends.
    """
    from tqdm import tqdm

    return tqdm(iterable, desc=description, unit=unit, leave=False, file=sys.stderr,
                disable=None if sys.stderr.isatty() else True, ncols=100)
