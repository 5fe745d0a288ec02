"""The line notation of hand calculations: parsing, errors with line and column, writing."""

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd.notation import (
    Blank,
    Call,
    Deriv,
    Name,
    NotationError,
    Num,
    evaluate,
    format_line,
    format_number,
    leaves,
    parse_line,
    parse_work,
    read_work,
)

ALICE = {"w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3", "x1", "x2", "h1", "h2",
         "o1", "ypred", "L"}

# D4 ("Training a Neural Network, 2"), typed as it stands in the document: its own
# symbols (∂, ∗, −, ′, f for the sigmoid, w1x1 for w1*x1), in tests/data/d4_alice.txt.
D4 = (Path(__file__).resolve().parents[1] / "data" / "d4_alice.txt").read_text(encoding="utf-8")


def value(expr, names=None):
    names = names or {}
    sig = lambda z: 1 / (1 + math.exp(-z))
    funcs = {"f": sig, "sigmoid": sig}

    def call(func, prime, args):
        f = funcs[func]
        return f(args[0]) * (1 - f(args[0])) if prime else f(args[0])

    return evaluate(expr, lambda leaf: leaf.value if isinstance(leaf, Num)
                    else names[str(leaf)], call)


def test_d4_reads_as_the_document_writes_it():
    lines = parse_work(D4, known=ALICE)
    assert [line.kind for line in lines] == ["forward"] * 3 + ["derivative"] * 5
    assert [line.target for line in lines][:4] == ["h1", "h2", "o1", ("L", "w1")]
    assert [len(line.parts) for line in lines] == [3, 2, 3, 1, 3, 4, 4, 2]
    # w1x1 is w1*x1 because both names are known
    assert str(lines[0].parts[0]) == "f(w1*x1 + w2*x2 + b1)"
    # the document's numbers, evaluated: f(-3) = sigmoid(-3) = 0.0474 (to 3 digits)
    assert value(lines[0].parts[1]) == pytest.approx(1 / (1 + math.exp(3)))
    # the product of the rounded factors is 0.0214 (the document's last line)
    assert value(lines[7].parts[0]) == pytest.approx(-0.952 * 0.249 * -0.0904)
    assert value(lines[4].parts[1]) == pytest.approx(-2 * (1 - 0.524))
    chain = lines[3].parts[0]
    assert [leaf for leaf in leaves(chain)] == [Deriv("L", "ypred", 10),
                                              Deriv("ypred", "h1", 22),
                                              Deriv("h1", "w1", 35)]


def test_derivative_names_are_never_divisions():
    line = parse_line("dL/dw1 = dL/dh * dh / dw1")
    assert [str(x) for x in leaves(line.parts[0])] == ["dL/dh", "dh/dw1"]
    assert value(parse_line("y = a/b").parts[0], {"a": 6, "b": 3}) == 2
    assert str(parse_line("∂L/∂x = 1").target_text) == "dL/dx"


def test_juxtaposition_products_and_unicode_operators():
    cases = {
        "y = (-0.952)(0.249)(-0.0904)": -0.952 * 0.249 * -0.0904,
        "y = 2·3×4": 24,
        "y = 2 − 3 – 1": -2,
        "y = −2(1 − 0.5)": -1,
        "y = 2^3": 8,
        "y = -2**2": -4,
        "y = 1e-3 * 2": 0.002,
        "y = [1 + 1] * 3": 6,
    }
    for text, expected in cases.items():
        assert value(parse_line(text).parts[0]) == pytest.approx(expected), text


def test_names_split_only_when_known_and_unambiguous():
    line = parse_line("y = w1x1", known={"w1", "x1"})
    assert str(line.parts[0]) == "w1*x1"
    assert str(parse_line("y = w1x1").parts[0]) == "w1x1"  # unknown names: one name
    # "ab" could be a*b or the node "ab": a known name is never split
    assert str(parse_line("y = ab", known={"a", "b", "ab"}).parts[0]) == "ab"
    # two ways to split: left as one name (the checker will call it unknown)
    assert str(parse_line("y = abc", known={"a", "bc", "ab", "c"}).parts[0]) == "abc"
    # a node followed by "(" multiplies; a function or unknown name is called
    assert str(parse_line("y = w5(h1 + h2)", known={"w5", "h1", "h2"}).parts[0]) \
        == "w5*(h1 + h2)"
    call = parse_line("y = f'(z)", known={"z"}).parts[0]
    assert isinstance(call, Call) and call.prime and call.func == "f"


def test_update_lines_and_blanks():
    for arrow in ("←", "<-"):
        line = parse_line(f"w1 {arrow} w1 - η*dL/dw1 = 0.998")
        assert line.kind == "update" and line.target == "w1"
        assert [str(leaf) for leaf in leaves(line.parts[0])] == ["w1", "η", "dL/dw1"]
    line = parse_line("dL/dw1 = ___ = ?")
    assert line.parts == (Blank(10), Blank(16))


def test_skipped_lines():
    assert parse_line("") is None and parse_line("   ") is None
    assert parse_line("# Forward pass") is None and parse_line("  ## heading") is None
    assert len(parse_work("# a\n\nh = 1\n")) == 1


@pytest.mark.parametrize("text, line, column, words", [
    ("h1 = ", 1, 6, "expected an expression"),
    ("h1 = (1 + 2", 1, 12, "missing ')'"),
    ("3 = 4", 1, 1, "starts with a node's name"),
    ("h1 = 2 $ 3", 1, 8, "unexpected character '$'"),
    ("h1 = 0.1 0.2", 1, 10, "unexpected '0.2'"),
    ("dL/dw1 <- 3", 1, 8, "assigns a node"),
    ("h1 0.5", 1, 4, "expected '='"),
    ("h1 = f'", 1, 8, "write f'(x)"),
    ("h1 = sigmoid()", 1, 6, "needs an argument"),
    ("h1 = 1 = ? 2", 1, 12, "stands alone"),
])
def test_errors_name_line_and_column(text, line, column, words):
    with pytest.raises(NotationError) as info:
        parse_work("# comment\n" * (line - 1) + text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in str(info.value)
    assert str(info.value).startswith(f"line {line}, column {column}: ")
    assert isinstance(info.value, ValueError)


def test_error_line_numbers_count_skipped_lines():
    with pytest.raises(NotationError) as info:
        parse_work("# heading\n\nh1 = 1\nh2 = = 3\n")
    assert (info.value.line, info.value.column) == (4, 6)


def test_nesting_and_length_are_bounded():
    with pytest.raises(NotationError, match="nested more than"):
        parse_line("y = " + "(" * 200 + "1" + ")" * 200)
    with pytest.raises(NotationError, match="nested more than"):
        parse_line("y = " + "-" * 200 + "1")
    with pytest.raises(NotationError, match="characters"):
        parse_line("y = " + "1+" * 10_000 + "1")
    # a long flat product is fine (no recursion over its length)
    line = parse_line("y = " + "*".join(["1"] * 3000))
    assert value(line.parts[0]) == 1


def test_precision_of_written_numbers():
    assert Num("0.0214", 1).quantum == pytest.approx(1e-4)
    assert Num("-0.952", 1).quantum == pytest.approx(1e-3)
    assert Num("3", 1).quantum == 0  # a whole number is exact
    assert Num("3.00", 1).quantum == pytest.approx(0.01)
    assert Num("1.50e-7", 1).quantum == pytest.approx(1e-9)


def test_evaluation_is_ieee():
    assert value(parse_line("y = 1/0").parts[0]) == math.inf
    assert value(parse_line("y = -1/0").parts[0]) == -math.inf
    assert math.isnan(value(parse_line("y = 0/0").parts[0]))
    assert math.isnan(value(parse_line("y = (-8)**0.5").parts[0]))
    assert value(parse_line("y = 10**400").parts[0]) == math.inf


def test_format_number_as_hand_calculations_write():
    assert format_number(0.021480) == "0.0215"
    assert format_number(-0.0903532) == "-0.0904"
    assert format_number(-0.21) == "-0.210"
    assert format_number(3.0) == "3"
    assert format_number(1.5e-7) == "1.50e-07"
    assert format_number(math.inf) == "inf" and format_number(math.nan) == "nan"
    assert format_number(-0.0) == "-0"
    with pytest.raises(ValueError):
        format_number(1.0, 0)


def test_the_writer_emits_what_the_parser_reads():
    line = format_line(("L", "w1"), "dL/dypred * dypred/dh1 * dh1/dw1",
                       "(-0.952)(0.249)(-0.0904)", 0.0214268)
    assert line == ("dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904)"
                    " = 0.0214")
    parsed = parse_line(line)
    assert parsed.target == ("L", "w1") and parsed.parts[-1] == Num("0.0214", 72)
    assert format_line("w1", "w1 - lr*dL/dw1", None, update=True) == \
        "w1 ← w1 - lr*dL/dw1 = ?"
    # parsed expressions print back to text that parses to the same tree
    for first in parse_work(D4, known=ALICE):
        again = parse_line(format_line(first.target, *first.parts, update=False),
                           known=ALICE)
        assert [str(p) for p in again.parts] == [str(p) for p in first.parts]
    with pytest.raises(ValueError):
        format_line("h1", "1 +")
    with pytest.raises(ValueError):
        format_line("h1")


def test_read_work_accepts_text_paths_lines_and_dicts(tmp_path):
    assert read_work("h1 = 0.0474") == "h1 = 0.0474"
    path = tmp_path / "hand.txt"
    path.write_text("h1 = 0.0474\n", encoding="utf-8")
    assert read_work(Path(path)) == "h1 = 0.0474\n"
    assert read_work(["h1 = 0.0474", "h2 = 0.0474"]) == "h1 = 0.0474\nh2 = 0.0474"
    text = read_work({"h1": 0.0474, "dL/dw1": 0.0214})
    assert [(line.target, str(line.parts[0])) for line in parse_work(text)] == \
        [("h1", "0.0474"), (("L", "w1"), "0.0214")]
    for bad in (3, None, {"h1": "x", 1: 2}, ["a\nb"], [1]):
        with pytest.raises(TypeError):
            read_work(bad)
    assert isinstance(parse_line("h = x").parts[0], Name)


ALPHABET = "hdLw1x2/∂=←<-−+*∗·()'′ .0123456789_?#eσf,^"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_any_text_reads_or_is_refused_with_a_place(text):
    try:
        line = parse_line(text, known=ALICE)
    except NotationError as e:
        assert 1 <= e.column <= len(text) + 1 and e.line == 1
        return
    if line is not None:  # what was read prints back to something that reads the same
        again = parse_line(format_line(line.target, *line.parts), known=ALICE)
        assert [str(p) for p in again.parts] == [str(p) for p in line.parts]


def test_a_derivative_of_a_name_that_is_not_plain_is_parenthesised():
    from autograd.notation import derivative_name

    assert derivative_name("L", "w1") == "dL/dw1"
    assert derivative_name("layers.0.w.1", "#31") == "dlayers.0.w.1/d#31"
    # the lecture labels a node with its own formula
    assert derivative_name("n", "x1*w1 + x2*w2") == "dn/d(x1*w1 + x2*w2)"
