"""Write the two notebooks of this folder (run it after editing a cell below).

* ``micrograd_demo.ipynb``: micrograd's own ``demo.ipynb`` (MIT licensed, notice kept in
  its first cell) with only its import lines changed, its saved text outputs kept as they
  were in micrograd's repository: tests/demos/test_notebooks.py runs it and compares.
* ``lecture_style.ipynb``: written for this project in the lecture's style: a ``Value``
  class built by hand in cells, drawn with our ``draw_dot``, stepped with ``_backward()``,
  checked with ``check_engine``, then micrograd's model trained from ``nn.micrograd``.

    python demos/notebooks/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

HERE = Path(__file__).parent

NOTICE = """### MicroGrad demo

This is micrograd's `demo.ipynb` (https://github.com/karpathy/micrograd), with only its
two import lines changed to scalar-autograd's:

    from autograd import Value
    from nn.micrograd import Neuron, Layer, MLP

The saved outputs below are micrograd's own (images left out); run the notebook to compare.

micrograd: Copyright (c) 2020 Andrej Karpathy. MIT License: Permission is hereby granted,
free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software
is furnished to do so, subject to the following conditions: The above copyright notice and
this permission notice shall be included in all copies or substantial portions of the
Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS
BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT
OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE."""

MODEL_OUT = ("MLP of [Layer of [" + ", ".join(["ReLUNeuron(2)"] * 16) + "], Layer of ["
             + ", ".join(["ReLUNeuron(16)"] * 16) + "], Layer of [LinearNeuron(16)]]\n"
             "number of parameters 337\n")

LOSS_SRC = '''# loss function
def loss(batch_size=None):

    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]

    # forward the model to get scores
    scores = list(map(model, inputs))

    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss

    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

total_loss, acc = loss()
print(total_loss, acc)'''

TRAIN_SRC = '''# optimization
for k in range(100):

    # forward
    total_loss, acc = loss()

    # backward
    model.zero_grad()
    total_loss.backward()

    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad

    if k % 1 == 0:
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")'''

BOUNDARY_SRC = '''# visualize decision boundary

h = 0.25
x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
xx, yy = np.meshgrid(np.arange(x_min, x_max, h),
                     np.arange(y_min, y_max, h))
Xmesh = np.c_[xx.ravel(), yy.ravel()]
inputs = [list(map(Value, xrow)) for xrow in Xmesh]
scores = list(map(model, inputs))
Z = np.array([s.data > 0 for s in scores])
Z = Z.reshape(xx.shape)

fig = plt.figure()
plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral, alpha=0.8)
plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral)
plt.xlim(xx.min(), xx.max())
plt.ylim(yy.min(), yy.max())'''


def stream(text: str):
    return new_output("stream", name="stdout", text=text)


def demo() -> nbformat.NotebookNode:
    steps = (HERE / "micrograd_demo_saved_steps.txt").read_text()
    cells = [
        new_markdown_cell(NOTICE),
        new_code_cell("import random\nimport numpy as np\nimport matplotlib.pyplot as plt\n"
                      "%matplotlib inline"),
        new_code_cell("from autograd import Value\nfrom nn.micrograd import Neuron, Layer, MLP"),
        new_code_cell("np.random.seed(1337)\nrandom.seed(1337)"),
        new_code_cell("# make up a dataset\n\nfrom sklearn.datasets import make_moons, "
                      "make_blobs\nX, y = make_moons(n_samples=100, noise=0.1)\n\n"
                      "y = y*2 - 1 # make y be -1 or 1\n# visualize in 2D\n"
                      "plt.figure(figsize=(5,5))\n"
                      "plt.scatter(X[:,0], X[:,1], c=y, s=20, cmap='jet')"),
        new_code_cell("# initialize a model \nmodel = MLP(2, [16, 16, 1]) # 2-layer neural "
                      "network\nprint(model)\nprint(\"number of parameters\", "
                      "len(model.parameters()))", outputs=[stream(MODEL_OUT)]),
        new_code_cell(LOSS_SRC,
                      outputs=[stream("Value(data=0.8958441028683222, grad=0) 0.5\n")]),
        new_code_cell(TRAIN_SRC, outputs=[stream(steps)]),
        new_code_cell(BOUNDARY_SRC, outputs=[new_output(
            "execute_result", data={"text/plain": "(-1.548639298268643, 1.951360701731357)"},
            execution_count=8)]),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})


VALUE_SRC = '''import math

class Value:

    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
        out = Value(t, (self, ), 'tanh')
        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()'''

NEURON_SRC = '''# inputs x1,x2
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
# weights w1,w2
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
# bias of the neuron
b = Value(6.8813735870195432, label='b')
# x1*w1 + x2*w2 + b
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
o.backward()'''

BUG_SRC = '''class ValueWithABug(Value):
    def __add__(self, other):
        other = other if isinstance(other, Value) else ValueWithABug(other)
        out = ValueWithABug(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad = 1.0 * out.grad    # = where += is needed
            other.grad = 1.0 * out.grad
        out._backward = _backward
        return out

a = ValueWithABug(3.0, label='a')
b = a + a; b.label = 'b'
b.backward()
print(a.grad)
check_engine(b)'''

OURS_SRC = '''from autograd import Value as V

x1 = V(2.0, label='x1'); x2 = V(0.0, label='x2')
w1 = V(-3.0, label='w1'); w2 = V(1.0, label='w2')
b = V(6.8813735870195432, label='b')
x1w1 = x1*w1; x2w2 = x2*w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = n.tanh()
print(o)'''

STEP_SRC = '''o.grad = 1.0
o._backward()
n._backward()
b._backward()
x1w1x2w2._backward()
x2w2._backward()
x1w1._backward()
print(x1.grad, w1.grad, x2.grad, w2.grad)'''

TRAIN_STYLE_SRC = '''import random
import numpy as np
from sklearn.datasets import make_moons
import nn
from nn.micrograd import MLP

np.random.seed(1337); random.seed(1337)
X, y = make_moons(n_samples=20, noise=0.1)
y = y*2 - 1
model = MLP(2, [16, 16, 1])
for k in range(5):
    scores = [model([V(x) for x in row]) for row in X]
    losses = [(1 + -yi*si).relu() for yi, si in zip(y, scores)]
    total_loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p*p for p in model.parameters())
    model.zero_grad()
    total_loss.backward()
    for p in model.parameters():
        p.data -= (1.0 - 0.9*k/100) * p.grad
    print(f"step {k} loss {total_loss.data}")'''


def lecture() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# A Value class of your own, drawn and checked\n\nWritten in the "
                          "style of the micrograd lecture: build `Value` by hand, draw it "
                          "with scalar-autograd's `draw_dot` (no system Graphviz needed), "
                          "check its gradients with `check_engine`."),
        new_code_cell("from autograd import draw_dot, check_engine, explain"),
        new_code_cell(VALUE_SRC),
        new_code_cell(NEURON_SRC),
        new_code_cell("draw_dot(o)"),
        new_code_cell("print(x1.grad, w1.grad, x2.grad, w2.grad)\ncheck_engine(o)"),
        new_code_cell("print(explain(o, x1))"),
        new_code_cell(BUG_SRC),
        new_markdown_cell("The same neuron with scalar-autograd's own `Value`, "
                          "backpropagated by hand one node at a time as in the lecture:"),
        new_code_cell(OURS_SRC),
        new_code_cell(STEP_SRC),
        new_code_cell("draw_dot(o)"),
        new_markdown_cell("micrograd's model (ReLU hidden layers, a linear output, weights "
                          "from Python's `random`), trained on a few moons:"),
        new_code_cell(TRAIN_STYLE_SRC),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})


if __name__ == "__main__":
    nbformat.write(demo(), HERE / "micrograd_demo.ipynb")
    nbformat.write(lecture(), HERE / "lecture_style.ipynb")
