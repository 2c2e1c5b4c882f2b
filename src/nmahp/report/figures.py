"""Figures drawn for the data (matplotlib, no screen): ranked bars, grouped bars, diverging Likert
bars. NHS identity colours, chosen so the pairs stay apart for colour-blind readers."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_WARM_YELLOW = "#FFB81C"
NHS_DARK_PINK = "#7C2855"
NHS_PALE_GREY = "#E8EDEE"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_DARK_GREY = "#425563"
NHS_TEXT = "#212B32"
# nurses and midwives / AHPs / other: blue, yellow and grey differ in lightness as well as hue
GROUP_COLOURS = [NHS_BLUE, NHS_WARM_YELLOW, NHS_DARK_GREY]
# the five points of a Likert scale, from the negative end (pink) through neutral (grey) to blue
LIKERT_COLOURS = [NHS_DARK_PINK, "#D78AB0", NHS_PALE_GREY, NHS_LIGHT_BLUE, NHS_DARK_BLUE]

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 9, "axes.edgecolor": NHS_DARK_GREY, "axes.labelcolor": NHS_TEXT,
    "xtick.color": NHS_TEXT, "ytick.color": NHS_TEXT, "axes.spines.top": False, "axes.spines.right": False,
    "svg.fonttype": "none", "figure.dpi": 100,
})


def _wrap(label: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _render(fig) -> tuple[bytes, str]:
    png, svg = io.BytesIO(), io.StringIO()
    fig.savefig(png, format="png", dpi=160, bbox_inches="tight")
    fig.savefig(svg, format="svg", bbox_inches="tight")
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


def _height(labels: list[str], per_row: float = 0.42, width: int = 38) -> float:
    # wrapped labels need room: a three-line label gets a taller row than a one-line one
    rows = sum(max(per_row, 0.16 * len(textwrap.wrap(label, width) or [""]) + 0.14) for label in labels)
    return max(2.0, 1.2 + rows)


def _finish(ax, title: str, xlabel: str, base_note: str) -> None:
    # the title and the base travel with the image, so a figure copied elsewhere still says what it is
    ax.figure.suptitle(_wrap(title, 70), x=0.0, ha="left", fontsize=11, fontweight="bold", color=NHS_TEXT)
    ax.set_title(_wrap(base_note, 110), loc="left", fontsize=8, color=NHS_DARK_GREY, pad=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.figure.tight_layout()


def bars(title: str, labels: list[str], values: list[float], *, xlabel: str, base_note: str,
         annotations: list[str]) -> tuple[bytes, str]:
    """Horizontal bars, top to bottom in the order given (ranked by the caller where it should be)."""
    fig, ax = plt.subplots(figsize=(7.2, _height(labels)))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=NHS_BLUE, height=0.65)
    ax.set_yticks(positions, [_wrap(label) for label in labels])
    top = max(values) if values and max(values) > 0 else 1
    for y, value, text in zip(positions, values, annotations, strict=True):
        ax.text(value + top * 0.01, y, text, va="center", fontsize=8, color=NHS_TEXT)
    ax.set_xlim(0, top * 1.18)
    _finish(ax, title, xlabel, base_note)
    return _render(fig)


def grouped_bars(title: str, labels: list[str], series: dict[str, list[float]], *, xlabel: str,
                 base_note: str) -> tuple[bytes, str]:
    """Side-by-side bars per option, one colour per group (e.g. nurses and midwives against AHPs)."""
    fig, ax = plt.subplots(figsize=(7.2, _height(labels, 0.22 + 0.2 * len(series))))
    count = len(series)
    width = 0.8 / max(count, 1)
    positions = list(range(len(labels)))[::-1]
    for k, ((name, values), colour) in enumerate(zip(series.items(), GROUP_COLOURS, strict=False)):
        offsets = [p + (count - 1 - 2 * k) * width / 2 for p in positions]
        ax.barh(offsets, values, height=width * 0.95, color=colour, label=name,
                edgecolor="white", linewidth=0.5, hatch=None if k == 0 else ("//" if k == 1 else ".."))
    ax.set_yticks(positions, [_wrap(label) for label in labels])
    # outside the axes, to the right: inside, it covered the longest bars
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    _finish(ax, title, xlabel, base_note)
    return _render(fig)


def diverging(title: str, rows: list[tuple[str, list[int]]], points: list[str], *, counts_only: bool,
              base_note: str) -> tuple[bytes, str]:
    """Diverging stacked bars: the negative points to the left of zero, the neutral point split
    across it, the positive points to the right."""
    fig, ax = plt.subplots(figsize=(7.2, 1.6 + 0.55 * len(rows)))
    positions = list(range(len(rows)))[::-1]
    for y, (_, counts) in zip(positions, rows, strict=True):
        total = sum(counts) or 1
        share = [c if counts_only else 100 * c / total for c in counts]
        left = -(share[0] + share[1] + share[2] / 2)
        for value, colour in zip(share, LIKERT_COLOURS, strict=True):
            ax.barh(y, value, left=left, color=colour, height=0.6, edgecolor="white", linewidth=0.6)
            if value >= (1 if counts_only else 6):
                text_colour = "white" if colour in (NHS_DARK_PINK, NHS_DARK_BLUE) else NHS_TEXT
                ax.text(left + value / 2, y, f"{value:.0f}" if counts_only else f"{value:.0f}%", ha="center",
                        va="center", fontsize=8, color=text_colour)
            left += value
    ax.axvline(0, color=NHS_DARK_GREY, linewidth=0.8)
    ax.set_yticks(positions, [_wrap(label, 24) for label, _ in rows])
    ax.set_xlabel("Number of respondents" if counts_only else "Percentage of respondents (negative | positive)")
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in LIKERT_COLOURS], [_wrap(p, 16) for p in points],
              loc="upper center", bbox_to_anchor=(0.5, -0.32 if len(rows) < 3 else -0.2), ncol=5, frameon=False,
              fontsize=8)
    limit = max(1, max(sum(c for c in counts) for _, counts in rows)) if counts_only else 100
    ax.set_xlim(-limit, limit)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):.0f}" if counts_only else f"{abs(t):.0f}%" for t in ticks])
    ax.set_xlim(-limit, limit)
    _finish(ax, title, "", base_note)
    return _render(fig)
