"""What the worksheet tests share (no test module imports another): D4's Alice network,
its worksheet, and a LaTeX balance check."""

import re

from autograd import Value, worksheet

D4_CHAIN = "dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = (-0.952)(0.249)(-0.0904) = 0.0214"
PARAMS = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def alice_graph(values=None):
    """D4's network, named by the variables that hold it (no labels), and its nodes."""
    v = {n: (1.0 if n.startswith("w") else 0.0) for n in PARAMS}
    v.update({"x1": -2.0, "x2": -1.0})
    v.update(values or {})
    nodes = {n: Value(x, label=n) for n, x in v.items()}
    p = nodes
    h1 = (p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b1"]).sigmoid()
    h2 = (p["w3"] * p["x1"] + p["w4"] * p["x2"] + p["b2"]).sigmoid()
    ypred = (p["w5"] * h1 + p["w6"] * h2 + p["b3"]).sigmoid()
    L = (1.0 - ypred) ** 2
    nodes.update(h1=h1, h2=h2, ypred=ypred, L=L)
    return nodes


def alice_sheet(**options):
    g = alice_graph()
    # the caller's variables name the nodes (worksheet reads this frame)
    h1, h2, ypred, L = g["h1"], g["h2"], g["ypred"], g["L"]  # noqa: F841
    return worksheet(L, [g["w1"], g["w5"]], **options), g


def balanced(tex: str) -> bool:
    """Braces balance (escaped ones aside) and every \\begin has its \\end, in order."""
    depth = 0
    for m in re.finditer(r"\\.|[{}]", tex):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    envs = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            envs.append(name)
        elif not envs or envs.pop() != name:
            return False
    return depth == 0 and not envs
