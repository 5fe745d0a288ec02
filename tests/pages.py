"""What the explorer page embeds, read back: its page data (the JSON the script shows) and
the names on its value nodes.

A helper module, not a test module (no test imports another); ``tests/conftest.py``
registers it for assert rewriting, so its checks report like a test's own.
"""

import html
import json
import re


def page_data(page: str) -> dict:
    """The explorer's page data (``<script type="application/json" id="explorer-data">``)."""
    m = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page,
                  re.S)
    assert m, "no embedded data"
    return json.loads(m.group(1))


def data_nodes(page: str) -> list[str]:
    """The ``data-node`` names of the page's value nodes, in the SVG's order."""
    return [html.unescape(k) for k in re.findall(r'<g id="node\d+" class="node value" '
                                                 r'data-node="([^"]*)"', page)]
