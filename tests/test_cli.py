"""The hallu-proofs command (hallu_proofs.cli): every sub-command and option, by main(argv), its
numbers against the library's, bad files (status 1, a message naming file, line and field,
nothing on stdout) and bad command lines (status 2); once as the installed console script."""

import json
import subprocess
import sys
from fractions import Fraction as F
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import hallu_proofs as hp
from hallu_proofs import cli
from hallu_proofs.results import read_results

EXAMPLES = resources.files("hallu_proofs") / "data" / "examples"
CSV = str(EXAMPLES / "results.csv")


def run(capsys, *argv):
    status = cli.main([*argv])
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys, *argv):
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    return json.loads(out)


def test_score_json_holds_the_library_numbers(capsys):
    out = run_json(capsys, "score", CSV, "--target", "0.75", "--target", "0")
    results = read_results(CSV)
    assert out["score"] == float(results.score(F(3, 4)))  # the first target
    assert out == results.summary([F(3, 4), F(0)])
    assert [t["target"] for t in out["targets"]] == [0.75, 0.0]


def test_score_default_target_is_binary_grading(capsys):
    out = run_json(capsys, "score", CSV)
    assert out["score"] == float(read_results(CSV).accuracy)
    assert [t["target"] for t in out["targets"]] == [0.0]


def test_score_options(capsys):
    """--level, --boot, --seed and --bins reach the summary."""
    out = run_json(capsys, "score", CSV, "--target", "0.5", "--level", "0.8", "--boot", "200",
                   "--seed", "7", "--bins", "5")
    assert out == read_results(CSV).summary([F(1, 2)], level=0.8, n_boot=200, rng=7, bins=5)


def test_score_table_shows_every_number(capsys):
    status, out, err = run(capsys, "score", CSV, "--target", "0", "--target", "0.75")
    assert status == 0 and err == ""
    summary = read_results(CSV).summary([F(0), F(3, 4)])
    assert out.startswith(f"{CSV}: 200 questions (114 correct, 74 incorrect, 12 not attempted)")
    for entry in summary["targets"]:
        for key in ("graded", "thresholded", "best_threshold"):
            lo, hi = entry[key]["interval"]
            shown = f"{entry[key]['score']:.4f}", f"[{lo:.4f}, {hi:.4f}]"
            assert any(all(x in line for x in shown) for line in out.splitlines()), shown
    lo, hi = summary["rates"]["incorrect"]["interval"]
    assert f"error rate       0.3700  [{lo:.4f}, {hi:.4f}]" in out
    cal = summary["calibration"]
    assert f"ECE {cal['ece']:.4f}, MCE {cal['mce']:.4f}, Brier {cal['brier']:.4f}" in out


def test_score_every_format(capsys):
    for name in ("results.jsonl", "results.eval", "lm_eval_samples.jsonl"):
        path = str(EXAMPLES / name)
        assert run_json(capsys, "score", path)["score"] == float(read_results(path).accuracy)


def test_reader_options_reach_the_reader(capsys, tmp_path):
    """--format, --scorer, --metric and --filter."""
    path = tmp_path / "results.txt"
    path.write_text("grade\nA\nB\n")
    assert run_json(capsys, "score", str(path), "--format", "csv")["n"] == 2
    samples = tmp_path / "s.jsonl"
    rows = [{"doc_id": i, "filtered_resps": ["x"], "filter": f, "acc": a, "exact_match": 1 - a}
            for i, (f, a) in enumerate([("a", 1), ("b", 0), ("a", 0)])]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run_json(capsys, "score", str(samples), "--filter", "a", "--metric", "exact_match")
    assert out["counts"] == {"correct": 1, "incorrect": 1, "not_attempted": 0}
    from test_results import inspect_log

    log = inspect_log(tmp_path / "two.eval", ["C", "I", "N"], extra_scorer=True)
    assert run_json(capsys, "score", str(log), "--scorer", "grader")["counts"]["not_attempted"] == 1


def test_calibration_command(capsys):
    out = run_json(capsys, "calibration", CSV, "--bins", "4", "--strategy", "quantile")
    results = read_results(CSV)
    table = results.reliability(4, "quantile")
    assert out["ece"] == table.calibration_error and out["mce"] == table.max_calibration_error
    assert out["table"] == table.rows() and out["n"] == 188 and out["strategy"] == "quantile"
    q, right = results.confidence[results.attempted], results.correct[results.attempted]
    assert out["brier"] == hp.brier_score(q, right)
    status, text, _ = run(capsys, "calibration", CSV)
    assert status == 0
    assert f"ECE {hp.calibration_error(q, right):.4f}" in text
    assert len(text.strip().splitlines()) == 4 + len(results.reliability().count)


def test_facts_command_against_the_library(capsys):
    path = str(EXAMPLES / "facts.csv")
    out = run_json(capsys, "facts", path, "--min-errors", "364", "--max-errors", "364")
    import csv

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    people = sorted({r["prompt"] for r in rows})
    days = sorted({r["answer"] for r in rows if r["answer"] != "IDK"})
    prompts = [people.index(r["prompt"]) for r in rows]
    responses = [hp.IDK if r["answer"] == "IDK" else days.index(r["answer"]) for r in rows]
    sr = hp.singleton_rate(prompts, responses)
    assert out["singleton_rate"] == sr and out["n"] == 1000 and out["n_prompts"] == len(people)
    assert out["good_turing"] == hp.good_turing(prompts)
    low = out["theorem2_lower_bound"]
    assert low["value"] == hp.theorem2_lower_bound(sr, 364, 1000) and low["vacuous"]
    assert low["positive_from_n"] == hp.theorem2_sample_size(sr, 364)
    up = out["theorem2_upper_bound"]
    assert up["value"] == hp.theorem2_upper_bound(sr, 364, 1000) and not up["vacuous"]
    status, text, _ = run(capsys, "facts", path, "--min-errors", "364")
    assert f"err >= {low['value']:.4f} (vacuous: not above 0); positive from N = " in text
    assert "upper" not in text


def test_facts_columns_idk_gamma_delta_and_jsonl(capsys, tmp_path):
    path = tmp_path / "facts.jsonl"
    rows = [("a", "x"), ("a", "?"), ("b", "y"), ("c", "z"), ("c", "z"), ("d", "?")]
    path.write_text("".join(json.dumps({"who": p, "said": a}) + "\n" for p, a in rows))
    out = run_json(capsys, "facts", str(path), "--prompt-column", "who", "--answer-column", "said",
                   "--idk", "?", "--min-errors", "2", "--max-errors", "3", "--gamma", "0.1",
                   "--delta", "0.01")
    sr = F(2, 6)  # a and b are answered exactly once; c twice; d only with '?'
    assert out["singleton_rate"] == float(sr) and out["n_idk"] == 2 and out["gamma"] == 0.1
    assert out["good_turing"] == 2 / 6  # b and d occur once
    assert out["theorem2_lower_bound"]["value"] == hp.theorem2_lower_bound(float(sr), 2, 6, 0.01, 0.1)
    assert out["theorem2_lower_bound"]["positive_from_n"] is None  # sr - 2/2 < 0: never
    assert out["theorem2_upper_bound"]["value"] == hp.theorem2_upper_bound(float(sr), 3, 6, 0.1)
    assert out["theorem2_upper_bound"]["vacuous"]
    status, text, _ = run(capsys, "facts", str(path), "--prompt-column", "who", "--answer-column",
                          "said", "--max-errors", "3")
    assert "(vacuous: not below 1)" in text
    status, text, _ = run(capsys, "facts", str(path), "--prompt-column", "who", "--answer-column", "said")
    assert "give --min-errors / --max-errors" in text


def test_facts_text_in_full(capsys, tmp_path):
    """The whole text of `facts`: counts, sr, Good-Turing, both bounds at 99% with their notes
    (no N makes this lower bound positive), or the hint when no bound is asked for."""
    path = tmp_path / "facts.jsonl"
    rows = [("a", "x"), ("a", "?"), ("b", "y"), ("c", "z"), ("c", "z"), ("d", "?")]
    path.write_text("".join(json.dumps({"who": p, "said": a}) + "\n" for p, a in rows))
    columns = ["--prompt-column", "who", "--answer-column", "said", "--idk", "?"]
    head = (f"{path}: N = 6 examples, 4 distinct prompts, 2 answered '?'\n"
            "singleton rate sr = 0.3333   (prompts with exactly one stated answer, / N)\n"
            "Good-Turing estimate of the unseen-prompt mass = 0.3333\n")
    lower, upper = hp.theorem2_lower_bound(1 / 3, 2, 6), hp.theorem2_upper_bound(1 / 3, 3, 6)
    status, text, _ = run(capsys, "facts", str(path), *columns, "--min-errors", "2",
                          "--max-errors", "3")
    assert status == 0 and text == head + (
        f"Theorem 2, with probability >= 99%: err >= {lower:.4f} (vacuous: not above 0); "
        "no N makes it positive\n"
        f"Theorem 2, calibrated learner, with probability >= 99%: err <= {upper:.4f} "
        "(vacuous: not below 1)\n")
    status, text, _ = run(capsys, "facts", str(path), *columns)
    assert text == head + ("(give --min-errors / --max-errors, the numbers of wrong answers per "
                           "prompt, for Theorem 2's bounds)\n")


def test_facts_upper_bound_of_exactly_1_is_vacuous(capsys, tmp_path):
    """One prompt answered 169 times: sr = 0, so the upper bound is 13 / sqrt(169) = 1 exactly."""
    path = tmp_path / "same.csv"
    path.write_text("prompt,answer\n" + "p,a\n" * 169)
    up = run_json(capsys, "facts", str(path), "--max-errors", "5")["theorem2_upper_bound"]
    assert up["value"] == 1.0 and up["vacuous"] is True


def test_facts_bounds_between_the_vacuity_lines(capsys, tmp_path):
    """10^4 prompts seen once each (sr = 1): the lower bound is positive and below 1 (not
    vacuous), the upper bound lies in [1, 2) (vacuous); the gamma given reaches the N from
    which the lower bound is positive, and the text says the level; one of --min-errors and
    --max-errors is enough to drop the hint."""
    path = tmp_path / "distinct.csv"
    path.write_text("prompt,answer\n" + "".join(f"p{i},a{i}\n" for i in range(10_000)))
    out = run_json(capsys, "facts", str(path), "--min-errors", "1000", "--max-errors", "1000")
    low, up = out["theorem2_lower_bound"], out["theorem2_upper_bound"]
    assert 0 < low["value"] < 1 and low["vacuous"] is False
    assert 1 <= up["value"] < 2 and up["vacuous"] is True
    assert low["value"] == hp.theorem2_lower_bound(1.0, 1000, 10_000)
    halves = run_json(capsys, "facts", str(path), "--min-errors", "1000", "--gamma", "0.5")
    needed = halves["theorem2_lower_bound"]["positive_from_n"]
    assert needed == hp.theorem2_sample_size(1.0, 1000, gamma=0.5) < low["positive_from_n"]
    status, text, _ = run(capsys, "facts", str(path), "--min-errors", "1000", "--gamma", "0.5")
    assert status == 0 and "with probability >= 1 - gamma = 0.5: err >= " in text
    assert "vacuous" not in text and "give --min-errors" not in text
    status, text, _ = run(capsys, "facts", str(path), "--max-errors", "1000")
    assert "err <= 1.1290 (vacuous: not below 1)\n" in text and "give --min-errors" not in text


def test_json_output_is_indented(capsys):
    """--json prints one JSON object indented by two spaces, for reading as well as parsing."""
    for argv in (["score", CSV], ["calibration", CSV], ["facts", str(EXAMPLES / "facts.csv")]):
        status, out, _ = run(capsys, *argv, "--json")
        assert status == 0 and out == json.dumps(json.loads(out), indent=2) + "\n"


def test_tables_are_aligned_columns(capsys):
    """The readable output: the first line counts the questions; each table's header names its
    columns, and every cell of a row starts where its column's name starts."""
    results = read_results(CSV)
    status, text, _ = run(capsys, "score", CSV, "--target", "0.75")
    lines = text.split("\n")
    c = results.summary([F(3, 4)])["counts"]
    assert lines[:2] == [f"{CSV}: {results.n} questions ({c['correct']} correct, "
                         f"{c['incorrect']} incorrect, {c['not_attempted']} not attempted)", ""]
    header = lines[2]
    starts = [header.index(name) for name in ("rate", "value", "95% interval (Wilson)")]
    assert starts[0] == 0
    rates = results.summary([F(3, 4)])["rates"]
    for line, (name, grade) in zip(lines[3:6], [("accuracy", "correct"), ("error rate", "incorrect"),
                                                ("abstention rate", "not_attempted")]):
        assert line.startswith(name) and line == line.rstrip()
        assert line[starts[1]:].startswith(f"{rates[grade]['value']:.4f}  ")
        low, high = rates[grade]["interval"]
        assert line[starts[2]:] == f"[{low:.4f}, {high:.4f}]"
    names = ["target t", "penalty", "policy", "threshold", "score", "95% interval (bootstrap)"]
    header = lines[7]
    starts = [header.index(name) for name in names]
    assert starts == sorted(starts) and starts[0] == 0
    policies = [line[starts[2]:starts[3]].strip() for line in lines[8:11]]
    assert policies == ["as graded", "answer iff confidence > t", "best threshold (on these data)"]
    assert lines[8][starts[3]:starts[4]].strip() == "-"  # as graded: no threshold
    assert lines[11] == "" and lines[12].startswith("calibration of the answers (10 equal-width")
    status, text, _ = run(capsys, "calibration", CSV)
    lines = text.split("\n")
    header = lines[3]
    names = ["bin", "count", "accuracy", "confidence", "gap"]
    starts = [header.index(name) for name in names]
    assert header.split() == names and starts[0] == 0
    for line, row in zip(lines[4:], results.reliability().rows()):
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        assert cells == [f"({row['lower']:.3f}, {row['upper']:.3f}]", str(row["count"]),
                         f"{row['accuracy']:.4f}", f"{row['confidence']:.4f}",
                         f"{abs(row['accuracy'] - row['confidence']):.4f}"]


def test_json_keys(capsys):
    """The keys of the JSON objects, which scripts read by name."""
    cal = run_json(capsys, "calibration", CSV)
    assert set(cal) == {"source", "n", "bins", "strategy", "ece", "mce", "brier", "table"}
    assert (cal["source"], cal["bins"], cal["strategy"]) == (CSV, 10, "uniform")
    path = str(EXAMPLES / "facts.csv")
    facts = run_json(capsys, "facts", path, "--min-errors", "364", "--max-errors", "300",
                     "--delta", "0.01")
    assert set(facts) == {"source", "n", "n_prompts", "n_idk", "singleton_rate", "good_turing",
                          "theorem2_lower_bound", "theorem2_upper_bound", "gamma"}
    assert facts["source"] == path
    assert facts["theorem2_lower_bound"]["min_errors"] == 364
    assert facts["theorem2_lower_bound"]["delta"] == 0.01
    assert facts["theorem2_upper_bound"]["max_errors"] == 300
    assert set(facts["theorem2_lower_bound"]) == {"value", "vacuous", "min_errors", "delta",
                                                  "positive_from_n"}


@pytest.mark.parametrize("argv", [["score", CSV, "--boot", "1"],
                                  ["facts", str(EXAMPLES / "facts.csv"), "--gamma", "1",
                                   "--min-errors", "364"]])
def test_number_options_at_their_edges(capsys, argv):
    """The smallest accepted bootstrap count (1) and the largest gamma (1) are accepted."""
    status, _, err = run(capsys, *argv)
    assert status == 0, err


def test_format_auto_may_be_given(capsys):
    assert run_json(capsys, "score", CSV, "--format", "auto") == run_json(capsys, "score", CSV)


def test_usage_names_the_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: hallu-proofs ")
    assert " ".join(cli.__doc__.split("\n\n")[0].split()) in " ".join(out.split())


def test_facts_csv_blank_lines_and_long_rows(capsys, tmp_path):
    """A blank line inside a CSV is passed over; a row longer than the header names the header's
    last field."""
    path = tmp_path / "f.csv"
    path.write_text("prompt,answer\na,b\n\nc,d\n")
    assert run_json(capsys, "facts", str(path))["n"] == 2
    path.write_text("prompt,answer\na,b\nc,d,e\n")
    status, out, err = run(capsys, "facts", str(path))
    assert status == 1 and "f.csv: line 3: field 'answer': the row has 3 fields, the header 2" in err


@pytest.mark.parametrize("ending, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                           (".svg", b"<?xml")])
def test_calibration_writes_the_reliability_diagram(capsys, tmp_path, ending, magic):
    """--plot FILE writes the diagram in the format its ending names, and says where."""
    path = tmp_path / f"diagram{ending}"
    status, text, err = run(capsys, "calibration", CSV, "--plot", str(path))
    assert status == 0, err
    assert path.read_bytes().startswith(magic)
    assert text.endswith(f"reliability diagram: {path}\n")
    other = tmp_path / f"again{ending}"
    assert run_json(capsys, "calibration", CSV, "--plot", str(other))["plot"] == str(other)
    assert other.exists()


def test_the_png_diagram_is_drawn_square_and_laid_out(capsys, tmp_path):
    """The PNG is 4.5 x 4.5 inches at matplotlib's default 100 dpi, holds the drawing (not a
    blank page), and the constrained layout keeps the axis labels inside it."""
    import matplotlib.image

    path = tmp_path / "diagram.png"
    run(capsys, "calibration", CSV, "--plot", str(path))
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[:2] == (450, 450)
    ink = pixels[..., :3].min(axis=2) < 0.5  # dark pixels: lines, text
    assert ink.mean() > 0.01
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows[0] < 25 and rows[-1] > 425 and cols[0] < 25  # drawn out to the edges


def test_no_diagram_from_a_bad_file(capsys, tmp_path):
    """A bad file exits 1 before any diagram is written (nothing partial)."""
    bad, path = tmp_path / "bad.csv", tmp_path / "diagram.png"
    bad.write_text("grade,confidence\nA,0.5\nB,1.5\n")
    status, out, err = run(capsys, "calibration", str(bad), "--plot", str(path))
    assert (status, out) == (1, "") and "line 3: field 'confidence'" in err
    assert not path.exists()


@pytest.mark.parametrize("name, text, argv, message", [
    ("bad.csv", "grade,confidence\nA,0.5\nB,1.5\n", ["score"],
     "bad.csv: line 3: field 'confidence': '1.5' is not in [0, 1]"),
    ("bad.csv", "grade\nA\nmaybe\n", ["calibration"],
     "bad.csv: line 3: field 'grade': unknown grade 'maybe'"),
    ("bad.jsonl", '{"grade": "A"}\n{"id": 1}\n', ["score"], "bad.jsonl: line 2: field 'grade': missing"),
    ("bad.csv", "grade\nA\n", ["calibration"], "the results of"),
    ("f.csv", "prompt,reply\na,b\n", ["facts"], "f.csv: line 1: field 'answer': missing from the header"),
    ("f.csv", "prompt,answer\na,b\nc\n", ["facts"], "f.csv: line 3: field 'answer': the row has 1 fields"),
    ("f.csv", "prompt,answer\n", ["facts"],
     "f.csv: line 2: field 'prompt': the file has a header but no rows"),
    ("f.jsonl", '{"prompt": "a"}\n', ["facts"], "f.jsonl: line 1: field 'answer': missing"),
    ("f.txt", "prompt,answer\na,b\n", ["facts"], "f.txt: facts reads a .csv or .jsonl file"),
    ("f.csv", "prompt,answer\na,b\n", ["facts", "--delta", "2", "--min-errors", "3"],
     "delta must be in [0, 1], got 2.0"),
])
def test_bad_files_exit_1_and_print_nothing(capsys, tmp_path, name, text, argv, message):
    path = tmp_path / name
    path.write_text(text)
    status, out, err = run(capsys, argv[0], str(path), *argv[1:])
    assert status == 1 and out == ""
    assert err.startswith("hallu-proofs: error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("text, message", [
    ("", "line 1: field 'prompt': missing from the header []"),
    ("prompt,answer,extra\np1\n", "line 2: field 'answer': the row has 1 fields, the header 3"),
    ("prompt,answer,extra\np,a,e,more\n",
     "line 2: field 'extra': the row has 4 fields, the header 3"),
])
def test_bad_facts_files_named_in_full(capsys, tmp_path, text, message):
    """An empty file, a short row and a long row: the message names the file, the line and the
    field (the missing one, or the last one of the header for a long row)."""
    path = tmp_path / "f.csv"
    path.write_text(text)
    status, out, err = run(capsys, "facts", str(path))
    assert (status, out, err) == (1, "", f"hallu-proofs: error: {path}: {message}\n")


def test_missing_file(capsys, tmp_path):
    status, out, err = run(capsys, "score", str(tmp_path / "none.csv"))
    assert (status, out) == (1, "") and "none.csv: no such file" in err


@pytest.mark.parametrize("argv, message", [
    (["score", CSV, "--target", "1"], "a target must be in [0, 1), got 1"),
    (["score", CSV, "--target", "x"], "'x' is not a number"),
    (["score", CSV, "--level", "1.2"], "the level must be in (0, 1), got 1.2"),
    (["score", CSV, "--level", "x"], "'x' is not a number"),
    (["score", CSV, "--level", "1"], "the level must be in (0, 1), got 1"),
    (["score", CSV, "--level", "0"], "the level must be in (0, 1), got 0"),
    (["facts", CSV, "--gamma", "1.5"], "expected a number in (0, 1], got 1.5"),
    (["score", CSV, "--boot", "0"], "expected an integer >= 1, got 0"),
    (["score", CSV, "--bins", "x"], "'x' is not an integer"),
    (["calibration", CSV, "--strategy", "equal"], "invalid choice: 'equal'"),
    (["calibration", CSV, "--plot", "diagram.txt"],
     "the diagram's file must end in .png, .pdf, .svg, got diagram.txt"),
    (["facts", CSV, "--gamma", "0"], "expected a number in (0, 1], got 0"),
    (["facts", CSV, "--gamma", "x"], "'x' is not a number"),
    (["score", CSV, "--format", "xlsx"], "invalid choice: 'xlsx'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: command"),
])
def test_bad_command_lines_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err


def test_installed_console_script():
    """After ``pip install -e .`` the script sits next to the interpreter and runs."""
    script = Path(sys.executable).parent / "hallu-proofs"
    assert script.exists(), "run pip install --no-deps -e . first"
    done = subprocess.run([str(script), "score", CSV, "--target", "0.75", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == float(read_results(CSV).score(F(3, 4)))
    bad = subprocess.run([str(script), "score", str(EXAMPLES / "make_examples.py")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 1 and bad.stdout == "" and "cannot tell the format" in bad.stderr


def test_large_file_progress_bar_stays_off_stdout(capsys, tmp_path):
    """300,000 rows: the output is the same table; the bar (if shown) goes to stderr only."""
    rng = np.random.default_rng(0)
    q = np.round(rng.random(300_000), 3)
    grades = np.where(rng.random(q.size) < q, "A", "B")
    path = tmp_path / "big.csv"
    path.write_text("grade,confidence\n" + "".join(f"{g},{c}\n" for g, c in zip(grades, q)))
    out = run_json(capsys, "score", str(path), "--target", "0.5", "--boot", "100")
    assert out["n"] == 300_000
    assert out["score"] == float(hp.GradedResults(grades, confidence=q).score(F(1, 2)))
