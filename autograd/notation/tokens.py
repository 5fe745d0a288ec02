"""The tokenizer of the line notation: the documents' operators and names read as ours."""

from __future__ import annotations

from dataclasses import dataclass

from .tree import NotationError

__all__ = ["Token", "tokenize"]


# How the documents write the operators, mapped to the language's own.
_TIMES = "*·×∗⋅"
_MINUS = "-−–"
_ARROWS = ("←", "<-", "⟵")


# --- the tokenizer ----------------------------------------------------------------------


def _is_name_start(ch: str) -> bool:
    return ch == "_" or (ch.isidentifier() and ch != "∂")


def _is_name_char(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


@dataclass(frozen=True)
class Token:
    kind: str  # num name deriv op ( ) , ' = ← blank end
    text: str
    col: int  # 1-based
    space_before: bool = False


def _read_name(text: str, i: int) -> int:
    """The end of a (possibly dotted: ``layers.0.w.1``) name starting at ``i``."""
    n = len(text)
    while i < n and _is_name_char(text[i]):
        i += 1
    while i + 1 < n and text[i] == "." and _is_name_char(text[i + 1]):
        i += 1
        while i < n and _is_name_char(text[i]):
            i += 1
    return i


def _read_number(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            while j < n and text[j].isdigit():
                j += 1
            i = j
    return i


def _derivative_at(text: str, i: int):
    """``(top, bottom, end)`` if a derivative name ``dA/dB`` or ``∂A/∂B`` starts at ``i``."""
    n = len(text)
    if i >= n or text[i] not in "d∂":
        return None
    j = i + 1
    if j >= n or not _is_name_start(text[j]):
        return None
    top_end = _read_name(text, j)
    k = top_end
    while k < n and text[k] == " ":
        k += 1
    if k >= n or text[k] != "/":
        return None
    k += 1
    while k < n and text[k] == " ":
        k += 1
    if k >= n or text[k] not in "d∂" or text[i] == "∂" and text[k] != "∂":
        return None
    if k + 1 >= n or not _is_name_start(text[k + 1]):
        return None
    bottom_end = _read_name(text, k + 1)
    return text[j:top_end], text[k + 1:bottom_end], bottom_end


def tokenize(text: str, lineno: int) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        col = i + 1
        if ch in " \t\u00a0":
            i += 1
            space = True
            continue
        deriv = _derivative_at(text, i)
        if deriv is not None:
            top, bottom, end = deriv
            out.append(Token("deriv", f"{top}/{bottom}", col, space))
            i = end
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            end = _read_number(text, i)
            out.append(Token("num", text[i:end], col, space))
            i = end
        elif _is_name_start(ch):
            end = _read_name(text, i)
            word = text[i:end]
            # "___" (two or more underscores alone) is a blank, as worksheets print them
            blank = len(word) > 1 and not word.strip("_")
            out.append(Token("blank" if blank else "name", word, col, space))
            i = end
        elif ch == "?":
            out.append(Token("blank", ch, col, space))
            i += 1
        elif text.startswith("**", i):
            out.append(Token("op", "**", col, space))
            i += 2
        elif text.startswith("<-", i):
            out.append(Token("←", "<-", col, space))
            i += 2
        elif ch in "←⟵":
            out.append(Token("←", ch, col, space))
            i += 1
        elif ch in _TIMES:
            out.append(Token("op", "*", col, space))
            i += 1
        elif ch in _MINUS:
            out.append(Token("op", "-", col, space))
            i += 1
        elif ch in "+/^":
            out.append(Token("op", "**" if ch == "^" else ch, col, space))
            i += 1
        elif ch in "()=,'′":
            out.append(Token("'" if ch in "'′" else ch, ch, col, space))
            i += 1
        elif ch in "[]{}":
            out.append(Token("(" if ch in "[{" else ")", ch, col, space))
            i += 1
        else:
            raise NotationError(f"unexpected character {ch!r}", lineno, col)
        space = False
    out.append(Token("end", "", n + 1, space))
    return out
