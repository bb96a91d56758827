"""Progress of a long phase of a command (writing plans, the controller, collecting, reporting).

On a terminal it is a rich progress bar (or a spinner with the elapsed time when the phase has no count),
removed when the phase ends. Without a terminal (a log, a CI job, a pipe) it is plain lines on stderr — one
at each further 10 % of the count and one every 10 s while the phase runs (also when one step is long, such as
writing the controller workbook), and one when it ends — all only once the phase has run
:data:`QUIET_S` seconds, so a quick command prints nothing but its result — in the output language
(``lang``: its words and number style)::

    report: 300/1,000 accounts (30 %), 4 s
    controller: running, 10 s
    controller: done, 14 s
    Arbeitsmappen schreiben: 3.000/10.000 Arbeitsmappen (30 %), 95 s

A command of several phases (``generate``: reading the data book, scanning the folder, writing the
workbooks, the controller) shows one after the other; :class:`Phases` switches from one to the next as a
callback ``(phase, done, total)`` names them. Two phases may also run at once (``generate --jobs 2`` writes the
controller while the plans are written): on a terminal each is a line of the same bar display (rich shows one
live display per console), without one each prints its own plain lines, each with its label::

    Arbeitsmappen schreiben: 2.000/10.000 Arbeitsmappen (20 %), 60 s
    Controller-Arbeitsmappe: 9/20 Schritte (45 %), 61 s
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from kam_xl.cli_words import number, say
from kam_xl.vocabulary import Lang

T = TypeVar("T")

#: a plain line at each further tenth of the count …
STEPS = 10
#: … and at least every this many seconds while the phase runs …
EVERY_S = 10.0
#: … once it has run this long (a phase done sooner prints no plain line)
QUIET_S = 2.0


def step_due(done: int, total: int, last: int, steps: int = STEPS) -> bool:
    """True when ``done`` of ``total`` has passed a further 1/``steps`` of the count since ``last`` was shown, or
    is the end (in whole numbers: no float rounding at the step borders).

    >>> [d for d in range(1, 31) if step_due(d, 30, d - 1)]
    [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    """
    if total <= 0 or done >= total:
        return done != last
    return done * steps // total > last * steps // total


class _LiveBars:
    """The one rich bar display per console that every phase running at once on a terminal adds its line to
    (rich allows one live display per console): started by the first phase, stopped when the last ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shown: dict[int, tuple[Progress, int]] = {}  # id(console) → (display, phases on it)

    def join(self, console: Console) -> Progress:
        """The display on ``console`` (started if no phase shows one), with one more phase on it."""
        with self._lock:
            bar, users = self._shown.get(id(console), (None, 0))
            if bar is None:
                bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), _Bar(), _Count(),
                               TimeElapsedColumn(), console=console, transient=True)
                bar.start()
            self._shown[id(console)] = (bar, users + 1)
            return bar

    def leave(self, console: Console) -> None:
        """One phase fewer on ``console``'s display; the last one stops it."""
        with self._lock:
            bar, users = self._shown[id(console)]
            if users > 1:
                self._shown[id(console)] = (bar, users - 1)
                return
            del self._shown[id(console)]
            bar.stop()


_LIVE = _LiveBars()


class PhaseProgress:
    """``with PhaseProgress("report", console, total=n, unit="accounts") as p: … p.advance()``: the progress of
    one phase on ``console`` (stderr) — a bar on a terminal, plain lines otherwise (see the module docstring).
    ``total=None``: a phase without a count (a spinner, or a line every :data:`EVERY_S` seconds)."""

    def __init__(self, label: str, console: Console, total: int | None = None, unit: str = "",
                 every_s: float = EVERY_S, lang: Lang = "en") -> None:
        self.label, self.console, self.total, self.unit, self.every_s = label, console, total, unit, every_s
        self.lang = lang
        self.done, self._shown = 0, 0
        self._start = self._printed_at = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Progress | None = None
        self._task: int | None = None

    def __enter__(self) -> PhaseProgress:
        self._start = time.monotonic()
        if self.console.is_terminal:  # a line of the console's bar display (shared with a phase running beside it)
            self._bar = _LIVE.join(self.console)
            self._task = self._bar.add_task(self.label, total=self.total, unit=self.unit, lang=self.lang)
        else:
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()
        return self

    def advance(self, n: int = 1) -> None:
        """``n`` more of the count done."""
        with self._lock:
            last, self.done = self.done, self.done + n
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, completed=self.done)  # type: ignore[arg-type]
            elif self.total is not None and step_due(self.done, self.total, last):
                self._line()

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` (a count the phase learns as it runs), as a callback ``(done, total)``."""
        with self._lock:
            self.total = total
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, total=total)
        self.advance(done - self.done)

    def each(self, items: Iterable[T]) -> Iterator[T]:
        """``items`` passed through, one :meth:`advance` after each."""
        for item in items:
            yield item
            self.advance()

    def _line(self, state: str | None = None) -> None:
        seconds = time.monotonic() - self._start
        if seconds < QUIET_S:
            return
        if state is None and self.total is not None:
            # rounded down: 998 of 1,000 is 99 %, never "100 %" before the last item
            pct = f" ({self.done * 100 // self.total} %)" if self.total else ""
            state = f"{number(self.done, self.lang)}/{number(self.total, self.lang)} {self.unit}".rstrip() + pct
        self.console.print(f"{self.label}: {state or say('running', self.lang)}, {seconds:.0f} s", markup=False,
                           highlight=False, soft_wrap=True)
        self._shown, self._printed_at = self.done, time.monotonic()

    def _beat(self) -> None:
        # a line every every_s seconds without one: not right after a step's line (the same line twice)
        while not self._stop.wait(self.every_s):
            with self._lock:
                if time.monotonic() - self._printed_at >= self.every_s / 2:
                    self._line()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            if self._task is not None:
                self._bar.remove_task(self._task)  # type: ignore[arg-type]
            _LIVE.leave(self.console)
            return
        with self._lock:
            if kind is not None:
                return
            if self.total is None:
                self._line(say("done", self.lang))
            elif self._shown != self.done or not self.done:
                self._line()


class _Bar(BarColumn):
    """The bar of a phase with a count; nothing for a phase without one (its spinner and time say it runs)."""

    def render(self, task: Task) -> Text:  # type: ignore[override]
        return Text("") if task.total is None else super().render(task)  # type: ignore[return-value]


class _Count(ProgressColumn):
    """The bar's "done/total unit" (the task's fields ``unit`` and ``lang``), the numbers in the language's style;
    nothing for a phase without a count."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        lang = task.fields.get("lang", "en")
        done, total = number(int(task.completed), lang), number(int(task.total), lang)
        return Text(f"{done}/{total} {task.fields.get('unit', '')}".rstrip())


class Phases:
    """The phases of one command, one after the other on ``console``: ``phases(phase, done, total)`` shows
    ``done`` of ``total`` of the phase ``phase`` (a key of ``labels``: phase → (label, unit)) — a new phase
    ends the one before (its last line printed, see :class:`PhaseProgress`); :meth:`close` (or leaving the
    ``with`` block) ends the last. Usable as the ``progress`` callback of a batch function."""

    def __init__(self, console: Console, labels: dict[str, tuple[str, str]], lang: Lang = "en") -> None:
        self.console, self.labels, self.lang = console, labels, lang
        self.phase: str | None = None
        self._shown: PhaseProgress | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            label, unit = self.labels[phase]
            self.phase, self._shown = phase, PhaseProgress(label, self.console, total, unit, lang=self.lang)
            self._shown.__enter__()
        assert self._shown is not None
        self._shown.update(done, total)

    def close(self) -> None:
        """End the phase shown (if any)."""
        if self._shown is not None:
            self._shown.__exit__(None, None, None)
        self.phase, self._shown = None, None

    def __enter__(self) -> Phases:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._shown is not None:
            self._shown.__exit__(kind, exc, tb)
        self.phase, self._shown = None, None
