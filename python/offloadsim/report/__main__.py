"""`python3 -m offloadsim.report --out DIR INPUT...` (what `offload report` runs)."""
import argparse
import sys
from pathlib import Path

from . import __doc__ as _DOC
from .build import build_report
from .inputs import ReportError


def main(argv=None):
    parser = argparse.ArgumentParser(prog="offload report", description=_DOC.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="results dir or results.json of `offload sim`, compare.json, Google Benchmark JSON")
    parser.add_argument("--out", "-o", default="reports", help="output directory (default: reports)")
    parser.add_argument("--title", default="Copy offload report")
    args = parser.parse_args(argv)
    try:
        summary = build_report(args.inputs, args.out, args.title)
    except ReportError as e:
        print(f"offload report: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"offload report: {e.filename or args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"report: {Path(args.out) / 'index.html'} ({len(summary['sections'])} section(s), {summary['plots']} plot(s); "
          f"data in {Path(args.out) / 'data'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
