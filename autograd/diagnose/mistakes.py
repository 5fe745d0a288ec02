"""The known slips: for each target its right value and the values of the mistakes
that give wrong ones (:class:`Mistake`, a kind from :data:`KINDS`), and the correct formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..notation import derivative_name, format_number
from ..rules import rule_of
from .formulas import chain_text, local_formula_text, node_formula
from .graph_eval import GraphEval, is_activation, paths_between

__all__ = ["SIGN", "KINDS", "Mistake", "Diagnoser"]


#: The diagnosis kind "the sign is flipped" (a word, not the op of that name).
SIGN = "sign"
#: Every diagnosis kind, in the order they are tried (tests and tools rely on these).
KINDS = (SIGN, "missing_path", "missing_factor", "extra_factor", "pre_activation",
         "other_node", "after_update", "carried", "rounding", "formula", "unknown")


@dataclass(frozen=True)
class Mistake:
    """A known slip for a target: its kind (:data:`KINDS`), the wrong value it gives,
    and a sentence for people (``describe``: the text, or a function that writes it
    when it is needed: a large graph has thousands of candidate slips)."""

    kind: str
    value: float
    describe: str | Callable[[], str]

    @property
    def message(self) -> str:
        return self.describe if isinstance(self.describe, str) else self.describe()


class Diagnoser:
    """The right value of each target, the values of the known slips, the formula."""

    def __init__(self, graph: GraphEval, lr: float | None) -> None:
        self.g = graph
        self.lr = lr
        self.params: list[int] = []  # the leaves an SGD step moves (see updated())
        self._candidates: dict[tuple, list[Mistake]] = {}
        self._updated: list[float] | None = None

    def truth(self, key: tuple, vals: list[float] | None = None,
              point: int | None = None) -> float:
        if key[0] == "lr":
            return self.lr if self.lr is not None else math.nan
        if key[0] == "v":
            return (vals or self.g.base)[key[1]]
        if key[0] == "d":
            return self.g.adjoint(key[1], vals, point)[key[2]]
        # ("u", i): the value of leaf i after one SGD step
        root = self.g.root_index
        return (vals or self.g.base)[key[1]] - self.lr * self.g.adjoint(
            root, vals, point)[key[1]]

    def target_text(self, key: tuple) -> str:
        if key[0] == "d":
            return derivative_name(self.g.show(key[1]), self.g.show(key[2]))
        return self.g.show(key[1])

    # -- what the right answer is ------------------------------------------------------
    def formula(self, key: tuple) -> str:
        """The correct formula, from the rule table, as ``explain`` writes it."""
        g = self.g
        exact = format_number(self.truth(key), 4)
        if key[0] == "u":
            name = g.show(key[1])
            return (f"The update is {name} ← {name} - η*d{g.show(g.root_index)}/d{name}"
                    f" = {exact}.")
        if key[0] == "v" and not g.inputs[key[1]]:
            return f"{g.show(key[1])} is a leaf of the graph, holding {exact}."
        if key[0] == "v":
            return f"{g.show(key[1])} = {node_formula(g, key[1])} = {exact}."
        return f"By the chain rule: {chain_text(g, key[1], key[2])} = {exact}."

    def updated(self) -> list[float]:
        """Forward values after one SGD step on the parameters: the leaves given as
        :attr:`params`, else every named leaf (a plain graph does not say which leaves
        are data)."""
        if self._updated is None:
            g = self.g
            grads = g.adjoint(g.root_index)
            params = self.params if self.params else [i for i in g.name if not g.inputs[i]]
            moved = {i: g.base[i] - self.lr * grads[i] for i in params}
            self._updated = g.forward(moved)
        return self._updated

    def candidates(self, key: tuple) -> list[Mistake]:
        """The values of the known slips for ``key``, in the order of :data:`KINDS`."""
        if key in self._candidates:
            return self._candidates[key]
        g, t = self.g, self.truth(key)
        out: list[Mistake] = []
        name = self.target_text(key)
        if t != 0:
            out.append(Mistake(SIGN, -t, f"The sign is flipped: {name} is "
                                              f"{format_number(t, 4)}, not "
                                              f"{format_number(-t, 4)}."))
        if key[0] == "d":
            out += self.path_candidates(key[1], key[2], t)
        if key[0] == "u" and self.lr:
            i = key[1]
            gr = g.adjoint(g.root_index)[i]
            out.append(Mistake(SIGN, g.base[i] + self.lr * gr,
                                  "The step goes up the gradient: subtract η times the "
                                  "derivative, do not add it."))
            out.append(Mistake("missing_factor", g.base[i] - gr,
                                  "The learning rate η is missing from the step."))
            out.append(Mistake("after_update", g.base[i] - 2 * self.lr * gr,
                                  "The step is applied twice."))
        out += self.other_candidates(key, t)
        if self.lr and key[0] in ("v", "d"):
            u = self.updated()
            after = u[key[1]] if key[0] == "v" else g.adjoint(key[1], u)[key[2]]
            out.append(Mistake("after_update", after, (
                f"This is {name} after the SGD step with lr={self.lr:g} "
                f"({format_number(after, 4)}); the work is at the point before it.")))
        self._candidates[key] = out
        return out

    def path_candidates(self, top: int, bottom: int, t: float) -> list[Mistake]:
        g = self.g
        paths = paths_between(g, top, bottom)
        out: list[Mistake] = []
        if paths is None or not paths:
            return out
        ps_at = {}

        def partial(i, k):
            if i not in ps_at:
                ps_at[i] = g.partials(i, g.base)
            return ps_at[i][k]

        contributions = [math.prod(partial(i, k) for i, k, _ in p) for p in paths]
        if len(paths) > 1:
            total = derivative_name(g.show(top), g.show(bottom))
            for p, c in zip(paths, contributions):
                out.append(Mistake("missing_path", t - c, (
                    f"The path {_path_text(g, p)} is missing: {total} sums "
                    f"{len(paths)} paths, and this one contributes {format_number(c, 4)}.")))
        for kind in ("missing_factor", "extra_factor"):
            for p, c in zip(paths, contributions):
                for i, k, _ in p:
                    e = partial(i, k)
                    if e in (0.0, 1.0, -1.0) or not math.isfinite(e):
                        continue
                    changed = c / e if kind == "missing_factor" else c * e
                    verb = "is missing" if kind == "missing_factor" else "is counted twice"
                    out.append(Mistake(kind, t - c + changed, (
                        f"The factor {local_formula_text(g, i, k)} = {format_number(e, 4)} "
                        f"{verb}.")))
        for p, c in zip(paths, contributions):
            for i, k, child in p:
                op = g.order[i].op
                e = partial(i, k)
                if not is_activation(op) or e == 0.0 or not math.isfinite(e):
                    continue
                rule = rule_of(op)
                z, out_v = g.base[child], g.base[i]
                node = g.order[i]
                wrong_at_input = rule.local_partials(z, node.ctx, [z])[0]
                out.append(Mistake("pre_activation", t - c + c / e * wrong_at_input, (
                    f"The derivative of {op} at {g.show(i)} is written in terms of its "
                    f"input ({format_number(z, 4)}) where the rule uses its output "
                    f"{g.show(i)} = {format_number(out_v, 4)}: "
                    f"{local_formula_text(g, i, k)} = {format_number(e, 4)}.")))
        return out

    def other_candidates(self, key: tuple, t: float) -> list[Mistake]:
        g = self.g
        out: list[Mistake] = []
        root = g.root_index
        if key[0] == "d":
            top, bottom = key[1], key[2]
            seen = {(top, bottom)}
            pairs = []
            adj_top = g.adjoint(top)
            pairs += [((top, x), adj_top[x]) for x in g.name if x != bottom]
            tan = g.tangent(bottom)
            pairs += [((y, bottom), tan[y]) for y in g.name if y != top]
            adj_root = g.adjoint(root)
            pairs += [((root, x), adj_root[x]) for x in g.name]
            for (a, b), v in pairs:
                if (a, b) in seen or a == b or v == 0:
                    continue
                seen.add((a, b))
                out.append(Mistake("other_node", v, lambda a=a, b=b, v=v: (
                    f"This is {derivative_name(g.show(a), g.show(b))} "
                    f"({format_number(v, 4)}), not {self.target_text(key)}.")))
        if key[0] == "u":
            grads = g.adjoint(root)
            for x in g.name:
                if x != key[1] and not g.inputs[x]:
                    v = g.base[x] - self.lr * grads[x]
                    out.append(Mistake("other_node", v, lambda x=x: f"This is the update "
                                                                       f"of {g.show(x)}."))
            return out
        target = key[1] if key[0] == "v" else None
        for x in list(g.name) + (g.inputs[target] if target is not None else []):
            if x == target:
                continue

            def what(x=x, target=target):
                shown = (f"the value of {g.show(x)}" if x in g.name else
                         f"the input of {g.order[target].op} at {g.show(target)}, "
                         f"{node_formula(g, x)}")
                return f"This is {shown} ({format_number(g.base[x], 4)})."
            out.append(Mistake("other_node", g.base[x], what))
        return out


def _path_text(g: GraphEval, path) -> str:
    nodes = [path[0][0]] + [c for _, _, c in path]
    shown = [g.show(i) for i in nodes if i in g.name or i == nodes[-1]]
    if len(shown) < 3 and len(nodes) > 2:  # unnamed middle: name the op it runs through
        inner = [g.order[i].op for i in nodes[1:-1]]
        return f"{shown[0]} → ({', '.join(inner)}) → {shown[-1]}"
    return " → ".join(shown)
