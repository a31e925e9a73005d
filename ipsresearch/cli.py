"""Command line: ``ipsresearch data | build | verify``.

Every command reports bad input as plain messages and exits with status 2,
without a traceback (``--debug`` shows one) and without writing anything.
Exit status 1 means the command ran but found a failure (a claim that does
not reproduce, a notebook that failed, data that would change).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ipsresearch import __version__
from ipsresearch.validation import InputError

__all__ = ["main"]


class UsageError(Exception):
    """A bad command-line argument."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _cmd_data(args: argparse.Namespace) -> int:
    from ipsresearch import synthetic

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
    from ipsresearch.claims import format_value, verify

    results = verify(data_dir=args.data_dir, sets=args.only or None)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        width = max((len(r.id) for r in results), default=10)
        print(f"{'id':<{width}}  {'source':<24} {'line':>4}  {'published':>10} {'computed':>10}  status")
        for r in results:
            print(f"{r.id:<{width}}  {r.source:<24} {r.line:>4}  "
                  f"{format_value(r.published, r.unit):>10} {format_value(r.computed, r.unit):>10}  "
                  f"{r.status}")
            if r.error:
                print(f"{'':<{width}}  error: {r.error}")
        counts = {s: sum(r.status == s for r in results) for s in ("pass", "erratum", "fail")}
        print(f"{len(results)} claims: {counts['pass']} pass, {counts['erratum']} erratum, "
              f"{counts['fail']} fail")
    return 1 if any(r.status == "fail" for r in results) else 0


def _cmd_build(args: argparse.Namespace) -> int:
    from ipsresearch.build import build, parse_param

    try:
        params = dict(parse_param(p) for p in args.param)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    results = build(only=args.only or None, out_dir=args.out, params=params,
                    with_code=args.with_code)
    failed = [r for r in results if r.status == "failed"]
    print(f"{len(results) - len(failed)} built, {len(failed)} failed")
    return 1 if failed else 0


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
    d.set_defaults(func=_cmd_data)

    b = sub.add_parser("build", help="execute the notebooks and write reports/")
    b.add_argument("--only", nargs="+", metavar="NAME", default=[],
                   help="build only these notebooks (name or number prefix, e.g. 01)")
    b.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="set a notebook parameter, e.g. --param data_dir=my_data")
    b.add_argument("--out", metavar="DIR", help="output directory (default: reports/)")
    b.add_argument("--with-code", action="store_true", help="show code cells (teaching mode)")
    b.set_defaults(func=_cmd_build)

    v = sub.add_parser("verify", help="recompute every published claim; exit 1 if any fails")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--data-dir", metavar="DIR",
                   help="directory laid out like data_synthetic/ (default: the shipped data)")
    v.add_argument("--only", nargs="+", metavar="SET", default=[],
                   help="claim sets to check, e.g. irish_pilot")
    v.set_defaults(func=_cmd_verify)
    return p


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
        return args.func(args)
    except UsageError as exc:
        print(f"ipsresearch: error: {exc}", file=sys.stderr)
        return 2
    except InputError as exc:
        if debug:
            raise
        if len(exc.problems) == 1:
            print(f"ipsresearch: error: {exc.problems[0]}", file=sys.stderr)
        else:
            print(f"ipsresearch: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, KeyError, ValueError) as exc:
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
