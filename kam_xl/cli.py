"""The ``kam-xl`` command line (typer + rich).

Exit codes: 0 success, 2 bad input (data book problems, invalid options), 1 anything unexpected. The batch
commands ``generate`` and ``collect``, which handle many files each on its own: 0 all done, 2 some file listed
(skipped, not written, a duplicate, invalid input) and the rest done, 1 stopped before any work (bad options,
a data book that cannot be used, an output folder that cannot be made).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from kam_xl import relationships as rel
from kam_xl import report as rep
from kam_xl import sql
from kam_xl.addin.settings import ServerConfigError, ServerSettings, help_text
from kam_xl.cli_words import count, number, plural, say
from kam_xl.databook import DataBook, DataBookError, demo_databook, read_databook, write_databook
from kam_xl.errors import KamInputError, describe
from kam_xl.excellence import load_catalogue
from kam_xl.files import NotWrittenError, fs_reason, os_error_of
from kam_xl.heap import give_back, keep_large_blocks_apart
from kam_xl.portfolio import PortfolioInput, big_step_or_out
from kam_xl.progress import PhaseProgress, Phases
from kam_xl.report_numbers import Numbers as _Numbers
from kam_xl.report_tables import fit_table
from kam_xl.resources import TargetWeights
from kam_xl.vocabulary import BAND_WORDS, Lang
from kam_xl.workbook.layout import pick

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from kam_xl.batch import CellProblem, XlsmBook

#: How ``--help`` names a value's type (typer shows ``<str>``, ``<bool>`` for a flag and ``{folder}`` for a
#: required argument): click's own words, choices as ``[a|b]``, nothing for a flag.
_TYPE_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH", "file": "FILE",
               "directory": "DIRECTORY", "int range": "INTEGER", "float range": "FLOAT"}


def _metavar(param: Any, ctx: Any) -> str:
    """The word ``--help`` shows for ``param``'s value: ``""`` for a flag, ``[de | en]`` for a choice (spaced, so
    that a narrow terminal wraps between choices, never inside one), ``TEXT``, ``PATH`` … otherwise (a required
    argument by its name, as ``FOLDER``)."""
    if getattr(param, "is_flag", False):
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return (param.name or "").upper()
    shown = param.display_type(ctx).strip("<>")
    return f"[{' | '.join(shown.split('|'))}]" if "|" in shown else _TYPE_WORDS.get(shown, shown.upper())


def _reflow(text: str | None) -> str | None:
    """A docstring as ``--help`` shows it: its paragraphs (separated by a blank line) kept, the line breaks of
    the source inside a paragraph made spaces, so that the terminal wraps the sentences at its own width.

    >>> _reflow("Write the plans\\n    into OUT.\\n\\n    Exit codes: 0.")
    'Write the plans into OUT.\\n\\nExit codes: 0.'
    """
    if text is None:
        return None
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _tidy(params: list[Any], ctx: Any) -> list[Any]:
    """``params`` with the words ``--help`` shows set (:func:`_metavar`; an argument's type column PATH, not
    ``<path>``)."""
    for p in params:
        if getattr(p, "param_type_name", "") == "argument" and p.metavar is None:
            word = _TYPE_WORDS.get(p.display_type(ctx).strip("<>"), "")
            p.display_type_rich = lambda ctx, word=word: word
        if p.metavar is None or getattr(p, "is_flag", False):
            p.metavar = _metavar(p, ctx)
    return params


class _Command(TyperCommand):
    """Every kam-xl command: ``--help`` without typer's ``<bool>``/``<str>``/``{folder}`` placeholders (see
    :func:`_metavar`), choices shown, the docstring reflowed (:func:`_reflow`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _reflow(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _tidy(super().get_params(ctx), ctx)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for p in self.get_params(ctx):
            if getattr(p, "param_type_name", "") == "argument":
                pieces.append(p.metavar if p.required else f"[{p.metavar}]")
        return pieces


class _Group(TyperGroup):
    """The kam-xl app and its sub-apps: ``--help`` as :class:`_Command`'s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _reflow(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _tidy(super().get_params(ctx), ctx)


class _Typer(typer.Typer):
    """A typer app (:class:`_Group`) whose commands are :class:`_Command` s unless they name their own class."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=_Group, **kwargs)

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


app = _Typer(help="kam_xl — key account management methods in Excel.", no_args_is_help=True,
             add_completion=False)
# Piped output (CI logs, files) gets a wide table instead of rich's 80-column default.
# markup off: account names, paths and respondents come from the data and are printed as they are (printed as rich
# markup, "[/x]" in one ended a run in a traceback, "[bold]" vanished); styles are given as rich Text
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)
EXIT_INPUT = 2
#: generate/collect: stopped before any work (bad options or data book); 2 there means "files listed, rest done"
EXIT_STOPPED = 1
MAX_PROBLEMS_SHOWN = 200


class What(StrEnum):
    """The views of ``kam-xl report``."""

    accounts = "accounts"
    resources = "resources"
    excellence = "excellence"
    relationships = "relationships"
    programme = "programme"


class Language(StrEnum):
    """The languages of what a command writes or prints (``--lang``)."""

    de = "de"
    en = "en"


LangOption = Annotated[Language, typer.Option("--lang", help="language: de (German) or en (English)")]
_FOLDER_LANG = ("language: de (German) or en (English); default: that of the folder's controller workbook (its "
                "setting for the account workbooks{}), else that of the folder's account plans, else de")
#: ``--lang`` of generate and collect, which write into a folder: by default its language (:func:`_folder_lang`)
FolderLangOption = Annotated[Language | None, typer.Option("--lang", help=_FOLDER_LANG.format(""))]
CollectLangOption = Annotated[Language | None, typer.Option("--lang", help=_FOLDER_LANG.format(
    "; with --to an existing controller, that one's"))]


def _folder_lang(controller: Path, plans: Path) -> Lang:
    """The language of a run into the folder ``plans`` whose inputs are carried from the controller workbook
    ``controller``: the controller's setting for the account workbooks (``ctl_lang``, as typed into it), else the
    language it is written in; without a readable controller the language of the folder's account plans (the
    first that can be read); German when neither tells. A run without ``--lang`` turned an English folder
    German — every plan regenerated, the controller rewritten in German (users' trials)."""
    from kam_xl.workbook.controller import TEMPLATE_ID
    from kam_xl.workbook.names import WorkbookError, read_named

    try:
        nv = read_named(controller, names={"ctl_lang"}) if controller.is_file() else None
    except (WorkbookError, OSError):
        nv = None
    told = (nv.values.get("ctl_lang"), nv.meta.get("lang")) if nv and nv.meta.get("template_id") == TEMPLATE_ID \
        else (_plans_lang(plans),)
    for value in told:
        if isinstance(value, str) and value.strip().lower() in ("de", "en"):
            return "en" if value.strip().lower() == "en" else "de"
    return "de"


def _meta_of(path: Path) -> dict[str, str]:
    """The ``_meta`` of the workbook at ``path`` (that sheet alone is read); empty for a file that is missing,
    cannot be read as an .xlsx (damaged, empty, another format) or is no kam_xl workbook."""
    from kam_xl.package import PackageError, xlsx_meta

    try:
        return xlsx_meta(path)
    except (PackageError, OSError):
        return {}


def _plans_lang(folder: Path, tries: int = 3) -> str | None:
    """The language the first readable account plan of ``folder`` is written in (``_meta`` alone, a millisecond
    a plan; at most ``tries`` files looked at), ``None`` when none tells."""
    from kam_xl.workbook.account_plan import TEMPLATE_ID as PLAN_ID

    try:
        names = sorted(p for p in folder.glob("*.xlsx") if p.is_file())
    except OSError:
        return None
    metas = (_meta_of(p) for p in names[:tries])
    return next((m.get("lang") for m in metas if m.get("template_id") == PLAN_ID), None)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


def _fail(problems: list[str], code: int = EXIT_INPUT) -> typer.Exit:
    err.print(Text(f"{len(problems)} problem(s):", style="bold red"))
    _bullets(problems)
    return typer.Exit(code)


def _bullets(lines: list[str]) -> None:
    """``lines`` on stderr, one bullet each: on a terminal at most :data:`MAX_PROBLEMS_SHOWN` and then how many
    more and how to see them; all of them when stderr goes to a file or a pipe (a data book with thousands of
    problems was fixed 200 at a time)."""
    most = MAX_PROBLEMS_SHOWN if err.is_terminal else len(lines)
    for line in lines[:most]:
        err.print(f"  • {line}", highlight=False)
    if len(lines) > most:
        err.print(f"  … and {len(lines) - most} more — all of them into a file: 2> problems.txt", highlight=False)


def _data(data: str | None, schema: str | None = None, code: int = EXIT_INPUT) -> str | Path | None:
    """``--data`` as the readers take it: a database (URL or .db/.sqlite/.sqlite3 path, with ``--db-schema``
    attached) as text, a file or folder as a path."""
    if data is None:
        if schema:
            raise _fail(["--db-schema without --data — allowed: with a database URL or .db file"], code)
        return None
    if sql.is_database(data):
        return sql.with_schema(data, schema)
    if schema:
        raise _fail([f"--db-schema {schema!r} with a data book that is not a database — allowed: with a "
                     "database URL (sqlite:///…, postgresql+psycopg://…) or a .db/.sqlite/.sqlite3 file"], code)
    return Path(data)


def _load(data: str | Path | None, catalogue: Path | None, code: int = EXIT_INPUT) -> DataBook:
    """The data book (the demo data without ``data``), or :func:`_fail` with every problem and exit ``code``."""
    try:
        cat = load_catalogue(catalogue) if catalogue else None
        db = demo_databook() if data is None else read_databook(data, cat)
    except DataBookError as e:
        raise _fail([str(p) for p in e.problems], code) from None
    except (ValueError, OSError) as e:
        raise _fail([describe(e)], code) from None
    except Exception as e:  # a malformed file must never end in a traceback, whatever the reader raises
        shown, why = (sql.safe_reference(data), sql.why(e, data)) if sql.is_database(data) else (data, e)
        raise _fail([f"{shown}: cannot be read as a data book ({type(e).__name__}: {why}) — allowed: an .xlsx with "
                     "one sheet per table or a folder of CSV/Parquet files"], code) from None
    # say how a file was read when it was not the expected UTF-8 — under a heading: a bare bullet on stderr looked
    # like a problem to a trial's user, though nothing was wrong
    notes = [n for n in db.notes if not n.split(": ", 1)[1].startswith("UTF-8") or "sep= line" in n]
    if notes:
        err.print("note — how the data book's files were read:", highlight=False)
    for note in notes:
        err.print(f"  • {note}", highlight=False)
    return db


def _cell_line(problem: tuple[str, str, str, str | float, str]) -> str:
    """A problem of a cell as ``generate`` and ``collect`` list it — ``<file>, sheet <sheet>, cell <cell>: value
    <value>: <what is wrong, what is allowed>`` —, one of a whole file (no sheet, no cell) as its text alone, one
    whose place the file does not say (no sheet) by the name it was read by."""
    file, sheet, cell, value, what = problem
    if not cell:
        return what
    return f"{file}, {f'sheet {sheet}, cell {cell}' if sheet else cell}: value {_short(value)}: {what}"


def _short(value: str | float, limit: int = 80) -> str:
    """A cell's value as a problem line shows it: a number as typed (``150``), a text quoted (a trailing space
    stays visible), a long text cut with its length said — collect_errors.csv keeps it whole.

    >>> _short("Blau 86 "), _short("x" * 1001)[-22:], _short(150), _short(1e-07)
    ("'Blau 86 '", "x…' (1,001 characters)", '150', '1e-07')
    """
    if not isinstance(value, str):
        return repr(value)
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}"[:-1] + f"…' ({len(value):,} characters)"


def _write_error_report(report: Path, problems: list[CellProblem],
                        skipped: list[tuple[str, str]], not_written: list[str]) -> Path | str:
    """``collect_errors.csv``: every problem (file, sheet, cell, value, what is allowed), every skipped file and
    every output ``not_written`` names (``"<file>: not written — <why>"``: the controller open in Excel, a full
    disk …). Returns its path, or ``"not written"`` with the file-system fault added to ``not_written``."""
    from kam_xl.csvio import write_csv

    unwritten = [(file, "", "", "", why) if why else ("", "", "", "", fault)
                 for fault in not_written for file, _, why in [fault.partition(": ")]]
    try:
        write_csv(report, ["file", "sheet", "cell", "value", "problem"],
                  [*problems, *((file, "", "", "", f"skipped: {why}") for file, why in skipped), *unwritten])
    except Exception as e:
        not_written.append(_not_written(report, e))
        return "not written"
    return report


#: suffixes of files ``collect --export`` does not write (it writes an .xlsx, or a folder of CSV files by any other
#: name): such a name is a file the user meant, not a folder
_FILE_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".json", ".zip", ".xlsm", ".xls", ".xlsb", ".ods", ".pdf"})


def _write_export(collected: DataBook, target: Path, replace: bool, not_written: list[str]) -> Path | str:
    """The tidy export written to ``target``; ``"not written"`` (the reason in ``not_written``) if it cannot be."""
    try:
        return write_databook(collected, target, replace=replace)
    except KamInputError as e:
        not_written.append(str(e))
    except Exception as e:
        not_written.append(_not_written(target, e))
    return "not written"


def _not_written(path: Path, e: BaseException) -> str:
    """``"<file>: not written — <reason>"`` for a file-system fault; anything else is re-raised."""
    ose = os_error_of(e)
    if ose is None:
        raise e
    return f"{path.name}: not written — {fs_reason(ose)}"


# click's UsageError as typer raises it (recent typer versions carry their own copy of click)
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class _BatchCommand(_Command):
    """generate and collect: a usage error (an unknown option, ``--jobs 0``) stops the command before any work
    and exits 1, so that 2 always means "some files listed, the rest done"."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERROR as e:
            e.exit_code = EXIT_STOPPED  # type: ignore[attr-defined]
            raise


def _xlsm_book() -> XlsmBook:
    """The add-in's builder of the macro-enabled controller, for the batch functions that write one."""
    from kam_xl.addin.xlsm import controller_xlsm_book

    return controller_xlsm_book


DataOption = Annotated[str | None, typer.Option("--data", help="data book: .xlsx, a folder of CSV/Parquet "
                                                               "files, or a database (sqlite:///kam.db, kam.db, "
                                                               "postgresql+psycopg://user@host/db; credentials "
                                                               "from the URL or PG* variables); the demo data "
                                                               "when absent")]
SchemaOption = Annotated[str | None, typer.Option("--db-schema", help="the database schema of the data-book "
                                                                      "tables (default: the database's default)")]
CatalogueOption = Annotated[Path | None, typer.Option("--catalogue-extension",
                                                      help="a CSV/JSON file with the company's own criteria")]


@app.command()
def report(
    data: DataOption = None,
    what: Annotated[What, typer.Option(help="which view")] = What.accounts,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
    step: Annotated[float, typer.Option(help="rounding step of target FTE")] = 0.5,
    revenue_weight: Annotated[float, typer.Option(help="weight of revenue share in the target share "
                                                       "(potential share gets 1 − this)")] = 0.0,
    catalogue_extension: CatalogueOption = None,
    db_schema: SchemaOption = None,
    lang: Annotated[Language, typer.Option("--lang", help="labels and number style of the table: de (German, "
                                                          "1.234,5) or en (English, 1,234.5)")] = Language.de,
) -> None:
    """Compute everything for a data book and print it: CDB, KAOP and Kgb per account, the resource
    distribution, the excellence scores, the relationship and team tools per account (buying center,
    contacts, RACI, SWOT, KASP), or the KAM programme tools (selection, ABC/XYZ, coordination, organisation
    decisions, St. Gallen)."""
    db = _load(_data(data, db_schema), catalogue_extension)
    try:
        if what is What.accounts:
            result: object = _account_reports(db, fmt, lang.value)  # type: ignore[arg-type]
            if result is None:
                return
        elif what is What.resources:
            if not 0 <= revenue_weight <= 1:
                raise KamInputError(f"--revenue-weight {revenue_weight:g} — allowed: 0 to 1")
            weights = TargetWeights(potential=1 - revenue_weight, revenue=revenue_weight)
            result = rep.resources_report(db, weights, step)
        elif what is What.relationships:
            result = rel.relationships_report(db)
        elif what is What.programme:
            from kam_xl.programme import programme_report

            result = programme_report(db)
        else:
            result = rep.excellence_report(db, load_catalogue(catalogue_extension)
                                           if catalogue_extension else None)
    except ValueError as e:
        raise _fail([describe(e)]) from None
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rep.to_jsonable(result), indent=2, ensure_ascii=False) + "\n")
        return
    if result is None or (what is What.relationships and not result):
        out.print(pick(lang.value, f"Das Datenbuch enthält keine Daten für {what.value}.",
                       f"The data book has no {what.value} data."))
        return
    {What.accounts: _print_accounts, What.resources: _print_resources, What.excellence: _print_excellence,
     What.relationships: _print_relationships, What.programme: _print_programme,
     }[what](result, lang.value)  # type: ignore[operator]


def _account_reports(db: DataBook, fmt: Format, lang: Lang) -> list[rep.AccountReport] | None:
    """The account reports with the progress on stderr; for ``--format json`` they are written to stdout one
    by one as they are computed (the same text as one ``json.dumps(…, indent=2)``) and ``None`` returned."""
    with PhaseProgress(say("phase_report", lang), err, total=len(db.accounts), unit=plural("account", lang),
                       lang=lang) as progress:
        reports = progress.each(rep.iter_account_reports(db))
        if fmt is not Format.json:
            return list(reports)
        for chunk in rep.iter_json_array(reports):  # rounded as rep.to_jsonable does, while written
            sys.stdout.write(chunk)
        sys.stdout.write("\n")
        sys.stdout.flush()
    return None


def _print_table(table: Table, lang: Lang, keys: int = 1) -> None:
    """Print a report table at the console's width, split into parts repeating the first ``keys`` columns when
    it is too wide, so that no header or value is cut (:func:`kam_xl.report_tables.fit_table`)."""
    for part in fit_table(table, out, keys, lang):
        out.print(part)


def _print_accounts(rows: list[rep.AccountReport], lang: Lang) -> None:
    n, t_ = _Numbers(lang), partial(pick, lang)
    t = Table(title=t_("Key Accounts — CDB (letztes Jahr), KAOP-Plan, Kgb",
                       "Key accounts — CDB (latest year), KAOP plan, Kgb"), header_style="bold")
    for col, justify in ((t_("Kunde", "Account"), "left"), ("Name", "left"), (t_("Jahr", "Year"), "right"),
                         (t_("Nettoumsatz", "Net sales"), "right"), ("CDB III", "right"), ("CDB III %", "right"),
                         ("Band", "left"), (t_("Plan-Umsatz", "Plan revenue"), "right"),
                         (t_("Plan-Profit", "Plan profit"), "right"), (t_("Profit %", "Profit %"), "right"),
                         (t_("Kgb (eigener Rang)", "Kgb (own rank)"), "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        kgb = "–"
        if r.kgb:
            parts = []
            for seg, s in r.kgb.items():
                pos = f"{s.rank.index(s.own) + 1}/{len(s.rank)}" if s.own in s.rank else t_("unvollständig",
                                                                                          "incomplete")
                parts.append(f"{seg}: {pos}")
            kgb = "; ".join(parts)
        loss = r.cdb is not None and r.cdb.cdb_iii < 0
        band = r.portfolio.band if r.portfolio else None
        t.add_row(r.account_id, r.name, str(r.cdb.year) if r.cdb else "–",
                  n.money(r.cdb.net_sales if r.cdb else None),
                  Text(n.money(r.cdb.cdb_iii), style="red") if loss and r.cdb
                  else n.money(r.cdb.cdb_iii if r.cdb else None),
                  n.pct(r.cdb.cdb_iii_rel if r.cdb else None), BAND_WORDS[lang][band] if band else "–",
                  n.money(r.kaop.total.revenue if r.kaop else None),
                  n.money(r.kaop.total.profit if r.kaop else None),
                  n.pct(r.kaop.total.profit_rel if r.kaop else None), kgb)
    _print_table(t, lang)
    by_id = {r.account_id: r for r in rows}
    losers = [by_id[x.account_id] for x in big_step_or_out([  # largest loss first, as the controller lists them
        PortfolioInput(account_id=r.account_id, share_of_wallet=0, potential=0,
                       cdb_iii=r.cdb.cdb_iii if r.cdb else None) for r in rows])]
    if losers:
        named = ", ".join(f"{r.account_id} {r.name} ({n.money(r.cdb.cdb_iii)})" for r in losers if r.cdb)
        out.print(Text.assemble(("Big Step or Out", "bold"), t_(" (negativer CDB III): ", " (negative CDB III): "),
                                named), soft_wrap=False)  # wrapped at the output's width like the tables


def _print_resources(r: rep.ResourcesReport, lang: Lang) -> None:
    n, t_ = _Numbers(lang), partial(pick, lang)
    t = Table(title=t_(f"Ressourcenverteilung — Ziel nach Potenzial, Schritt {n.fixed(r.step, None)} MAK "
                       "(Mitarbeiterkapazität)",
                       f"Resource distribution — target by potential, step {n.fixed(r.step, None)} FTE"),
              header_style="bold")
    for col in ("Region", t_("Kunde", "Account"), t_("Ist-MAK", "Actual FTE"), t_("Ziel-MAK", "Target FTE"),
                "Delta", t_("Ressourcenanteil", "Resource share"), t_("Potenzialanteil", "Potential share"),
                t_("Konsistenz", "Consistency")):
        t.add_column(col, justify="left" if col in ("Region", "Kunde", "Account") else "right")
    for c in r.cells:
        t.add_row(c.region, c.account_id or "Small Accounts", n.fixed(c.actual_fte), n.fixed(c.target_fte),
                  n.fixed(c.delta_fte), n.pct(c.resource_share), n.pct(c.potential_share), n.fixed(c.consistency, 2))
    for g in r.regions:
        t.add_row(Text(g.region, style="bold"), Text(t_("Summe Region", "region total"), style="bold"),
                  n.fixed(g.actual_fte),
                  n.fixed(g.target_fte), n.fixed(g.delta_fte), "", "", t_("Markt ", "market ") + n.pct(g.market_share))
    _print_table(t, lang, keys=2)
    out.print(Text.assemble(t_("Anteil der Ressourcen, der zum Potenzial verschoben werden müsste: ",
                               "Share of resources that would have to move to match potential: "),
                            (n.pct(r.moved_share), "bold")))


def _print_excellence(r: rep.ExcellenceReport, lang: Lang) -> None:
    n, t_ = _Numbers(lang), partial(pick, lang)
    t = Table(title=t_(f"KAM-Excellence (Katalog {r.catalogue_version})", f"KAM-Excellence (catalogue "
                       f"{r.catalogue_version})"), header_style="bold")
    dims = list(r.respondents[0].dimensions) if r.respondents else []
    left = (t_("Befragte(r)", "Respondent"), t_("Rolle", "Role"), t_("Dünn belegt", "Thin"))
    for col in (left[0], left[1], *dims, t_("Gesamt", "Overall"), t_("Abdeckung", "Coverage"), left[2],
                t_("Unbelegt 75/100", "Unsupported 75/100")):
        t.add_column(col, justify="left" if col in left else "right")
    for p in r.respondents:
        t.add_row(p.respondent, p.role, *(n.fixed(p.dimensions[d]) for d in dims), n.fixed(p.overall),
                  n.pct(p.coverage), ", ".join(p.thin) or "–", str(len(p.unsupported)))
    _print_table(t, lang)
    split = [cid for cid, c in r.consolidated.items() if c.disagreement]
    out.print(t_("Kriterien mit Uneinigkeit (Spanne ≥ 50 Punkte): ",
                 "Criteria with disagreement (spread ≥ 50 points): ") + (", ".join(split) or t_("keine", "none")))


def _print_programme(r: Any, lang: Lang = "en") -> None:
    """The programme view: selection and ABC/XYZ per account, then coordination, decisions and St. Gallen."""
    from kam_xl.programme import selection_lines, selection_table

    _print_table(selection_table(r, lang), lang)
    for line in selection_lines(r, lang):
        out.print(line)
    if r.coordination is not None and r.decisions is not None and r.st_gallen is not None:
        from kam_xl.report_org import org_tables

        for part in org_tables(r.coordination, r.decisions, r.st_gallen, lang):
            _print_table(part, lang)


def _print_relationships(rows: list[rel.AccountRelationships], lang: Lang = "en") -> None:
    t_ = partial(pick, lang)
    t = Table(title=t_("Beziehungen und Team — je Kunde (Planjahr)",
                       "Relationships and team — per account (plan year)"), header_style="bold")
    t.add_column(t_("Kunde", "Account"), justify="left")
    for head in rel.TABLE_HEADS:
        t.add_column(t_(*head), justify="right")
    for r in rows:
        t.add_row(r.account_id, *rel.table_cells(r, lang))
    _print_table(t, lang)
    out.print(t_("Touchpoints = geplant/erledigt im Planjahr; unter/über = Mitglieder, deren geplante Touchpoints "
                 "ihre Mindest-/Höchstzahl an Kontakten verfehlen; – = keine Daten für diesen Teil.",
                 "Touchpoints = planned/done in the plan year; below/above = members whose planned touchpoints miss "
                 "their min/max contacts; – = no data for that part."))
    problems = [(r.account_id, rel.problem_lines(r, lang)) for r in rows]
    for account_id, lines in problems:
        if lines:
            out.print(Text(account_id, style="bold"))
            for line in lines:
                out.print(f"  • {line}", highlight=False)
    if not any(lines for _, lines in problems):
        out.print(t_("Keine Probleme gefunden.", "No problems found."))


@app.command(cls=_BatchCommand)
def generate(
    data: DataOption = None,
    out_to: Annotated[str, typer.Option("--out", help="output folder, or an fsspec URL (s3://bucket/plans; "
                                                   "extra cluster and the filesystem's package)")] = "kam_xl_out",
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="parallel processes")] = 1,
    lang: FolderLangOption = None,
    questionnaires: Annotated[bool, typer.Option("--questionnaires", help="also one excellence questionnaire "
                                                                        "per respondent, in OUT/Fragebogen")] = False,
    db_schema: SchemaOption = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="run the per-account work on this Dask "
                                                                      "cluster (tcp://host:8786); its workers need "
                                                                      "kam_xl, the data book and OUT at the same "
                                                                      "paths or URL")] = None,
    force: Annotated[bool, typer.Option("--force", help="regenerate every plan and the controller, also "
                                                        "those whose data and template version are "
                                                        "unchanged")] = False,
) -> None:
    """Write one account plan per account into OUT (and, if asked, one questionnaire per respondent).
    Existing workbooks are regenerated: every input a KAM typed is kept, conflicts (data changed where a KAM
    had typed) are listed in OUT/conflicts.csv, the old file is kept in OUT/_backup/. A plan whose data (the
    fingerprint in its _meta) and template version are unchanged is left as it is — not rewritten, no backup,
    counted as "unchanged"; --force regenerates it anyway. So is the controller workbook when its data book,
    language, template version and the inputs typed into it are those it was written with.

    Each file is handled on its own: an account with two files (a copy, a .ods beside the .xlsx), a plan in
    another format (save it as Excel Workbook), two accounts with the same file name, a damaged or foreign
    file, or a file the disk refuses (full, write-protected) is listed with its reason and nothing is written
    for it; the others are written.

    Exit codes: 0 all written; 2 some file listed, the rest written; 1 nothing done (bad options or data book).
    """
    if lang is None:
        from kam_xl.batch import CONTROLLER_FILE

        words: Lang = _folder_lang(Path(out_to) / CONTROLLER_FILE, Path(out_to)) if _output_url(out_to) is None \
            else "de"
    elif lang not in ("de", "en"):
        raise _fail([f"--lang {lang!r} — allowed: de or en"], EXIT_STOPPED)
    else:
        words = "en" if lang == "en" else "de"
    source = _data(data, db_schema, EXIT_STOPPED)
    with PhaseProgress(say("phase_read", words), err, lang=words):
        db = _load(source, None, EXIT_STOPPED)  # validate once, before any process starts
    from kam_xl.batch import remember_databook

    remember_databook(str(source) if source else None, db)  # read once: the run and its workers use it
    url = _output_url(out_to)
    out_dir = Path(out_to)
    if url is None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _fail([f"{out_dir}: the output folder cannot be made — {fs_reason(e)}"], EXIT_STOPPED) from None
    controller = _ControllerStep(db, url, out_dir, words, not force)
    left_alone: list[str] = []
    results = _generate_workbooks(db, source, url, out_dir, words, jobs, questionnaires, scheduler, not force,
                                  controller, left_alone)
    report, not_written = _conflict_report(results, url, out_dir)
    not_written += controller.not_written
    _print_generated(results, url or out_dir, report, controller.path, words)
    if left_alone:  # not a fault of the run (exit code as it is): what a user may wonder about in the folder
        err.print(say("left_alone", words, n=number(len(left_alone), words)), highlight=False)
        _bullets(left_alone)
    errors = [p for r in results for p in r.problems] + controller.problems() + not_written
    if errors:
        raise _fail(errors)


def _print_generated(results: list[Any], out_to: str | Path, report: Path | None, controller: Path | str | None,
                     lang: Lang) -> None:
    """``generate``'s table and summary lines, in ``lang``: the table has one row per workbook — of a run of more
    than :data:`TABLE_ALL_ROWS_MAX` workbooks only those with something to look at (:func:`_to_look_at`), and a
    line says how many others it leaves out."""
    listed = results if len(results) <= TABLE_ALL_ROWS_MAX else [r for r in results if _to_look_at(r)]
    title = f"kam-xl generate → {out_to}"
    if not listed:
        out.print(title, highlight=False)
    else:
        t = Table(title=title, header_style="bold")
        for col in ("col_key", "col_file", "col_status", "col_conflicts", "col_backup"):
            t.add_column(say(col, lang), overflow="fold")  # a file's or backup's name wraps, never cut with "…"
        for r in listed:
            status = say(f"status_{r.status}", lang)
            t.add_row(r.account_id, r.path.name, Text(status, style="red") if r.status == "error" else status,
                      str(len(r.conflicts)) if r.conflicts else "–", r.backup.name if r.backup else "–")
        out.print(t)
    if len(listed) < len(results):
        out.print(say("rows_left_out", lang, n=number(len(results) - len(listed), lang),
                      most=number(TABLE_ALL_ROWS_MAX, lang)), highlight=False)
    tally = {s: sum(1 for r in results if r.status == s) for s in ("new", "regenerated", "unchanged", "error")}
    counts = {s: number(n, lang) for s, n in tally.items()}
    why = say("unchanged_why", lang) if tally["unchanged"] else ""
    out.print(say("generated", lang, **counts, why=why, report=f" → {report}" if report else "",
                  conflicts=count(sum(len(r.conflicts) for r in results), "conflict", lang)), highlight=False)
    out.print(say("controller", lang, path=controller or say("not_written", lang)), highlight=False)


#: up to this many workbooks ``generate``'s table lists every one; above, only those with something to look at —
#: a table of 10,000 rows saying "new" scrolls the rest away, and rich takes ≈ 6.5 s to lay it out
TABLE_ALL_ROWS_MAX = 100


def _to_look_at(result: Any) -> bool:
    """Whether a workbook of ``generate`` has something to look at: not written, or regenerated with conflicts — not
    one new, left unchanged or regenerated without a conflict (the usual rerun on new data: listed, its few
    conflicts were buried among a thousand rows; the summary counts them, ``_backup/`` holds the old files)."""
    return result.status == "error" or bool(result.conflicts)


def _generate_workbooks(db: DataBook, source: str | Path | None, url: str | None, out_dir: Path, lang: str,
                        jobs: int, questionnaires: bool, scheduler: str | None, skip_unchanged: bool,
                        alongside: Callable[[], None] | None = None, left_alone: list[str] | None = None
                        ) -> list[Any]:
    """Every plan (and questionnaire) of ``generate`` written, with a progress bar on a terminal; a cluster or an
    output URL that cannot be used stops the command (exit 1) before anything is written. ``alongside`` (the
    controller, :class:`_ControllerStep`) runs beside the plans with ``--jobs`` > 1, else after them
    (:func:`kam_xl.batch.generate_all`); the plans' phase ends with its last plan."""
    from kam_xl.batch import generate_all
    from kam_xl.workbook.account_plan import ACCOUNT_ROLE

    results = []
    total = len(db.accounts) + (sum(r.role != ACCOUNT_ROLE for r in db.responses()) if questionnaires else 0)
    words: Lang = "en" if lang == "en" else "de"
    labels = {"scan": (say("phase_scan", words), plural("file", words)),
              "compare": (say("phase_compare", words), plural("plan", words)),
              "plans": (say("phase_plans", words), plural("workbook", words))}
    with Phases(err, labels, words) as progress:
        try:
            for r in generate_all(str(source) if source else None, url or out_dir, words, jobs,
                                  questionnaires=questionnaires, scheduler=scheduler,
                                  skip_unchanged=skip_unchanged, progress=progress, alongside=alongside,
                                  left_alone=left_alone):
                results.append(r)
                progress("plans", len(results), total)
                if len(results) == total:  # its last line now, not after a controller still being written
                    progress.close()
        except OSError as e:
            if url is None:
                raise
            raise _fail([f"{url}: the output folder cannot be listed — {fs_reason(e)}"], EXIT_STOPPED) from None
        except Exception as e:
            # kam_xl.cluster's (imported only with --scheduler) and kam_xl.storage's (a URL that cannot be used)
            if type(e).__name__ not in ("ClusterError", "StorageError"):
                raise
            raise _fail([str(e)], EXIT_STOPPED) from None
    return results


def _conflict_report(results: list[Any], url: str | None, out_dir: Path) -> tuple[Path | None, list[str]]:
    """conflicts.csv after the plans: its path (``None`` when there are no conflicts or it could not be written)
    and what could not be written."""
    from kam_xl.batch import write_conflict_report

    try:
        return _in_output(url, ["conflicts.csv"], out_dir, lambda d: write_conflict_report(results, d)), []
    except Exception as e:
        return None, [str(e) if isinstance(e, NotWrittenError) else _not_written(out_dir / "conflicts.csv", e)]


@dataclass
class _ControllerStep:
    """``generate``'s controller workbook, built from the data book alone — so it can be written while the plans
    are (:func:`kam_xl.batch.generate_all`'s ``alongside``). Calling it writes it (with its own progress line);
    then :attr:`path` is where (ending in "(unchanged)" when left as it is) or ``None``, and :attr:`not_written`
    why not, and :attr:`written` what was written (with the old controller's inputs not carried over,
    :meth:`problems`). With ``skip_unchanged`` a controller built from the same data, template version and inputs
    is left as it is (:func:`kam_xl.batch.controller_unchanged`). Whatever goes wrong is listed, never raised: the
    plans written beside it stay written and are reported."""

    db: DataBook
    url: str | None
    out_dir: Path
    lang: Lang
    skip_unchanged: bool = False
    path: Path | str | None = None
    not_written: list[str] = field(default_factory=list)
    written: Any = None  # kam_xl.batch.ControllerWritten, once written

    def problems(self) -> list[str]:
        """The lines naming each input of the old controller that the new one does not carry over (file, sheet,
        cell, value, what is allowed), and an old controller whose inputs could not be taken at all."""
        from kam_xl.batch import CONTROLLER_FILE, controller_cell_problems, controller_problems

        if self.written is None:
            return []
        return [_cell_line(p) for p in controller_cell_problems(controller_problems((), self.written),
                                                                 CONTROLLER_FILE)]

    def __call__(self) -> None:
        from kam_xl.batch import CONTROLLER_FILE

        left: list[Path] = []
        try:
            with PhaseProgress(say("phase_controller", self.lang), err, unit=plural("step", self.lang),
                               lang=self.lang) as progress:
                self.path = _in_output(self.url, [CONTROLLER_FILE], self.out_dir,
                                       lambda folder: self._write(folder / CONTROLLER_FILE, progress.update, left))
        except NotWrittenError as e:
            self.not_written.append(str(e))
        except Exception as e:  # one file never takes the run down: the plans are written, the controller listed
            self.not_written.append(f"{CONTROLLER_FILE}: not written — unexpected error ({type(e).__name__}: {e})")
        if self.path is not None and left:
            self.path = say("controller_unchanged", self.lang, path=self.path)
        elif self.path is not None and self.url is None and self.written is not None and self.written.backup:
            # where the inputs typed into the old one are, as collect's line says
            self.path = say("controller_backup", self.lang, path=self.path, backup=self.written.backup)

    def _write(self, target: Path, progress: Callable[[int, int], None], left: list[Path]) -> Path:
        from kam_xl.batch import controller_data_fingerprint, controller_unchanged, write_controller_result

        if self.skip_unchanged and target.exists() \
                and controller_unchanged(target, controller_data_fingerprint(self.db, self.lang)):
            left.append(target)
            return target
        self.written = write_controller_result(self.db, target, self.lang, xlsm_book=_xlsm_book(),  # type: ignore[arg-type]
                                               progress=progress)
        return self.written.path


def _output_url(out: str) -> str | None:
    """``--out`` as an fsspec URL (made absolute), or ``None`` for a local folder; a URL that cannot be opened
    (fsspec or its filesystem missing) stops the run before anything is written."""
    from kam_xl.storage import StorageError, UrlFolder, is_url  # fsspec itself only for a URL

    if not is_url(out):
        return None
    try:
        return UrlFolder(out).url
    except StorageError as e:
        raise _fail([str(e)], EXIT_STOPPED) from None


def _in_output(url: str | None, names: list[str], out_dir: Path, write: Callable[[Path], Path | None]
               ) -> Path | str | None:
    """``write(folder)`` in the local output folder, or staged for the objects ``names`` at ``url``."""
    if url is None:
        return write(out_dir)
    from kam_xl.storage import write_in

    return write_in(url, names, write)


def _collect_to_db(collected: DataBook, files: dict[tuple[str, str], str], to_db: str, lang: Lang = "de",
                   typed_in: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """``collect --to-db``: the tidy export into ``collected_<table>``, one transaction; a failure is listed
    (the database is as before) and the rest of collect goes on. Gives the line to print and the failures.
    ``typed_in``: the tables typed on the controller → its path (their rows' source)."""
    from datetime import UTC, datetime

    try:
        w = sql.write_collected(collected, files, to_db, datetime.now(UTC), typed_in)
    except sql.DatabaseError as e:
        return [], [str(e)]
    rows = ", ".join(f"{sql.COLLECTED_PREFIX}{t} {n}" for t, n in w.rows.items() if n)
    return [say("to_db", lang, db=sql.safe_reference(to_db), accounts=number(len(w.accounts), lang),
                respondents=number(len(w.respondents), lang), rows=rows or say("no_rows", lang))], []


class _ExportAside:
    """``collect``'s export (:func:`_write_export`) written in a process of its own while this one writes the
    controller: after the plans are read the command is one process's work, and the export is ≈ a quarter of
    it. A thread of this process first pickles the tables one by one into a temporary file (the spool) and lets
    go of the export — which holds what the controller step does not (the accounts with the data book's fields,
    the tables typed on the controller: ≈ 45 MiB at 10,000 accounts), so that the controller step does not come
    on top of it. Then the process (:mod:`kam_xl.databook.export_child`, which imports only the data-book writer)
    reads the spool as its stdin, one table at a time, writes the export and answers. When it cannot be started,
    ends without an answer (killed, out of memory) or fails otherwise than by a fault of the file system, one
    line says so and the export is written here after all from the spool (:meth:`result`), as without it; what
    the process printed (a traceback) is not shown — the line names its last line."""

    #: what the process runs (``python`` and these arguments; ``-P``: the current folder is not put on the path —
    #: run from a folder with a ``kam_xl`` of its own, e.g. a source checkout, the process would import that one)
    child: tuple[str, ...] = ("-P", "-m", "kam_xl.databook.export_child")

    def __init__(self, collected: DataBook, target: Path, replace: bool) -> None:
        import tempfile

        self._collected: DataBook | None = collected
        self._target, self._replace = target, replace
        self._answer: tuple[str, Any] | None = None
        #: why there is no answer to believe: (what, detail) as :func:`_aside_failed` words it
        self._failed: tuple[str, Any] = ("ended", None)
        self._printed = tempfile.TemporaryFile()  # noqa: SIM115 — the process's stderr (closed in result)
        self._spool: Any = None  # the pickled path and tables, once complete (closed in result)
        self._thread = threading.Thread(target=self._exchange, name="kam_xl-export", daemon=True)
        self._thread.start()

    def _spooled(self) -> Any:
        """The path and the tables pickled into a temporary file, as the process reads them (its module says
        how), read from its start; the export is let go of once they are all in it. ``None`` (the export kept,
        the reason noted) when they could not be (a full disk, a table that cannot be pickled)."""
        import pickle
        import tempfile

        from kam_xl.databook.writer import databook_tables

        spool = tempfile.TemporaryFile()  # noqa: SIM115 — closed in result
        try:
            pickle.dump((self._target, self._replace), spool, protocol=pickle.HIGHEST_PROTOCOL)
            for table in databook_tables(self._collected):  # type: ignore[arg-type]
                pickle.dump(table, spool, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(None, spool)
            spool.flush()
        except Exception as e:
            spool.close()
            self._failed = ("unsent", e)
            return None
        self._collected = None
        spool.seek(0)
        return spool

    def _exchange(self) -> None:
        """Spool the export, start the process on it and wait for its answer."""
        import pickle
        import subprocess

        self._spool = self._spooled()
        if self._spool is None:
            return
        root = str(Path(__file__).resolve().parent.parent)  # the child imports this kam_xl, wherever it lies
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        try:
            process = subprocess.Popen([sys.executable, *self.child], stdin=self._spool, stdout=subprocess.PIPE,
                                       stderr=self._printed, env=env)
        except OSError as e:  # no process to be had: written here (result)
            self._failed = ("not_started", e)
            return
        try:
            answer = pickle.load(process.stdout)
        except Exception:  # the process ended without an answer
            answer = None
        process.stdout.close()
        code = process.wait()
        if answer is None:
            self._failed = ("ended", (code, _last_line(self._printed)))
        elif answer[0] == "raised" and os_error_of(answer[1]) is None:  # not the file system's: a failure
            self._failed = ("raised", answer[1])
        else:
            self._answer = answer

    def result(self, faults: list[str], words: Lang = "en") -> Path | str:
        """The export's path, or ``"not written"`` with the reason added to ``faults`` (as :func:`_write_export`);
        raises what writing it raised otherwise. When the process gave no answer to believe, a line in
        ``words`` says why and the export is written here — from the spool, or the export itself when it could
        not be spooled — what the process left half written is removed first."""
        from kam_xl.databook.export_child import answer_of
        from kam_xl.files import remove_leftovers_of

        self._thread.join()
        self._printed.close()
        answer = self._answer
        if answer is None:
            err.print(_aside_failed(*self._failed, words), highlight=False)
            remove_leftovers_of(self._target)
            if self._spool is None:
                return _write_export(self._collected, self._target, self._replace, faults)  # type: ignore[arg-type]
            self._spool.seek(0)
            answer = answer_of(self._spool)  # as the process would have written it, here
        if self._spool is not None:
            self._spool.close()
        how, what = answer
        if how == "written":
            return Path(what)
        faults.append(what if how == "refused" else _not_written(self._target, what))
        return "not written"


def _last_line(printed: Any, size: int = 4096) -> str:
    """The last line a process printed into the file ``printed`` (its stderr; ``""`` when none): a traceback's
    last line is the error (``KeyboardInterrupt``, ``MemoryError: …``)."""
    printed.seek(0, os.SEEK_END)
    printed.seek(max(0, printed.tell() - size))
    lines = [line.strip() for line in printed.read().decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _signal_name(number: int) -> str:
    """``SIGKILL`` for 9, the number for a signal Python does not name."""
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _aside_failed(what: str, detail: Any, words: Lang) -> str:
    """The one line saying why the export's process gave no answer (``what``, ``detail`` as
    :class:`_ExportAside` notes them), and that this process writes the export now."""
    code, last = detail if what == "ended" and detail is not None else (None, "")
    if what == "not_started":
        why = say("aside_not_started", words, reason=f"{detail.filename}: {detail.strerror or detail}")
    elif what in ("raised", "unsent"):
        why = say(f"aside_{what}", words, error=f"{type(detail).__name__}: {detail}")
    elif code is not None and code < 0:  # ended by a signal (POSIX)
        why = say("aside_signal", words, signal=_signal_name(-code))
    else:
        why = say("aside_exit", words, code="?" if code is None else code) + (f" ({last})" if last else "")
    return say("aside_failed", words, why=why)


def _collected_line(result: Any, written: Path | str, report: Path | str, words: Lang) -> str:
    """``collect``'s line on what was read (plans, questionnaires, files with invalid inputs, skipped) and where
    the export and the error report are — or that they were not written (``"not written"``; ``result``: a
    :class:`~kam_xl.batch.CollectedExport`)."""
    def where(path: Path | str) -> Path | str:
        return say("not_written", words) if path == "not written" else path

    return say("collected", words, plans=count(result.plans, "plan", words),
               questionnaires=count(result.responses, "questionnaire", words),
               invalid=count(len({p[0] for p in result.problems}), "file", words),
               skipped=count(len(result.skipped), "file", words), export=where(written), report=where(report))


def _unanswered(base: DataBook, files: Mapping[tuple[str, str], str]) -> list[str]:
    """The respondents whose questionnaire answers ``base`` holds and collect did not collect (their answers stay
    the data book's — named like the accounts without a collected plan; they went unnamed: a user's re-trial)."""
    from kam_xl.workbook.account_plan import ACCOUNT_ROLE

    held = dict.fromkeys(r["respondent"] for r in base.table("excellence") or [] if r.get("role") != ACCOUNT_ROLE)
    return [name for name in held if ("questionnaire", name) not in files]


def _first(names: list[str], most: int = 10) -> str:
    """The first ``most`` of ``names``, comma-separated, with " …" when there are more."""
    return ", ".join(names[:most]) + (" …" if len(names) > most else "")


def _usable_cores() -> int:
    """The cores this process may run on (its affinity where the system tells it, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system (macOS, Windows)
        return os.cpu_count() or 1


class _EarlyBase:
    """The data book the first plan collected names (its ``_meta``), read in a thread of its own while the other
    plans are read — the one ``collect`` will put the plans on when they all name it (:func:`_collect_base`), so
    that its reading is not added to the run's time after the plans'; used only when a core is free for it (the
    reading processes take one each). Called with each plan's data book as it is read
    (:func:`kam_xl.batch.collect_export`'s ``data_book_seen``); only the first starts a reading, and only of a data
    book ``_collect_base`` would read (a path that exists, a database)."""

    def __init__(self) -> None:
        self.ref: str | None = None
        self._thread: threading.Thread | None = None
        self._read: list[Any] = []  # the data book, or the exception its reading raised

    def __call__(self, ref: str) -> None:
        if self.ref is not None:
            return
        self.ref = ref
        if ref and (sql.is_database(ref) or ("://" not in ref and Path(ref).exists())):
            self._thread = threading.Thread(target=self._reading, name="kam_xl-databook", daemon=True)
            self._thread.start()

    def _reading(self) -> None:
        try:
            self._read.append(read_databook(self.ref))  # type: ignore[arg-type]
        except BaseException as e:  # raised again where the data book is used (_collect_base)
            self._read.append(e)
        give_back()  # what reading freed (in this thread's own heap, which no other thread reuses)

    def read(self, ref: str) -> DataBook:
        """The data book at ``ref``: the one read here already when it is that one, else read now. Raises what
        :func:`~kam_xl.databook.read_databook` raises."""
        if self._thread is None or ref != self.ref:
            return read_databook(ref)
        self._thread.join()
        found = self._read[0]
        if isinstance(found, BaseException):
            raise found
        return found


class _Aside:
    """``work()`` run in a thread of its own once :meth:`start` is called — ``collect`` reads the old
    controller's inputs so while its plans are read (the parent process mostly waits for its workers then);
    :meth:`result` waits for it and gives what it returned, or raises what it raised."""

    def __init__(self, work: Callable[[], Any], name: str) -> None:
        # (True, what work returned) or (False, the exception it raised): work may return an exception as its value
        # (read_controller_inputs returns the WorkbookError of a damaged file), which is not raised here
        self._done: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                self._done.append((True, work()))
            except BaseException as e:  # raised again where the result is used
                self._done.append((False, e))
            give_back()  # what the work freed (in this thread's own heap, which no other thread reuses)

        self._thread = threading.Thread(target=run, name=name, daemon=True)

    def start(self) -> None:
        """Start the work (once; again is nothing)."""
        if self._thread.ident is None:
            self._thread.start()

    def result(self) -> Any:
        """What ``work()`` returned (started now if it was not); raises what it raised."""
        self.start()
        self._thread.join()
        returned, found = self._done[0]
        if not returned:
            raise found
        return found


def _collect_base(data: str | Path | None, given: DataBook | None, references: list[str], lang: Lang = "de",
                  early: _EarlyBase | None = None) -> tuple[DataBook | None, str]:
    """The data book ``collect`` puts the plans on, and a sentence saying which: ``--data`` (``given``, read
    before any work); else the one the plans were generated from (their ``_meta``) if they share one and it
    still exists — the demo data only for demo plans; else none (the controller then holds only what the plans
    hold). The sentence is in ``lang``. ``early``: the data book of the first plan, read while the plans were."""
    from kam_xl.batch import DEMO_DATA_BOOK, databook_of_plans

    if given is not None:
        return given, say("base_given", lang, data=data)
    ref = databook_of_plans(references)
    if ref == DEMO_DATA_BOOK:
        return demo_databook(), say("base_demo", lang)
    if ref is not None and (Path(ref).exists() or sql.is_database(ref)):
        try:
            return (early or _EarlyBase()).read(ref), say("base_found", lang, ref=ref)
        except DataBookError as e:
            return None, say("base_problems", lang, ref=ref, problems=count(len(e.problems), "problem", lang))
        except Exception as e:  # whatever the reader raises for a file changed since: never a traceback
            return None, say("base_unreadable", lang, ref=ref, why=fs_reason(e, lang) if isinstance(e, OSError) else e)
    why = ("why_no_plans" if not references else
           "why_remote" if ref and "://" in ref and not sql.is_database(ref) else
           "why_gone" if ref else "why_mixed")
    return None, say("base_none", lang, why=say(why, lang, ref=ref))


@app.command(cls=_BatchCommand)
def collect(
    folder: Annotated[Path, typer.Argument(help="folder with filled account plans")],
    to: Annotated[Path | None, typer.Option("--to", help="the consolidated controller workbook to write "
                                                        "(default FOLDER/Controller.xlsm)")] = None,
    data: Annotated[str | None, typer.Option("--data", help="data book for what the plans do not carry "
                                                           "(portfolio, resources, regions): a file, folder or "
                                                           "database URL; when absent, the data book the plans "
                                                           "were generated from if it can still be read, else "
                                                           "only what the plans hold")] = None,
    lang: CollectLangOption = None,
    export: Annotated[Path | None, typer.Option("--export", help="tidy export of all inputs as a data book: a new "
                                                                 ".xlsx outside FOLDER or a folder of CSV files "
                                                                 "(default FOLDER/collected.xlsx, replaced each "
                                                                 "run)")] = None,
    to_db: Annotated[str | None, typer.Option("--to-db", help="also write every collected input into this "
                                                              "database (URL or .db file), tables "
                                                              "collected_<table>, in one transaction")] = None,
    db_schema: SchemaOption = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="parallel processes reading the plans")] = 1,
) -> None:
    """Read filled account plans (and questionnaires in FOLDER/Fragebogen) back, validate every input, and
    write the consolidated controller workbook, a tidy export (a data book) and an error report
    (FOLDER/collect_errors.csv: file, sheet, cell, value, what is allowed).

    Each file is handled on its own: .xlsx and .xlsm are read; other spreadsheets (.ods, .xls, .csv …) are
    listed with "save it as Excel Workbook (.xlsx)"; files that are not ours, damaged or password-protected
    are listed and skipped; an account with more than one file has all of them listed and is left out.

    Exit codes: 0 all read and written; 2 some file listed (skipped, invalid input, not written), the rest
    done; 1 nothing done (bad options, FOLDER not a folder or with nothing to collect, a --data book that cannot
    be used).
    """
    from kam_xl.batch import (
        CONTROLLER_FILE,
        CONTROLLER_ID,
        QUESTIONNAIRE_DIR,
        collect_export,
        consolidate,
        controller_cell_problems,
        controller_problems,
        has_collectable,
        other_workbook,
        with_controller_tables,
        with_databook_fields,
        write_controller_result,
    )
    from kam_xl.workbook.controller import controller_export, read_controller_inputs

    if not folder.is_dir():
        raise _fail([f"{folder}: not a folder — allowed: the folder with the filled account plans"], EXIT_STOPPED)
    keep_large_blocks_apart()  # the export's growing columns leave no resident holes in the heap (kam_xl.heap)
    data_source = _data(data, db_schema if sql.is_database(data) else None, EXIT_STOPPED)  # and for --to-db
    if to_db is not None and not sql.is_database(to_db):
        raise _fail([f"--to-db {to_db}: not a database — allowed: sqlite:///file.db, a .db/.sqlite/.sqlite3 file "
                     "or postgresql+psycopg://user@host/db"], EXIT_STOPPED)
    given = _load(data_source, None, EXIT_STOPPED) if data_source is not None else None  # stops before any work
    default_export = folder / "collected.xlsx"
    target = export or default_export
    if to is not None and (to.is_dir() or to.suffix.lower() not in (".xlsm", ".xlsx")):  # said before the plans
        # are read: a folder ended in a backup that could not be written, --to out.csv wrote a workbook named so
        what = "a folder" if to.is_dir() else "not an .xlsm or .xlsx file"
        raise _fail([f"--to {to}: {what} — allowed: the controller workbook to write (.xlsm, or .xlsx without "
                     "macros)"], EXIT_STOPPED)
    if export is not None and export.resolve() == default_export.resolve():
        export = None  # the default named: replaced each run as the default is
    if export is not None:  # an --export that may not be written is a bad option: said before the plans are read
        from kam_xl.databook.writer import refuse_existing

        try:
            refuse_existing(export, replace=False)
        except KamInputError as e:
            raise _fail([f"--export {e}"], EXIT_STOPPED) from None
        suffix = export.suffix.lower()
        if suffix in _FILE_SUFFIXES:  # --export new.csv made a folder named new.csv (a user's trial)
            raise _fail([f"--export {export}: a {suffix} file is not written — allowed: a new .xlsx file, or a folder "
                         "(a name without a file suffix) for the data book's CSV files"], EXIT_STOPPED)
        read_next = {folder.resolve(), (folder / QUESTIONNAIRE_DIR).resolve()}
        if suffix == ".xlsx" and export.parent.resolve() in read_next:  # the next collect read it as a foreign
            # workbook, skipped and listed every time (a user's trial)
            raise _fail([f"--export {export}: in {export.parent}, whose workbooks the next collect of {folder} reads "
                         f"as plans and questionnaires — allowed: a new .xlsx file elsewhere, a folder for CSV files, "
                         f"or the default {default_export}, which collect passes over"], EXIT_STOPPED)
    controller_path = to or folder / CONTROLLER_FILE
    # the controller typed into: the one to write when it is a controller, else (--to a new file, or one that is
    # no controller and is not replaced) the folder's — whose inputs were silently dropped from the new one and
    # from the export (a user's trial)
    typed_in, folders = controller_path, folder / CONTROLLER_FILE
    # --to a folder, or a workbook that is no controller (a plan, someone's own): never written, never passed over
    elsewhere = controller_path.resolve() != folders.resolve()
    not_ours = elsewhere and controller_path.exists() and (
        not controller_path.is_file() or bool(other_workbook(controller_path)))
    if elsewhere and folders.exists() and _meta_of(controller_path).get("template_id") != CONTROLLER_ID:
        typed_in = folders  # a new, foreign or damaged --to (replaced, its backup kept): no inputs to carry in it
    # --to another controller: its inputs are carried, and those typed into the folder's went unused without a word
    # (a user's trial)
    unused = folders if typed_in != folders and folders.exists() and folders.resolve() != typed_in.resolve() else None
    report = folder / "collect_errors.csv"
    # the files collect passes over by name: its own outputs — not a plan named by --to (it went uncollected without
    # a word: a user's trial)
    ours = {target.name, typed_in.name} | (set() if not_ours else {controller_path.name})
    if isinstance(data_source, Path) and data_source.parent.resolve() == folder.resolve():
        ours.add(data_source.name)
    if given is None and not typed_in.exists() and not has_collectable(folder, frozenset(ours)):
        # nothing to collect (a mistyped or wrong folder): an empty export and controller would only mislead
        raise _fail([f"{folder}: no account plans or questionnaires in it, nor a {controller_path.name} — allowed: "
                     "the folder with the filled account plans, or --data with a data book"], EXIT_STOPPED)
    words: Lang = _folder_lang(typed_in, folder) if lang is None else "en" if lang == "en" else "de"
    # the plans' data book, read while they are — only on a core the readers leave free: on two cores with --jobs 2
    # it took CPU from them (no time gained at 10,000 accounts) and held the data book through the whole reading,
    # the command's peak of memory (400 → 375 MiB at 10,000)
    early = _EarlyBase() if given is None and _usable_cores() > jobs else None
    # the old controller's typed inputs, read once (for the export and for the new controller) while the plans are
    old_inputs = (_Aside(partial(read_controller_inputs, typed_in), "kam_xl-controller-inputs")
                  if typed_in.exists() else None)
    with PhaseProgress(say("phase_collect", words), err, unit=plural("file", words), lang=words) as progress:
        def read(done: int, total: int) -> None:
            # started after the first file, when the worker processes exist: forked before, each would count
            # the reading's memory again
            if old_inputs is not None:
                old_inputs.start()
            progress.update(done, total)

        result = collect_export(folder, ignore=frozenset(ours), jobs=jobs, progress=read, data_book_seen=early)
    not_written: list[str] = []
    collected = result.take_export()
    # what was typed on the controller (weights, thresholds, ratings, filters …) goes into the export and the data
    old = old_inputs.result() if old_inputs is not None else None
    old_inputs = None  # the reading thread's holder let go: the inputs are held by ``old`` alone (handed over below)
    base, said = _collect_base(data_source, given, result.data_books, words, early)
    del early  # a data book read for plans that turned out to name another one is let go
    # a refused cell is exported as the new controller will hold it, with the data's value (left out, the next
    # generate from the export lost the data's value there — a user's trial)
    typed, typed_problems = controller_export(old, typed_in.name, words, base) if old is not None else ({}, [])
    # the account fields a plan does not carry (the KAM span …) from the data book, so that the export keeps them
    plans = with_databook_fields(collected, base)
    # the controller: the plans on the data book — not what was typed on the old controller, which is carried from
    # it as typed (write_controller's three-way merge against the old snapshot of the data's values). Put into the
    # data here, it would enter the new controller's snapshot as the data's own values, and the next generate from
    # the data book (which does not hold them) would take them for untouched and replace them (a user's trial:
    # typed weights and ratings lost after collect, then generate)
    book = consolidate(base, plans)
    # the export: the controller's data book and what was typed on the controller — so that generate from it gives
    # the same controller (it held the plans alone: the data book's portfolio, resources and regions, the accounts
    # without a collected plan and the questionnaires not collected were missing, without a word — users' trials)
    exported = with_controller_tables(book, typed)
    uncollected = [a.account_id for a in book.accounts[len(plans.accounts):]] if base is not None else []
    unanswered = _unanswered(base, result.files) if base is not None else []
    # stdout: the collected files and the export, the database written, the data book used, the controller — printed
    # once the controller is written (with --jobs the export is written beside it; the error report names what
    # carrying the old controller's inputs refused)
    aside = _ExportAside(exported, target, export is None) if jobs > 1 else None
    export_faults: list[str] = []
    if aside is None:
        written = _write_export(exported, target, export is None, export_faults)
    source = typed_in.name if typed_in.parent.resolve() == folder.resolve() else str(typed_in)  # as the plans' files
    db_lines, db_faults = (_collect_to_db(with_controller_tables(plans, typed), result.files,  # what was collected
                                          sql.with_schema(to_db, db_schema), words, dict.fromkeys(typed, source))
                           if to_db is not None else ([], []))
    # from here on only the consolidated book is held: the data book's tables the plans replaced (most of its rows
    # when every account was collected) are let go before the controller step, the command's peak of memory
    del base, given, collected, plans, typed, exported
    # the old controller's inputs are handed over: write_controller lets them go once carried into the new one (at
    # 10,000 accounts tens of MiB of values), which it could not while this frame still held them
    handed = [old]
    del old
    # what reading the plans, the data book and the old controller left freed (in the heaps of the threads that
    # read them too) is given back before the controller step, which would otherwise come on top of it
    give_back()
    controller: Path | str = say("not_written", words)
    controller_faults: list[str] = []
    done = None
    try:
        with PhaseProgress(say("phase_controller", words), err, unit=plural("step", words), lang=words) as progress:
            done = write_controller_result(book, controller_path, words,
                                           xlsm_book=_xlsm_book(), progress=progress.update, old_inputs=handed.pop())
        controller = done.path if done.backup is None else say("controller_backup", words, path=done.path,
                                                                 backup=done.backup)
    except NotWrittenError as e:
        controller_faults.append(str(e))
    if aside is not None:
        written = aside.result(export_faults, words)
    # the old controller's problems, each cell once (the export check's and the carry's: controller_problems), in
    # the error report beside the plans' — written now that the carry has judged them
    typed_rows = controller_cell_problems(controller_problems(typed_problems, done), typed_in.name)
    # what was not written is in the report too (the controller open in Excel left the report empty: a user's trial)
    not_written += export_faults + db_faults + controller_faults
    report_written = _write_error_report(report, result.problems + typed_rows, result.skipped, not_written)
    unused_line = [say("inputs_elsewhere", words, unused=unused, used=typed_in)] if unused is not None else []
    kept = [say("uncollected", words, n=count(len(uncollected), "account", words), ids=_first(uncollected))
            ] if uncollected else []
    kept += [say("unanswered", words, n=count(len(unanswered), "respondent", words), names=_first(unanswered))
             ] if unanswered else []
    for line in [_collected_line(result, written, report_written, words), *db_lines, said, *kept, *unused_line]:
        out.print(line, highlight=False)
    out.print(say("controller", words, path=controller), highlight=False)
    listed = [f"skipped: {reason}" for _file, reason in result.skipped]
    listed += [f"{f}, sheet {sh}, cell {c}: value {_short(v)}: {m}" for f, sh, c, v, m in result.problems]
    listed += [_cell_line(p) for p in typed_rows]
    if listed or not_written:
        raise _fail(listed + not_written)


@app.command(cls=_BatchCommand)
def review(
    folder: Annotated[Path, typer.Argument(help="folder with the filled account plans (as collect reads them)")],
    quarter: Annotated[str, typer.Option("--quarter", help="the quarter under review: 1–4 or Q1–Q4")],
    account: Annotated[str | None, typer.Option("--account", help="only this account (its ID)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="folder for the PDFs (default FOLDER/review)")] = None,
    lang: LangOption = Language.de,
) -> None:
    """The quarterly review pack: from the account plans in FOLDER, one PDF per account (KAOP plan vs. actual
    with lights, year-to-date and forecast, open measures, KASP projects due, contacts behind plan) and one for
    all, review_Q<q>_<account>.pdf and review_Q<q>_all.pdf, rendered by LibreOffice (soffice).

    Exit codes: 0 all done; 2 some plan listed (skipped, invalid input, failed), the rest done; 1 nothing done
    (bad options, FOLDER not a folder, LibreOffice not installed)."""
    from rich.progress import Progress

    from kam_xl.pdf import SofficeMissing
    from kam_xl.review import write_review_pack

    q = quarter.strip().upper().removeprefix("Q")
    if q not in ("1", "2", "3", "4"):
        raise _fail([f"--quarter {quarter!r} — allowed: 1, 2, 3, 4 or Q1–Q4"], EXIT_STOPPED)
    if not folder.is_dir():
        raise _fail([f"{folder}: not a folder — allowed: the folder with the account plans"], EXIT_STOPPED)
    target = out_dir or folder / "review"
    try:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("Review", total=None)
            result = write_review_pack(folder, int(q), target, account=account, lang=lang.value,
                                       progress=lambda aid: progress.update(task, description=f"Review {aid}"))
    except SofficeMissing as e:
        raise _fail([str(e)], EXIT_STOPPED) from None
    except (ValueError, OSError, RuntimeError) as e:
        raise _fail([describe(e)], EXIT_STOPPED) from None
    words: Lang = lang.value  # type: ignore[assignment]
    for aid, pdf in result.pdfs.items():
        out.print(say("pdf", words, pdf=pdf, pages=count(result.pages[aid], "page", words)), highlight=False)
    if result.all_pdf is not None:
        out.print(say("pdf_all", words, pdf=result.all_pdf, pages=count(result.pages["all"], "page", words),
                      accounts=count(len(result.pdfs), "account", words)), style="bold", highlight=False)
    listed = [f"{file}: {why}" for file, why in result.skipped] + [f"{aid}: {why}" for aid, why in result.failed]
    if listed:
        raise _fail(listed)


@app.command()
def templates(out_dir: Annotated[Path, typer.Option("--out", help="folder")] = Path("workbook_templates")) -> None:
    """Rebuild the shipped empty templates (account plan and questionnaire, de and en)."""
    from kam_xl.workbook.templates import build_templates

    for path in build_templates(out_dir):
        out.print(f"wrote {path}")


xlwings_app = _Typer(help="Classic xlwings files for desktop Excel: the VBA wrapper module and the "
                                "macro-enabled controller workbook.", no_args_is_help=True)
app.add_typer(xlwings_app, name="xlwings")


@xlwings_app.command("vba")
def xlwings_vba(
    out_file: Annotated[Path, typer.Option("--out", help="the .bas file to write")] = Path("xlwings_udfs.bas"),
) -> None:
    """Write the VBA module xlwings' "Import Functions" would generate for the Excel functions and macros
    (xlwings_udfs.bas: Windows-1252, CRLF): IT imports it once (VBA editor → File → Import File) instead of
    granting access to the VBA project object model on every PC."""
    from kam_xl.addin.runtime import excel_functions, load_udfs
    from kam_xl.addin.xlsm import write_bas

    try:
        path = write_bas(out_file)
    except (ValueError, OSError) as e:
        raise _fail([describe(e)]) from None
    found = [f.__xlfunc__ for f in excel_functions(load_udfs("classic"))]
    out.print(f"wrote {path}: {sum(not f['sub'] for f in found)} function(s), {sum(f['sub'] for f in found)} "
              "macro(s)")


@xlwings_app.command("xlsm")
def xlwings_xlsm(
    data: DataOption = None,
    out_file: Annotated[Path, typer.Option("--out", help="the .xlsm file to write")] = Path("Controller.xlsm"),
    lang: LangOption = "de",  # type: ignore[assignment]
) -> None:
    """Write the macro-enabled controller workbook: the controller of the data book with the standalone
    xlwings VBA project of the installed xlwings and buttons for function import and the macros."""
    from kam_xl.addin.xlsm import XlwingsFilesError, controller_xlsm_book
    from kam_xl.batch import controller_cell_problems, controller_problems, write_controller_result

    if lang not in ("de", "en"):
        raise _fail([f"--lang {lang!r} — allowed: de or en"])
    db = _load(_data(data), None)
    try:
        if out_file.suffix.lower() != ".xlsm":
            raise ValueError(f"{out_file.name}: the macro-enabled controller workbook — allowed extension: .xlsm")
        words: Lang = "en" if lang == "en" else "de"
        with PhaseProgress(say("phase_controller", words), err, unit=plural("step", words), lang=words) as progress:
            done = write_controller_result(db, out_file, lang, xlsm_book=controller_xlsm_book,  # type: ignore[arg-type]
                                           progress=progress.update)
    except (ValueError, OSError, XlwingsFilesError, NotWrittenError) as e:
        raise _fail([describe(e)]) from None
    path = done.path if done.backup is None else say("controller_backup", words, path=done.path, backup=done.backup)
    out.print(f"Controller workbook (macro-enabled): {path}")
    if problems := [_cell_line(p) for p in controller_cell_problems(controller_problems((), done), done.path.name)]:
        raise _fail(problems)  # what was typed into the old one and is not carried over, as generate lists it


@app.command("demo-data")
def demo_data(path: Annotated[str, typer.Argument(help="an .xlsx file, a new folder for CSV files, or a "
                                                     "database (kam.db, sqlite:///kam.db, postgresql+psycopg://…)")],
              db_schema: SchemaOption = None) -> None:
    """Write the demo data set as a data book so you can see the format."""
    try:
        if sql.is_database(path):
            written: Path | str = sql.write_databook_sql(demo_databook(), sql.with_schema(path, db_schema))
        else:
            written = write_databook(demo_databook(), Path(path))
    except (KamInputError, sql.DatabaseError) as e:
        raise _fail([str(e)]) from None
    out.print(f"Demo data book written to {written}")


db_app = _Typer(help="The data book in a SQL database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("init")
def db_init(url: Annotated[str, typer.Argument(help="sqlite:///kam.db, kam.db or postgresql+psycopg://user@host/db")],
            db_schema: SchemaOption = None) -> None:
    """Create the data-book tables (types, primary keys, the foreign key to accounts; row_no orders the rows)
    so that an ERP extract can be loaded into them; tables that exist are left as they are."""
    if not sql.is_database(url):
        raise _fail([f"{url}: not a database — allowed: sqlite:///file.db, a .db/.sqlite/.sqlite3 file or "
                     "postgresql+psycopg://user@host/db"])
    try:
        created = sql.create_tables(sql.with_schema(url, db_schema))
    except sql.DatabaseError as e:
        raise _fail([str(e)]) from None
    out.print(f"{sql.safe_reference(sql.with_schema(url, db_schema))}: {len(created)} table(s) created"
              + (f" ({', '.join(created)})" if created else " — all existed"))


def _opt(*names: str, field: str) -> typer.models.OptionInfo:
    """A ``serve`` option whose help is the settings field's description (the model is the schema)."""
    return typer.Option(*names, help=help_text(field), show_default=False)


@app.command()
def serve(
    host: Annotated[str | None, _opt("--host", field="host")] = None,
    port: Annotated[int | None, _opt("--port", field="port")] = None,
    ssl_certfile: Annotated[Path | None, _opt("--ssl-certfile", field="ssl_certfile")] = None,
    ssl_keyfile: Annotated[Path | None, _opt("--ssl-keyfile", field="ssl_keyfile")] = None,
    public_url: Annotated[str | None, _opt("--public-url", field="public_url")] = None,
    api_key: Annotated[list[str] | None, _opt("--api-key", field="api_keys")] = None,
    bearer_token: Annotated[list[str] | None, _opt("--bearer-token", field="bearer_tokens")] = None,
    no_auth: Annotated[bool, _opt("--no-auth", field="no_auth")] = False,
    max_body_mb: Annotated[float | None, _opt("--max-body-mb", field="max_body_mb")] = None,
    data_root: Annotated[list[Path] | None, _opt("--data-root", field="data_roots")] = None,
    output_root: Annotated[list[Path] | None, _opt("--output-root", field="output_roots")] = None,
    allow_db_url: Annotated[list[str] | None, _opt("--allow-db-url", field="allow_db_urls")] = None,
) -> None:
    """Serve the Excel functions and macros to Excel desktop, Mac and web (xlwings Server, Office.js): add-in
    manifest at /manifest.xml, task pane with the macro buttons. Needs XLWINGS_LICENSE_KEY (noncommercial, or an
    xlwings PRO key for commercial use), an API key or bearer token unless --no-auth, and --data-root /
    --output-root for the folders the macros may use (none until given)."""
    try:
        settings = ServerSettings.from_env(
            host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile, public_url=public_url,
            api_keys=api_key, bearer_tokens=bearer_token, no_auth=True if no_auth else None,
            max_body_mb=max_body_mb, data_roots=data_root, output_roots=output_root, allow_db_urls=allow_db_url)
        missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
        if missing:
            raise _fail([f"kam-xl serve needs {' and '.join(missing)}, which a plain install leaves out — install "
                         "the server extra: pip install 'kam-xl[server]'"], EXIT_STOPPED)
        from kam_xl.addin.server import run

        run(settings, announce=lambda line: err.print(line, highlight=False))
    except ServerConfigError as e:
        raise _fail(e.problems) from None


def main() -> None:  # pragma: no cover - console entry for python -m
    """Run the CLI."""
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
