"""Rows 3-5: per-node costs on small and very deep graphs, ours against micrograd.

* ``a*b + c`` over many independent triples: forward and backward of each, so the cost
  of starting a backward pass counts as much as the cost per node;
* a chain ``y = y * a`` (one new node per link, ``a`` a shared leaf): time and peak
  memory 1,000,000 deep, and time 100,000 deep against micrograd (whose recursive
  topological sort needs its recursion limit raised);
* bytes per node of a chain held after forward and backward, by tracemalloc;
* the CPython floor: what the same chain costs per node built from bare objects and
  differentiated by an inline chain rule over a tape, next to ours.
"""

from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc

from autograd import Value

from .harness import (
    Row,
    all_close,
    close,
    fmt_time,
    interleaved,
    median,
    progress,
    without_collector,
)

CHAIN_FACTOR = 0.9999999  # d(a^n)/da = n a^(n-1): an exact oracle for the chain's gradient


def _micrograd_value():
    try:
        from micrograd.engine import Value as MValue
    except ImportError:
        return None
    return MValue


# --- row 3 --------------------------------------------------------------------------------
def triples(n: int, seed: int = 7) -> list[tuple[float, float, float]]:
    rng = random.Random(seed)
    return [(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(n)]


def abc_run(V, data) -> list[float]:
    """Forward and backward of a*b + c for every triple; the three gradients of each."""
    grads = []
    for x, y, z in data:
        a, b, c = V(x), V(y), V(z)
        out = a * b + c
        out.backward()
        grads += (a.grad, b.grad, c.grad)
    return grads


def run_abc(rounds: int, n: int = 100_000) -> Row:
    name = f"a*b + c, forward + backward, {n:,} triples: ours vs micrograd"
    data = triples(n)
    expected = [g for x, y, _ in data for g in (y, x, 1.0)]
    MValue = _micrograd_value()
    results = {}
    contenders = {"ours": lambda: results.__setitem__("ours", abc_run(Value, data))}
    if MValue is not None:
        contenders["micrograd"] = lambda: results.__setitem__("mg", abc_run(MValue, data))
    times = interleaved(contenders, rounds, warmup=1)
    t_ours = median(times["ours"])
    ok = all_close(results["ours"], expected)
    measured = f"ours {t_ours / n * 1e6:.2f} us per triple ({n / t_ours:,.0f} triples/s)"
    if MValue is None:
        return Row(name, measured + "; micrograd not installed", ok=ok)
    t_mg = median(times["micrograd"])
    ok = ok and all_close(results["mg"], expected)
    return Row(name, measured + f", micrograd {t_mg / n * 1e6:.2f} us",
               ratio=t_mg / t_ours, ok=ok)


# --- row 4 --------------------------------------------------------------------------------
def chain(V, n: int):
    """x, a and y = x * a^n built as n multiplications: n + 2 nodes."""
    x, a = V(1.0), V(CHAIN_FACTOR)
    y = x
    for _ in range(n):
        y = y * a
    return x, a, y


def chain_grads(V, n: int) -> tuple[float, float, float]:
    x, a, y = chain(V, n)
    y.backward()
    return y.data, x.grad, a.grad


def chain_ok(result, n: int) -> bool:
    y, gx, ga = result
    exact = CHAIN_FACTOR ** n
    # n rounded multiplications drift by up to ~n ulps: compare to 1e-9 relative.
    return close(y, exact) and close(gx, exact) and close(ga, n * exact / CHAIN_FACTOR)


def run_deep_chain(rounds: int, n: int = 1_000_000) -> Row:
    name = f"{n:,}-deep chain, forward + backward, no recursion limit raised: ours"
    limit = sys.getrecursionlimit()
    results = []
    times = interleaved({"ours": lambda: results.append(chain_grads(Value, n))},
                        rounds, warmup=0)
    assert sys.getrecursionlimit() == limit
    ok = all(chain_ok(r, n) for r in results)
    progress("peak memory, traced (tracemalloc)")
    peak = peak_bytes(lambda: chain_grads(Value, n))
    t = median(times["ours"])
    return Row(name, f"{fmt_time(t)} ({t / n * 1e9:.0f} ns per node), "
                     f"peak traced memory {peak / 2**20:.0f} MiB ({peak / n:.0f} B per node)",
               ok=ok, note="met (no recursion limit raised)")


def run_chain_vs_micrograd(rounds: int, n: int = 100_000) -> Row:
    name = f"{n:,}-deep chain, forward + backward: ours vs micrograd (its limit raised)"
    MValue = _micrograd_value()
    if MValue is None:
        return Row(name, "micrograd not installed", note="skipped")
    results = {"ours": [], "mg": []}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 2 * n + 1000))
    try:
        times = interleaved({
            "ours": lambda: results["ours"].append(chain_grads(Value, n)),
            "micrograd": lambda: results["mg"].append(chain_grads(MValue, n)),
        }, rounds, warmup=1)
    finally:
        sys.setrecursionlimit(limit)
    ok = all(chain_ok(r, n) for rs in results.values() for r in rs)
    t_ours, t_mg = median(times["ours"]), median(times["micrograd"])
    return Row(name, f"ours {fmt_time(t_ours)}, micrograd {fmt_time(t_mg)}",
               ratio=t_mg / t_ours, target=10.0, ok=ok)


# --- row 5 --------------------------------------------------------------------------------
def peak_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def held_bytes_per_node(V, n: int) -> tuple[float, tuple]:
    """Bytes the n + 2 nodes of a chain hold after forward and backward.

    The collector is off while tracing: it frees nothing here (every node is still held)
    but, walking every traced object again and again, made 100,000 nodes take minutes.
    """
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x, a, y = chain(V, n)
        y.backward()
        held = tracemalloc.get_traced_memory()[0] - before
        result = (y.data, x.grad, a.grad)
    finally:
        tracemalloc.stop()
        if was:
            gc.enable()
    del x, a, y
    gc.collect()
    return held / (n + 2), result


def run_bytes_per_node(n: int = 10_000) -> Row:
    name = f"bytes per node, {n:,}-deep chain held after backward (tracemalloc)"
    progress("ours")
    ours, r_ours = held_bytes_per_node(Value, n)
    ok = chain_ok(r_ours, n)
    MValue = _micrograd_value()
    if MValue is None:
        return Row(name, f"ours {ours:.0f} B", ratio=ours, target=200, lower=True,
                   unit=" B", ok=ok)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 2 * n + 1000))
    try:
        progress("micrograd")
        mg, r_mg = held_bytes_per_node(MValue, n)
    finally:
        sys.setrecursionlimit(limit)
    ok = ok and chain_ok(r_mg, n)
    return Row(name, f"ours {ours:.0f} B, micrograd {mg:.0f} B ({mg / ours:.1f}x more)",
               ratio=ours, target=200, lower=True, unit=" B", ok=ok)


# --- the CPython floor ---------------------------------------------------------------------
class Bare:
    """The least a graph node can be: five slots, set by hand, no methods."""

    __slots__ = ("data", "grad", "_prev", "_op", "_ctx")


def _bare_leaf(data: float) -> Bare:
    v = object.__new__(Bare)
    v.data, v.grad, v._prev, v._op, v._ctx = data, 0.0, (), "", None
    return v


def floor_chain(n: int, phases: list) -> tuple[float, float, float]:
    """The chain of :func:`chain` at the floor: each node a bare object made inline (one
    float op, a parents tuple), recorded on a tape; backward, the chain rule of ``mul``
    written inline over the reversed tape (no graph walk, no lookup, no call)."""
    new = object.__new__
    x, a = _bare_leaf(1.0), _bare_leaf(CHAIN_FACTOR)
    y, tape = x, []
    push = tape.append
    t0 = time.process_time()
    for _ in range(n):
        v = new(Bare)
        v.data = y.data * a.data
        v.grad = 0.0
        v._prev = (y, a)
        v._op = "mul"
        v._ctx = None
        push(v)
        y = v
    t1 = time.process_time()
    y.grad = 1.0
    for v in reversed(tape):
        p, q = v._prev
        g = v.grad
        p.grad += g * q.data
        q.grad += g * p.data
    t2 = time.process_time()
    phases.append((t1 - t0, t2 - t1))
    return y.data, x.grad, a.grad


def ours_chain(n: int, phases: list) -> tuple[float, float, float]:
    """The same chain on our engine: ``y = y * a`` n times, then ``y.backward()``."""
    x, a = Value(1.0), Value(CHAIN_FACTOR)
    y = x
    t0 = time.process_time()
    for _ in range(n):
        y = y * a
    t1 = time.process_time()
    y.backward()
    t2 = time.process_time()
    phases.append((t1 - t0, t2 - t1))
    return y.data, x.grad, a.grad


def run_floor(rounds: int, n: int = 100_000) -> list[Row]:
    """Ours per node against the floor, forward and backward, collector off for all (its
    cost grows with everything alive, not with our nodes; the other rows include it).

    The same graph on both sides, node for node: a fair floor for a graph of binary
    nodes (the moons step's fused dots do many float ops per node, so their time per
    node is not comparable with this floor).
    """
    phases: dict[str, list] = {"floor": [], "ours": []}
    results: dict[str, list] = {"floor": [], "ours": []}
    fns = {"floor": lambda: floor_chain(n, phases["floor"]),
           "ours": lambda: ours_chain(n, phases["ours"])}

    def contender(name):
        return without_collector(lambda: results[name].append(fns[name]()))

    interleaved({name: contender(name) for name in fns}, rounds, warmup=1)
    per = {name: (median([p[0] for p in ps]) / n * 1e9, median([p[1] for p in ps]) / n * 1e9)
           for name, ps in phases.items()}
    ok = all(chain_ok(r, n) for rs in results.values() for r in rs) and \
        results["ours"][-1] == results["floor"][-1]  # the same float operations: bit for bit
    (ff, fb), (of, ob) = per["floor"], per["ours"]
    floor_text = f"floor {ff:.0f} + {fb:.0f} ns (forward + backward)"
    return [Row(
        f"per node against the CPython floor, {n:,}-node chain, forward + backward, "
        "collector off: ours / floor",
        f"ours {of:.0f} + {ob:.0f} ns, {floor_text} (forward {of / ff:.2f}x, "
        f"backward {ob / fb:.2f}x)",
        ratio=(of + ob) / (ff + fb), target=2.0, lower=True, unit="x slower", ok=ok,
        details=["floor: a bare 5-slot object, one float op and a parents tuple per node, "
                 "made inline and recorded on a tape; backward the inline chain rule of mul "
                 "over the reversed tape (no walk, no lookup, no call)"],
    )]
