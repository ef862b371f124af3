"""The ``hallu-proofs`` command: scores, calibration and Theorem 2's quantities from a file.

::

    hallu-proofs score FILE --target 0 --target 0.75   # binary and target scores, intervals
    hallu-proofs calibration FILE --bins 10            # ECE, MCE, Brier, reliability table
    hallu-proofs calibration FILE --plot diagram.png   # ... and the reliability diagram
    hallu-proofs facts FILE --prompt-column prompt --answer-column answer --min-errors 364

FILE is read by `hallu_proofs.results.read_results` (CSV, JSONL, inspect-ai log, lm-eval samples
file) for ``score`` and ``calibration``; ``facts`` reads two columns of a CSV or JSONL file.
``--json`` prints one JSON object instead of a table (for ``score``, its key ``score`` holds the
score at the first target). A bad file exits with status 1 and a message naming the file, line
and field, and prints nothing on stdout; a bad command line exits with status 2 (argparse).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from fractions import Fraction
from pathlib import Path

from . import arbitrary_facts, unseen_mass
from .reliability import STRATEGIES, brier_score, reliability_diagram
from .results import FORMATS, _bad, _json_records, _lines, _progress, read_results

__all__ = ["main"]

#: The endings ``calibration --plot FILE`` accepts (matplotlib writes the format they name).
DIAGRAM_FORMATS = (".png", ".pdf", ".svg")


def _number_in(text, convert, accepts, expected):
    """``convert(text)`` for argparse, refused unless ``accepts`` the result."""
    try:
        x = convert(text)
    except (ValueError, ZeroDivisionError):
        kind = "an integer" if convert is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
    if not accepts(x):
        raise argparse.ArgumentTypeError(f"{expected}, got {text}")
    return x


def _target(text):
    """A confidence target, kept exact: '0.75' is 3/4."""
    return _number_in(text, Fraction, lambda t: 0 <= t < 1, "a target must be in [0, 1)")


def _level(text):
    return _number_in(text, float, lambda x: 0 < x < 1, "the level must be in (0, 1)")


def _positive(text):
    return _number_in(text, int, lambda k: k >= 1, "expected an integer >= 1")


def _probability(text):
    return _number_in(text, float, lambda x: 0 < x <= 1, "expected a number in (0, 1]")


def _diagram_path(text):
    """Where to write the reliability diagram; the ending names the format."""
    if Path(text).suffix.lower() not in DIAGRAM_FORMATS:
        raise argparse.ArgumentTypeError(
            f"the diagram's file must end in {', '.join(DIAGRAM_FORMATS)}, got {text}")
    return text


def _read(args):
    return read_results(args.file, format=args.format, scorer=args.scorer, metric=args.metric,
                        filter=args.filter, progress=True)


def _interval(pair):
    return f"[{pair[0]:.4f}, {pair[1]:.4f}]"


def _fmt(x):
    return f"{float(x):g}"


def _table(header, rows):
    """Left-aligned columns."""
    rows = [header, *rows]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


# --------------------------------------------------------------------------- score

def _score(args):
    results = _read(args)
    summary = results.summary(args.target, args.level, args.boot, args.seed, args.bins)
    if args.json:
        return json.dumps(summary, indent=2) + "\n"
    pct = f"{summary['level']:.0%}"
    c = summary["counts"]
    lines = [f"{args.file}: {summary['n']} questions ({c['correct']} correct, {c['incorrect']} "
             f"incorrect, {c['not_attempted']} not attempted)", ""]
    names = {"correct": "accuracy", "incorrect": "error rate", "not_attempted": "abstention rate"}
    lines.append(_table(["rate", "value", f"{pct} interval (Wilson)"],
                        [[names[g], f"{r['value']:.4f}", _interval(r["interval"])]
                         for g, r in summary["rates"].items()]))
    rows = []
    for entry in summary["targets"]:
        t, s = _fmt(entry["target"]), _fmt(entry["penalty"])
        rows.append([t, s, "as graded", "-", f"{entry['graded']['score']:.4f}",
                     _interval(entry["graded"]["interval"])])
        for key, label in (("thresholded", "answer iff confidence > t"),
                           ("best_threshold", "best threshold (on these data)")):
            if key in entry:
                rows.append([t, s, label, _fmt(entry[key]["threshold"]),
                             f"{entry[key]['score']:.4f}", _interval(entry[key]["interval"])])
    lines += ["", _table(["target t", "penalty", "policy", "threshold", "score",
                          f"{pct} interval (bootstrap)"], rows)]
    if "calibration" in summary:
        cal = summary["calibration"]
        lines += ["", f"calibration of the answers ({cal['bins']} equal-width bins): "
                      f"ECE {cal['ece']:.4f}, MCE {cal['mce']:.4f}, Brier {cal['brier']:.4f}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- calibration

def _calibration(args):
    results = _read(args)
    table = results.reliability(args.bins, args.strategy)
    attempted = results.attempted
    brier = brier_score(results.confidence[attempted], results.correct[attempted])
    out = {"source": args.file, "n": table.n, "bins": args.bins, "strategy": args.strategy,
           "ece": float(table.calibration_error), "mce": float(table.max_calibration_error),
           "brier": float(brier), "table": table.rows()}
    if args.plot:
        _save_diagram(table, args.plot)
        out["plot"] = args.plot
    if args.json:
        return json.dumps(out, indent=2) + "\n"
    head = (f"{args.file}: {table.n} answers with confidences, {args.bins} {args.strategy} bins\n"
            f"ECE {out['ece']:.4f}   MCE {out['mce']:.4f}   Brier {out['brier']:.4f}\n")
    rows = [[f"({r['lower']:.3f}, {r['upper']:.3f}]", r["count"], f"{r['accuracy']:.4f}",
             f"{r['confidence']:.4f}", f"{abs(r['accuracy'] - r['confidence']):.4f}"]
            for r in out["table"]]
    tail = f"\nreliability diagram: {args.plot}\n" if args.plot else ""
    return (head + "\n" + _table(["bin", "count", "accuracy", "confidence", "gap"], rows) + "\n"
            + tail)


def _save_diagram(table, path):
    """The reliability diagram of ``table`` in the file ``path`` (matplotlib, no display)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.5, 4.5), layout="constrained")
    reliability_diagram(table, ax=figure.subplots())
    figure.savefig(path)


# --------------------------------------------------------------------------- facts

def _columns(path, names, progress=True):
    """The named columns of a CSV or JSONL file, as lists of strings."""
    if str(path).lower().endswith(".csv"):
        bar = _progress(path, progress)
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                reader = csv.reader(_lines(handle, bar))
                header = [h.strip() for h in next(reader, [])]
                for name in names:
                    if name not in header:
                        raise _bad(path, 1, name, f"missing from the header {header}")
                where = [header.index(name) for name in names]
                rows = []
                for row in reader:
                    if not row:
                        continue
                    if len(row) != len(header):
                        field = header[len(row)] if len(row) < len(header) else header[-1]
                        raise _bad(path, reader.line_num, field,
                                   f"the row has {len(row)} fields, the header {len(header)}")
                    rows.append([row[i] for i in where])
        finally:
            if bar is not None:
                bar.close()
        if not rows:
            raise _bad(path, 2, names[0], "the file has a header but no rows")
        return [list(col) for col in zip(*rows)]
    if str(path).lower().endswith(".jsonl"):
        numbers, records = _json_records(path, progress)
        columns = []
        for name in names:
            try:
                columns.append([str(r[name]) for r in records])
            except KeyError:
                i = next(i for i, r in enumerate(records) if name not in r)
                raise _bad(path, numbers[i], name, "missing") from None
        return columns
    raise ValueError(f"{path}: facts reads a .csv or .jsonl file")


def _facts(args):
    prompts, answers = _columns(args.file, [args.prompt_column, args.answer_column])
    n = len(prompts)
    sr = arbitrary_facts.singleton_rate(prompts, answers, idk=args.idk)
    out = {"source": args.file, "n": n, "n_prompts": len(set(prompts)),
           "n_idk": answers.count(args.idk), "singleton_rate": sr,
           "good_turing": unseen_mass.good_turing(prompts)}
    if args.min_errors is not None:
        lower = arbitrary_facts.theorem2_lower_bound(sr, args.min_errors, n, args.delta, args.gamma)
        try:
            needed = arbitrary_facts.theorem2_sample_size(sr, args.min_errors, gamma=args.gamma)
        except ValueError:
            needed = None  # sr - 2 / min_errors <= 0: no N makes the bound positive
        out["theorem2_lower_bound"] = {"value": lower, "vacuous": not lower > 0,
                                       "min_errors": args.min_errors, "delta": args.delta,
                                       "positive_from_n": needed}
    if args.max_errors is not None:
        upper = arbitrary_facts.theorem2_upper_bound(sr, args.max_errors, n, args.gamma)
        out["theorem2_upper_bound"] = {"value": upper, "vacuous": not upper < 1,
                                       "max_errors": args.max_errors}
    out["gamma"] = args.gamma
    if args.json:
        return json.dumps(out, indent=2) + "\n"
    level = "99%" if args.gamma is None else f"1 - gamma = {1 - args.gamma:g}"
    lines = [f"{args.file}: N = {n} examples, {out['n_prompts']} distinct prompts, "
             f"{out['n_idk']} answered {args.idk!r}",
             f"singleton rate sr = {sr:.4f}   (prompts with exactly one stated answer, / N)",
             f"Good-Turing estimate of the unseen-prompt mass = {out['good_turing']:.4f}"]
    if "theorem2_lower_bound" in out:
        low = out["theorem2_lower_bound"]
        note = " (vacuous: not above 0)" if low["vacuous"] else ""
        when = ("no N makes it positive" if low["positive_from_n"] is None
                else f"positive from N = {low['positive_from_n']}")
        lines.append(f"Theorem 2, with probability >= {level}: err >= {low['value']:.4f}{note}; "
                     f"{when}")
    if "theorem2_upper_bound" in out:
        up = out["theorem2_upper_bound"]
        note = " (vacuous: not below 1)" if up["vacuous"] else ""
        lines.append(f"Theorem 2, calibrated learner, with probability >= {level}: "
                     f"err <= {up['value']:.4f}{note}")
    if args.min_errors is None and args.max_errors is None:
        lines.append("(give --min-errors / --max-errors, the numbers of wrong answers per prompt, "
                     "for Theorem 2's bounds)")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the parser

def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``hallu-proofs``."""
    parser = argparse.ArgumentParser(prog="hallu-proofs", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def reader_options(sub):
        sub.add_argument("file", help="CSV, JSONL, inspect-ai log or lm-eval samples file")
        sub.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        sub.add_argument("--scorer", help="inspect-ai logs: the scorer that grades")
        sub.add_argument("--metric", help="lm-eval samples: the 0/1 metric (default acc)")
        sub.add_argument("--filter", help="lm-eval samples: the filter to keep")
        sub.add_argument("--bins", type=_positive, default=10, help="calibration bins")
        sub.add_argument("--json", action="store_true", help="print one JSON object")

    score = commands.add_parser("score", help="binary and confidence-target scores")
    reader_options(score)
    score.add_argument("--target", type=_target, action="append",
                       help="a confidence target t in [0, 1) (repeatable; default 0)")
    score.add_argument("--level", type=_level, default=0.95, help="interval coverage")
    score.add_argument("--boot", type=_positive, default=1000, help="bootstrap draws")
    score.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    score.set_defaults(run=_score)

    cal = commands.add_parser("calibration", help="ECE, MCE, Brier score, reliability table")
    reader_options(cal)
    cal.add_argument("--strategy", choices=STRATEGIES, default="uniform")
    cal.add_argument("--plot", type=_diagram_path, metavar="FILE",
                     help="write the reliability diagram to FILE (.png, .pdf or .svg)")
    cal.set_defaults(run=_calibration)

    facts = commands.add_parser("facts", help="singleton rate, Good-Turing, Theorem 2")
    facts.add_argument("file", help="CSV or JSONL of (prompt, answer) training examples")
    facts.add_argument("--prompt-column", default="prompt")
    facts.add_argument("--answer-column", default="answer")
    facts.add_argument("--idk", default="IDK", help="the answer that means I don't know")
    facts.add_argument("--min-errors", type=_positive, help="min over prompts of |E_c|")
    facts.add_argument("--max-errors", type=_positive, help="max over prompts of |E_c|")
    facts.add_argument("--delta", type=float, default=0.0, help="calibration gap delta")
    facts.add_argument("--gamma", type=_probability, help="failure probability (default: 99%%)")
    facts.add_argument("--json", action="store_true", help="print one JSON object")
    facts.set_defaults(run=_facts)
    return parser


def main(argv=None) -> int:
    """Run ``hallu-proofs`` with the arguments ``argv`` (default: the command line).

    Returns the exit status: 0, or 1 when the file is bad (the message goes to stderr and
    nothing to stdout). A bad command line exits with status 2, as argparse does.
    """
    args = build_parser().parse_args(argv)
    if args.command == "score" and not args.target:
        args.target = [Fraction(0)]
    try:
        output = args.run(args)
    except (ValueError, TypeError, OSError, ImportError) as exc:
        print(f"hallu-proofs: error: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(output)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
