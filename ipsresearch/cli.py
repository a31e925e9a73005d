"""Command line: ``ipsresearch data | build | verify | check | init | fidelity``.

Every command reports bad input as plain messages and exits with status 2,
without a traceback (``--debug`` shows one) and without writing anything.
Exit status 1 means the command ran but found a failure (a claim that does
not reproduce, a notebook that failed, data that would change).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence

from ipsresearch import __version__

__all__ = ["main"]


def _input_error() -> type[Exception]:
    """:class:`ipsresearch.validation.InputError`, imported only while an error is handled
    (validation imports pandas; a no-op ``ipsresearch build`` must start in well under a second)."""
    from ipsresearch.validation import InputError

    return InputError


class UsageError(Exception):
    """A bad command-line argument."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _cmd_data(args: argparse.Namespace) -> int:
    from ipsresearch import synthetic

    if args.scale is not None:  # a national-sized cohort (issue 9), Parquet and CSV
        if args.check or not args.out:
            raise UsageError("--scale N writes a new cohort: give --out DIR, without --check")
        from ipsresearch.synthetic import scale

        seed = scale.SEED if args.seed is None else args.seed
        written = scale.write(scale.generate(args.scale, seed=seed), args.out)
        print(f"{len(written)} file(s) written to {args.out}: {args.scale} participants "
              f"at {max(1, args.scale // scale.PARTICIPANTS_PER_SITE)} sites, seed {seed}")
        return 0
    if args.seed is not None:
        raise UsageError("--seed applies only with --scale N")
    if args.check:
        report = synthetic.check_all(args.out)
        changed = [(p, s) for p, s in report if s != "same"]
        for path, status in changed:
            print(f"{status}: {path}")
        if changed:
            print(f"{len(changed)} file(s) would change; run `ipsresearch data` to regenerate")
            return 1
        print(f"all {len(report)} files are byte-identical to a fresh generation")
        return 0
    report = synthetic.write_all(args.out)
    for path, status in report:
        if status != "unchanged" or args.verbose:
            print(f"{status}: {path}")
    n = sum(s != "unchanged" for _, s in report)
    print(f"{n} file(s) written, {len(report) - n} unchanged")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from ipsresearch import studies

    if args.only:
        keys = [cs.key for cs in studies.claim_sets()]
        unknown = sorted(set(args.only) - set(keys))
        if unknown:
            raise UsageError(f"unknown claim set {', '.join(unknown)}; choose from {', '.join(keys)}")
    if args.data_dir is not None:
        if not args.data_dir.strip():  # '' would mean the working directory
            raise UsageError("--data-dir is empty (allowed: a directory laid out like data_synthetic/)")
        from ipsresearch.report.preflight import check_data_dir

        check_data_dir(args.data_dir, sets=args.only or None)
    results = studies.verify(data_dir=args.data_dir, sets=args.only or None)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        from ipsresearch.claims import BASES, STATUSES

        for line in _verify_table(results):
            print(line)
        counts = {s: sum(r.status == s for r in results) for s in STATUSES}
        print(f"{len(results)} claims: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
        for basis in BASES:
            mine = [r.status for r in results if r.basis == basis]
            if mine:
                split = ", ".join(f"{mine.count(s)} {s}" for s in STATUSES if mine.count(s))
                print(f"  {basis:<11} {len(mine):>4}: {split}")
        print("transcribed and identity claims check the paper against itself; definition claims "
              "check it against the instrument; calibrated claims count synthetic records made to "
              "match and only demonstrate the analysis; cited figures are not checked.")
    return 1 if any(r.status == "fail" for r in results) else 0


VALUE_WIDTH = 14
"""Widest value shown in its column by ``ipsresearch verify``; a longer one is printed in full below its row."""


def _verify_table(results: list) -> list[str]:
    """The lines of the claims table ``ipsresearch verify`` prints: every column as wide as its
    widest cell (values at most :data:`VALUE_WIDTH`), so the columns align; a longer value reads
    ``(below)`` in its cell and in full on a line under the row, as does an error.

    Examples
    --------
    >>> from ipsresearch.claims import Claim, evaluate
    >>> rows = [evaluate(Claim("t.n", "x.txt", 1, "n", 3, lambda d: 3, basis="identity"), None),
    ...         evaluate(Claim("t.long_list", "x.txt", 12, "keys", "a, b, c, d, e, f, g, h",
    ...                        lambda d: "a, b, c, d, e, f, g, h", basis="transcribed"), None)]
    >>> print("\\n".join(line.rstrip() for line in _verify_table(rows)))
    id           basis        source  line  printed  counted  computed  status
    t.n          identity     x.txt      1        3                  3  pass
    t.long_list  transcribed  x.txt     12  (below)            (below)  pass
                 printed: a, b, c, d, e, f, g, h
                 computed: a, b, c, d, e, f, g, h
    """
    from ipsresearch.report.tables import format_value

    rows = []
    for r in results:
        printed = "—" if r.published is None else format_value(r.published, r.unit)
        counted = "" if r.counted is None else format_value(r.counted, r.unit)
        rows.append((r.id, r.basis, r.source, str(r.line), printed, counted,
                     format_value(r.computed, r.unit), r.status, r.error))
    head = ("id", "basis", "source", "line", "printed", "counted", "computed", "status")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(head[:4])]
    widths += [max([len(h), *(len(row[i]) for row in rows if len(row[i]) <= VALUE_WIDTH)])
               for i, h in enumerate(head[4:7], start=4)]
    right = (False, False, False, True, True, True, True)

    def line(cells: tuple[str, ...]) -> str:
        shown = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells[:7], widths, right, strict=True)]
        return "  ".join([*shown, cells[7]])

    out = [line(head)]
    indent = " " * (widths[0] + 2)
    for row in rows:
        long = [(head[i], row[i]) for i in (4, 5, 6) if len(row[i]) > widths[i]]
        cells = tuple("(below)" if 4 <= i <= 6 and len(c) > widths[i] else c for i, c in enumerate(row[:8]))
        out.append(line(cells))
        out += [f"{indent}{name}: {value}" for name, value in long]
        if row[8]:
            out.append(f"{indent}error: {row[8]}")
    return out


_BUILD_FLAGS = {"only": "--only", "notebooks_dir": "--notebooks", "out_dir": "--out",
                "jobs": "--jobs", "params": "--param"}
"""How the command line names the options of :func:`ipsresearch.report.build.build`."""


def _cmd_build(args: argparse.Namespace) -> int:
    from ipsresearch.report.build import OptionError, build, check_options, parse_param

    try:
        params = dict(parse_param(p) for p in args.param)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    kw = {"notebooks_dir": args.notebooks} if args.notebooks else {}
    options = {"only": args.only or None, "out_dir": args.out, "params": params, "jobs": args.jobs, **kw}
    try:
        # the options and parameters first, then the data folder, then the build
        check_options(**options)
        if params.get("data_dir") is not None:
            _check_build_data(params["data_dir"], only=args.only, notebooks_dir=args.notebooks)
        report = build(**options, with_code=args.with_code, force=args.force,
                       preload=not args.no_preload)
    except OptionError as exc:
        raise UsageError(f"{_BUILD_FLAGS.get(exc.option, exc.option)} {exc.message}") from None
    print(report.summary_line())
    return report.exit_status


def _check_build_data(data_dir: object, *, only: list[str], notebooks_dir: str | None) -> None:
    """Load a user's ``data_dir`` with the loaders of the selected notebooks' studies.

    Runs before :func:`ipsresearch.report.build.build`, so bad data stop the command
    with file, row and column (exit 2) before any kernel starts or any page,
    index or manifest is written. See :func:`ipsresearch.report.preflight.check_data_dir`.
    """
    from pathlib import Path

    from ipsresearch.paths import NOTEBOOKS_DIR
    from ipsresearch.report.build import discover
    from ipsresearch.report.preflight import check_data_dir

    selected = discover(notebooks_dir or NOTEBOOKS_DIR, only or None)
    check_data_dir(Path(str(data_dir)).expanduser(), notebooks=selected)


def _cmd_check(args: argparse.Namespace) -> int:
    """Check a data folder as a build would, without building (exit 0 clean, 2 with problems)."""
    from pathlib import Path

    folder = Path(str(args.folder)).expanduser()
    if args.only:
        from ipsresearch.paths import NOTEBOOKS_DIR
        from ipsresearch.report.build import discover
        from ipsresearch.report.preflight import check_data_dir

        selected = discover(args.notebooks or NOTEBOOKS_DIR, args.only)
        checked = check_data_dir(folder, notebooks=selected)
        print(f"{folder}: the data of {', '.join(Path(str(n)).stem for n in selected)} read "
              f"without problems ({', '.join(m.rsplit('.', 1)[1] for m in checked) or 'nothing to read'})")
        return 0
    from ipsresearch.report.preflight import check_folder

    for line in check_folder(folder):
        print(line)
    print(f"{folder}: no problems found")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from ipsresearch.report.starter import write_starter

    written = write_starter(args.folder, format=args.format)
    for path in written:
        print(f"written: {path}")
    print("Fill in the tables (delete the fidelity ones if you keep no fidelity reviews; use "
          "either ratings or ratings_wide, renamed to ratings), then run "
          f"`ipsresearch check {args.folder}`.")
    return 0


def _cmd_fidelity(args: argparse.Namespace) -> int:
    from ipsresearch import fidelity

    if args.template:
        sys.stdout.write(fidelity.template_path().read_text(encoding="utf-8"))
        return 0
    if args.ratings is None:
        raise UsageError("give a ratings CSV file (or --template to print one)")
    scores = fidelity.score(args.ratings)
    if args.json:
        print(json.dumps(json.loads(scores.to_json(orient="records")), indent=2, ensure_ascii=False))
        return 0
    print(scores.fillna({"band": "none"}).to_string(index=False))
    counts = scores["band"].fillna("none").value_counts()
    order = [b for b in [*fidelity.IPS25_BANDS["band"], "none"] if b in counts]
    print(f"{len(scores)} review(s) scored: " + ", ".join(f"{counts[b]} {b}" for b in order))
    return 0


MAX_SCALE = 10**8
"""Largest cohort ``data --scale`` writes (10^7 participants take about 4 GiB of memory)."""


def _count(text: str) -> int:
    """A positive whole number up to :data:`MAX_SCALE`, also written as 1e6."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value.is_integer() or not 1 <= value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {MAX_SCALE} (1e8) "
                                         "(e.g. 1000000 or 1e6)")
    return int(value)


def _seed(text: str) -> int:
    """A random seed: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0 (e.g. 2020)")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def make_parser() -> argparse.ArgumentParser:
    """The ``ipsresearch`` argument parser (also used to document the commands)."""
    p = _Parser(prog="ipsresearch",
                description="Reproduce, check and teach the quantitative evidence on IPS.")
    p.add_argument("--version", action="version", version=f"ipsresearch {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser("data", help="write the synthetic datasets to data_synthetic/")
    d.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if regenerating would change a byte")
    d.add_argument("--out", metavar="DIR", help="output directory (default: data_synthetic/)")
    d.add_argument("-v", "--verbose", action="store_true", help="also list unchanged files")
    d.add_argument("--scale", type=_count, metavar="N",
                   help="instead, write a synthetic national cohort of N participants "
                        "(e.g. 1e6) with job spells and fidelity reviews, as Parquet and CSV, to --out")
    d.add_argument("--seed", type=_seed, help="seed of the --scale cohort (a whole number >= 0)")
    d.set_defaults(func=_cmd_data)

    b = sub.add_parser("build", help="execute the notebooks and write reports/")
    b.add_argument("--only", nargs="+", metavar="NAME", default=[],
                   help="build only these notebooks (name or number prefix, e.g. 01)")
    b.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="set a notebook parameter, e.g. --param data_dir=my_data")
    b.add_argument("--out", metavar="DIR",
                   help="output directory: new, empty, or one a build wrote (default: reports/, or "
                        "reports-NAME-HASH/ with --param data_dir=.../NAME)")
    b.add_argument("--with-code", action="store_true", help="show code cells (teaching mode)")
    b.add_argument("--force", action="store_true", help="execute every notebook, ignoring the cache")
    b.add_argument("--jobs", type=_positive_int, metavar="N",
                   help="notebooks executed at once (default: number of cores)")
    b.add_argument("--notebooks", metavar="DIR", help="directory of NN-topic.ipynb (default: notebooks/)")
    b.add_argument("--no-preload", action="store_true",
                   help="start each kernel as a new interpreter instead of forking it from a "
                        "process with the libraries already imported")
    b.set_defaults(func=_cmd_build)

    v = sub.add_parser("verify", help="recompute every claim of the register; exit 1 if any fails")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--data-dir", metavar="DIR",
                   help="directory laid out like data_synthetic/ (default: the shipped data)")
    v.add_argument("--only", nargs="+", metavar="SET", default=[],
                   help="claim sets to check, e.g. irish_pilot")
    v.set_defaults(func=_cmd_verify)

    c = sub.add_parser("check", help="check a data folder without building (exit 0: clean, 2: problems)")
    c.add_argument("folder", metavar="DIR", help="a folder of a programme's tables")
    c.add_argument("--only", nargs="+", metavar="NAME", default=[],
                   help="check only what these notebooks read (name or number prefix, e.g. 01 05)")
    c.add_argument("--notebooks", metavar="DIR", help="directory of NN-topic.ipynb (default: notebooks/)")
    c.set_defaults(func=_cmd_check)

    i = sub.add_parser("init", help="write empty templates of a programme's tables into a folder")
    i.add_argument("folder", metavar="DIR", help="folder to write into (created when absent)")
    i.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help="csv: one file per table (default); xlsx: one workbook with a sheet per table "
                        "and a data-dictionary sheet")
    i.set_defaults(func=_cmd_init)

    f = sub.add_parser("fidelity", help="score IPS-25 fidelity ratings: totals and bands")
    f.add_argument("ratings", nargs="?", metavar="RATINGS",
                   help="ratings (.csv, .xlsx, .sav or .dta) in the long (review_id,item,rating) or wide "
                        "(review_id,S1..SE14) layout")
    f.add_argument("--json", action="store_true",
                   help="print a JSON list of objects (review_id, subtotals, total, band)")
    f.add_argument("--template", action="store_true", help="print the ratings template CSV and exit")
    f.set_defaults(func=_cmd_fidelity)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning (e.g. an unknown column kept unchecked) as one line, without the source line."""
    print(f"ipsresearch: warning: {message}", file=sys.stderr if file is None else file)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ipsresearch`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        with warnings.catch_warnings():
            if not debug:
                warnings.showwarning = _show_warning
            return args.func(args)
    except UsageError as exc:
        print(f"ipsresearch: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit:  # --help, --version: evaluating the next clause would import pandas
        raise
    except _input_error() as exc:
        if debug:
            raise
        if len(exc.problems) == 1:
            print(f"ipsresearch: error: {exc.problems[0]}", file=sys.stderr)
        else:
            print(f"ipsresearch: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, KeyError, ValueError) as exc:
        if debug:
            raise
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"ipsresearch: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ipsresearch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
