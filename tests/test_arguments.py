"""Every argument of the public face is exercised with a value other than its default (issue 14).

The public face is every callable of ``hallu_proofs.__all__``: each function, each class's
constructor and public methods (``Instance.from_rows``, ``GradedResults.score`` ...), and the
public methods of the types that public functions return (``ReliabilityTable.rows``,
``PostTrainingRun.rates`` ...); and the options of every sub-command of ``hallu-proofs``
(``hallu_proofs.cli``).

The check is static: it parses the test sources (``tests/*.py``) with `ast` and never runs them.
What it counts, and where it approximates:

* A call is attributed to a public callable when its callee resolves, through the file's imports
  (``import hallu_proofs as hp``, ``from hallu_proofs import x``, ``from hallu_proofs.results
  import read_results``, ``from hallu_proofs import results`` ...), simple assignments
  (``f = hp.calibration_error``), ``for`` loops over a literal tuple or list of callables and
  ``pytest.mark.parametrize`` lists of them, to that very object (identity, so re-exports agree).
  Imports and assignments are collected per file, ignoring scope: a name bound anywhere in a file
  is taken to mean the same thing everywhere in it.
* A method called on an object (``results.score(t=0.5)``) cannot be resolved without types. Such
  a call ``x.name(...)``, whose receiver is not resolved, is attributed to every public method
  called ``name`` whose signature accepts it (its keywords are parameters of the method, it has
  no more positional arguments than the method takes). Any unrelated method with the same name
  and a compatible signature is therefore miscounted as a call of ours; the method names of the
  public face (``score``, ``summary``, ``rates`` ...) make this rare, not impossible.
* A parameter with a default counts as exercised when some call passes it, by keyword or by
  position, with an expression that is not statically equal to the default: a literal
  (``bins=10``), a constant of the library (``idk=hp.IDK``) or ``Fraction`` of literals equal to
  the default does not count; any other expression (a variable, a parametrized name, a
  computation) counts, since its value cannot be known without running the test; a name that
  a ``pytest.mark.parametrize`` list gives only literal defaults does not count. ``**mapping``
  counts for the keys of a dict literal only; arguments after ``*sequence`` are not mapped.
* A parameter without a default counts as exercised when the callable is called at all.
* A call inside a ``with pytest.raises(...)`` block does not count: it shows a refusal, not what
  the value does. (A refusal written as a lambda in a parametrize list still counts.)
* A command-line option of sub-command S counts when some argv list, tuple or call's arguments
  hold the string S and the option (``"--bins"`` or ``"--bins=5"``), with the strings of helper
  functions of the same file that the call reaches (``run_json(capsys, "score", CSV)`` adds the
  ``"--json"`` of ``run_json``). An option that takes a value counts only when the string after
  it is not the option's default (``"--format", "auto"`` does not count); a value that is not a
  literal counts.

The checker reads every test file but this one, and is tested on synthetic sources below, so
that it is seen to report a gap.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import sys
from fractions import Fraction
from pathlib import Path

import hallu_proofs as hp
from hallu_proofs import cli

TESTS = Path(__file__).resolve().parent
_MISSING = object()


# --------------------------------------------------------------------------- the public face

class Callable:
    """A public callable: its label, the object, its parameters (without self)."""

    def __init__(self, label, obj, signature, method_name=None, bound_first=False):
        self.label, self.obj, self.method_name = label, obj, method_name
        self.bound_first = bound_first
        params = list(signature.parameters.values())
        if bound_first:  # an unbound method: drop self
            params = params[1:]
        self.params = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        self.positional = [p for p in self.params if p.kind in (p.POSITIONAL_ONLY,
                                                                p.POSITIONAL_OR_KEYWORD)]
        self.names = {p.name for p in self.params}


def _methods(cls, owner_label):
    """The public methods of a class, plain, class- and static methods (not properties)."""
    found = []
    for name, raw in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(raw, (classmethod, staticmethod)):
            found.append(Callable(f"{owner_label}.{name}", raw.__func__,
                                  inspect.signature(getattr(cls, name)), method_name=name))
        elif inspect.isfunction(raw):
            found.append(Callable(f"{owner_label}.{name}", raw, inspect.signature(raw),
                                  method_name=name, bound_first=True))
    return found


def public_callables():
    """Every callable of the public face, as `Callable` records."""
    found, classes = [], {}
    for name in hp.__all__:
        obj = getattr(hp, name)
        if inspect.isclass(obj):
            classes[obj] = name
            found.append(Callable(name, obj, inspect.signature(obj)))
        elif inspect.isfunction(obj):
            found.append(Callable(name, obj, inspect.signature(obj)))
            returned = inspect.signature(obj).return_annotation
            if isinstance(returned, str):
                cls = getattr(sys.modules[obj.__module__], returned, None)
                if inspect.isclass(cls) and cls not in classes:
                    classes[cls] = f"{returned} (from {name})"
    for cls, label in classes.items():
        found.extend(_methods(cls, label.split(" ")[0]))
    return found


# --------------------------------------------------------------------------- resolving names

class _Scope:
    """What each name of one test file may stand for (a list of objects), from its imports."""

    def __init__(self, tree):
        self.env = {}
        self.parametrized = {}  # name -> the expressions a parametrize list gives it
        self.stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                       and isinstance(n.ctx, ast.Store)}
        self.functions = {node.name: node for node in ast.walk(tree)
                          if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in ("hallu_proofs", "fractions"):
                        module = importlib.import_module(alias.name)
                        if alias.asname:
                            self._bind(alias.asname, [module])
                        else:
                            top = alias.name.split(".")[0]
                            self._bind(top, [importlib.import_module(top)])
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                    node.module.split(".")[0] in ("hallu_proofs", "fractions"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    value = getattr(module, alias.name, _MISSING)
                    if value is _MISSING:
                        try:
                            value = importlib.import_module(f"{node.module}.{alias.name}")
                        except ImportError:
                            continue
                    self._bind(alias.asname or alias.name, [value])
        # assignments, loops and parametrize lists: repeat so that chains of aliases resolve
        for _ in range(3):
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                        isinstance(node.targets[0], ast.Name):
                    self._bind(node.targets[0].id, self.resolve(node.value))
                elif isinstance(node, ast.For) and isinstance(node.target, ast.Name) and \
                        isinstance(node.iter, (ast.Tuple, ast.List)):
                    for element in node.iter.elts:
                        self._bind(node.target.id, self.resolve(element))
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for decorator in node.decorator_list:
                        self._parametrize(decorator)

    def _bind(self, name, values):
        known = self.env.setdefault(name, [])
        for value in values:
            if not any(value is k for k in known):
                known.append(value)

    def _parametrize(self, decorator):
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr == "parametrize" and len(decorator.args) >= 2
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
                and isinstance(decorator.args[1], (ast.List, ast.Tuple))):
            return
        names = [n.strip() for n in decorator.args[0].value.split(",") if n.strip()]
        for row in decorator.args[1].elts:
            values = [row] if len(names) == 1 else \
                (row.elts if isinstance(row, (ast.Tuple, ast.List)) else [])
            for name, value in zip(names, values):
                self._bind(name, self.resolve(value))
                self.parametrized.setdefault(name, []).append(value)

    def resolve(self, node):
        """The objects an expression may evaluate to (empty when unknown)."""
        if isinstance(node, ast.Name):
            return list(self.env.get(node.id, []))
        if isinstance(node, ast.Attribute):
            out = []
            for base in self.resolve(node.value):
                value = getattr(base, node.attr, _MISSING)
                if value is _MISSING and inspect.ismodule(base):
                    try:
                        value = importlib.import_module(f"{base.__name__}.{node.attr}")
                    except ImportError:
                        value = _MISSING
                if value is not _MISSING:
                    out.append(value)
            return out
        return []

    def static_value(self, node):
        """The value of an expression known without running it, or _MISSING."""
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if isinstance(node, (ast.Name, ast.Attribute)):
            values = self.resolve(node)
            if len(values) == 1 and isinstance(values[0], (int, float, str, Fraction, type(None))):
                return values[0]
        if isinstance(node, ast.Call) and not node.keywords and \
                any(v is Fraction for v in self.resolve(node.func)):
            args = [self.static_value(a) for a in node.args]
            if all(a is not _MISSING for a in args):
                try:
                    return Fraction(*args)
                except (TypeError, ValueError, ZeroDivisionError):
                    return _MISSING
        return _MISSING


def _key(obj):
    return id(getattr(obj, "__func__", obj))


def _same_as_default(scope, node, default):
    if isinstance(node, ast.Name) and node.id in scope.parametrized and node.id not in scope.stored:
        return all(_same_as_default(scope, v, default) for v in scope.parametrized[node.id])
    value = scope.static_value(node)
    if value is _MISSING:
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):  # an array default, say: not comparable
        return False


def _passed(scope, call, target, offset=0):
    """Parameters of target that this call passes with a value other than their defaults."""
    passed = set()
    positional = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            break
        positional.append(arg)
    positional = positional[offset:]
    for param, arg in zip(target.positional, positional):
        if param.default is inspect.Parameter.empty or not _same_as_default(scope, arg, param.default):
            passed.add(param.name)
    by_name = {p.name: p for p in target.params}
    keywords = []
    for keyword in call.keywords:
        if keyword.arg is not None:
            keywords.append((keyword.arg, keyword.value))
        elif isinstance(keyword.value, ast.Dict):
            keywords += [(k.value, v) for k, v in zip(keyword.value.keys, keyword.value.values)
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    for name, value in keywords:
        param = by_name.get(name)
        if param is not None and (param.default is inspect.Parameter.empty
                                  or not _same_as_default(scope, value, param.default)):
            passed.add(name)
    return passed


def _accepts(target, call):
    """Whether a call's shape fits the target's signature (for unresolved method calls)."""
    keywords = {k.arg for k in call.keywords if k.arg is not None}
    n_positional = sum(1 for a in call.args if not isinstance(a, ast.Starred))
    return keywords <= target.names and n_positional <= len(target.positional)


def _refusals(tree):
    """The calls inside ``with pytest.raises(...)`` blocks."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
                isinstance(item.context_expr, ast.Call)
                and isinstance(item.context_expr.func, ast.Attribute)
                and item.context_expr.func.attr == "raises" for item in node.items):
            inside |= {id(n) for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Call)}
    return inside


def argument_gaps(sources, callables=None):
    """(label, parameter) pairs never exercised with a non-default value in ``sources``.

    ``sources`` maps a file name to its Python text. A callable never called at all is reported
    as ``(label, "(never called)")``; otherwise each parameter with a default that no call
    passes with another value is reported.
    """
    callables = public_callables() if callables is None else callables
    by_object = {_key(c.obj): c for c in callables}
    by_method = {}
    for c in callables:
        if c.method_name:
            by_method.setdefault(c.method_name, []).append(c)
    called, exercised = set(), {c.label: set() for c in callables}
    for name, text in sources.items():
        tree = ast.parse(text, filename=name)
        scope = _Scope(tree)
        refusals = _refusals(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or id(call) in refusals:
                continue
            targets = scope.resolve(call.func)
            hits = [by_object[_key(t)] for t in targets if _key(t) in by_object]
            for target in hits:
                # a plain method resolves only through its class (GradedResults.score(r, t)),
                # so its first positional argument is self
                called.add(target.label)
                exercised[target.label] |= _passed(scope, call, target, int(target.bound_first))
            if not targets and isinstance(call.func, ast.Attribute):
                for target in by_method.get(call.func.attr, []):
                    if _accepts(target, call):
                        called.add(target.label)
                        exercised[target.label] |= _passed(scope, call, target)
    gaps = []
    for c in callables:
        if c.label not in called:
            gaps.append((c.label, "(never called)"))
            continue
        gaps += [(c.label, p.name) for p in c.params
                 if p.default is not inspect.Parameter.empty and p.name not in exercised[c.label]]
    return gaps


# --------------------------------------------------------------------------- the command line

def cli_options(parser=None):
    """{sub-command: {option string: its default (None when it has none; _MISSING for a flag)}}."""
    parser = cli.build_parser() if parser is None else parser
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = {}
    for name, sub in commands.choices.items():
        options[name] = {}
        for action in sub._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            long = max(action.option_strings, key=len)
            takes_value = action.nargs != 0
            options[name][long] = action.default if takes_value else _MISSING
    return options


def _strings(scope, node, seen=()):
    """The string constants of a call's arguments, a list or a tuple, in order, with those of
    the same file's helper functions the call reaches."""
    out = []
    elements = node.args + [k.value for k in node.keywords] if isinstance(node, ast.Call) else \
        node.elts
    for element in elements:
        if isinstance(element, ast.Starred):
            element = element.value
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            out.append(element.value)
        elif isinstance(element, (ast.List, ast.Tuple)):
            out += _strings(scope, element, seen)
        else:
            out.append(_MISSING)  # a value not known statically
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id in scope.functions and node.func.id not in seen:
        helper = scope.functions[node.func.id]
        for inner in ast.walk(helper):
            if isinstance(inner, (ast.Call, ast.List, ast.Tuple)):
                out += [_MISSING] + _strings(scope, inner, (*seen, node.func.id))
    return out


def cli_gaps(sources, options=None):
    """(sub-command, option) pairs that no argv in ``sources`` exercises; a sub-command never
    run is reported as ``(name, "(never run)")``."""
    options = cli_options() if options is None else options
    run, seen = set(), {name: set() for name in options}
    for name, text in sources.items():
        tree = ast.parse(text, filename=name)
        scope = _Scope(tree)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Call, ast.List, ast.Tuple)):
                continue
            strings = _strings(scope, node)
            for command, opts in options.items():
                if command not in strings:
                    continue
                run.add(command)
                for i, s in enumerate(strings):
                    if not isinstance(s, str) or not s.startswith("--"):
                        continue
                    option, _, inline = s.partition("=")
                    if option not in opts:
                        continue
                    default = opts[option]
                    if default is _MISSING:  # a flag
                        seen[command].add(option)
                        continue
                    value = inline if inline else (strings[i + 1] if i + 1 < len(strings)
                                                   else _MISSING)
                    if value is _MISSING or value != str(default):
                        seen[command].add(option)
    gaps = []
    for command, opts in options.items():
        if command not in run:
            gaps.append((command, "(never run)"))
        else:
            gaps += [(command, o) for o in opts if o not in seen[command]]
    return gaps


def read_test_sources():
    """The test files, but this one: its tuples such as ("score", "--bins") are the checker's
    expectations on synthetic sources, not command lines."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(TESTS.glob("*.py"))
            if path.name != Path(__file__).name}


# --------------------------------------------------------------------------- the checks

def test_every_public_argument_is_exercised_with_a_non_default_value():
    gaps = argument_gaps(read_test_sources())
    assert not gaps, "never exercised with a non-default value:\n" + "\n".join(
        f"  {label}: {param}" for label, param in gaps)


def test_every_cli_option_appears_in_some_argv():
    gaps = cli_gaps(read_test_sources())
    assert not gaps, "never given on a tested command line:\n" + "\n".join(
        f"  hallu-proofs {command} {option}" for command, option in gaps)


def test_the_public_face_is_what_is_checked():
    """The checker sees the functions, the constructors and the methods (not properties)."""
    labels = {c.label for c in public_callables()}
    assert {"singleton_rate", "Instance", "Instance.from_rows", "GradedResults.summary",
            "GradedResults.from_dataframe", "ReliabilityTable.rows",
            "PostTrainingRun.threshold_tolerance"} <= labels
    assert "GradedResults.accuracy" not in labels and "ROW_SUM_TOLERANCE" not in labels
    summary = next(c for c in public_callables() if c.label == "GradedResults.summary")
    assert [p.name for p in summary.params] == ["targets", "level", "n_boot", "rng", "bins"]
    assert set(cli_options()) == {"score", "calibration", "facts"}
    assert cli_options()["calibration"]["--strategy"] == "uniform"


# --------------------------------------------------------------------------- the checker can fail

def test_checker_reports_a_parameter_never_passed():
    source = (
        "import hallu_proofs as hp\n"
        "def test_x():\n"
        "    hp.singleton_rate([0], [1])\n"
        "    hp.good_turing([0, 0], exact=True)\n"
        "    with pytest.raises(ValueError):\n"
        "        hp.singleton_rate([0], [1], idk=5)\n"  # a refusal does not count
    )
    gaps = argument_gaps({"synthetic.py": source})
    assert ("singleton_rate", "idk") in gaps
    assert ("good_turing", "exact") not in gaps
    assert ("missing_mass", "(never called)") in gaps


def test_checker_does_not_count_the_default_value():
    source = (
        "from fractions import Fraction as F\n"
        "from hallu_proofs import singleton_rate, IDK\n"
        "from hallu_proofs.results import GradedResults\n"
        "import hallu_proofs as hp\n"
        "def test_x(results):\n"
        "    singleton_rate([0], [1], idk=IDK)\n"        # the default, through a constant
        "    singleton_rate([0], [1], -1)\n"             # the default, positionally
        "    hp.rescore(1, 0, 0, F(0))\n"                # the default, as a Fraction
        "    results.score(t=0)\n"                       # the default, on a method
        "    results.summary((0,), 0.8)\n"               # level passed positionally
    )
    gaps = argument_gaps({"synthetic.py": source})
    assert ("singleton_rate", "idk") in gaps
    assert ("rescore", "t") in gaps
    assert ("GradedResults.score", "t") in gaps
    assert ("GradedResults.summary", "level") not in gaps
    assert ("GradedResults.summary", "targets") in gaps  # (0,) is its default
    assert ("GradedResults.summary", "bins") in gaps


def test_checker_resolves_aliases_loops_and_parametrize():
    source = (
        "import pytest\n"
        "from hallu_proofs import reliability as rel\n"
        "import hallu_proofs as hp\n"
        "ece = rel.calibration_error\n"
        "@pytest.mark.parametrize('fn', [hp.max_calibration_error, hp.reliability_table])\n"
        "def test_x(fn, s):\n"
        "    ece([0.5], [True], bins=3)\n"
        "    fn([0.5], [True], strategy=s)\n"
        "    for g in (hp.theorem2_lower_bound, hp.theorem2_upper_bound):\n"
        "        g(0.2, 3, 100, gamma=0.1)\n"
        "    hp.Instance.from_rows([], [], [], normalize=True)\n"
        "    other.unrelated_method(x=1)\n"
        "@pytest.mark.parametrize('d, e', [(0, False), (0.0, False)])\n"
        "def test_y(d, e):\n"
        "    hp.theorem2_bounds(0.2, 3, 3, 100, delta=d, gamma=0.1)\n"  # d is always 0
        "    hp.good_turing([0], exact=e)\n"
    )
    gaps = set(argument_gaps({"synthetic.py": source}))
    assert ("calibration_error", "bins") not in gaps
    assert ("calibration_error", "strategy") in gaps
    assert ("max_calibration_error", "strategy") not in gaps
    assert ("reliability_table", "strategy") not in gaps
    assert ("theorem2_upper_bound", "gamma") not in gaps
    assert ("theorem2_lower_bound", "delta") in gaps
    assert ("Instance.from_rows", "normalize") not in gaps
    assert ("Instance.from_rows", "mu") in gaps
    assert ("theorem2_bounds", "delta") in gaps and ("good_turing", "exact") in gaps
    assert ("theorem2_bounds", "gamma") not in gaps


def test_checker_reports_a_cli_option_never_given():
    source = (
        "from hallu_proofs import cli\n"
        "def run(*argv):\n"
        "    return cli.main([*argv, '--json'])\n"
        "def test_x(path):\n"
        "    run('score', path, '--bins', '5', '--format=csv')\n"
        "    cli.main(['calibration', path, '--strategy', 'uniform'])\n"  # the default value
    )
    gaps = cli_gaps({"synthetic.py": source})
    assert ("score", "--bins") not in gaps and ("score", "--format") not in gaps
    assert ("score", "--json") not in gaps          # through the helper
    assert ("score", "--level") in gaps
    assert ("calibration", "--strategy") in gaps
    assert ("calibration", "--json") in gaps
    assert ("facts", "(never run)") in gaps
