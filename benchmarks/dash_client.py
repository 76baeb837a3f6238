"""Build the JSON bodies Dash's renderer posts to /_dash-update-component (shared by benchmarks and tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def find_callback(dependencies: list[dict[str, Any]], first_input: str, output: str = "") -> dict[str, Any]:
    """The server callback whose first input is the component `first_input` (and whose outputs name `output`)."""
    return next(
        spec
        for spec in dependencies
        if spec["inputs"]
        and spec["inputs"][0]["id"] == first_input
        and output in spec["output"]
        and not spec.get("clientside_function")
    )


def writes(spec: dict[str, Any], output: str) -> bool:
    """Whether a callback writes `output`: a component id, or the pattern type of a part built when wanted."""
    return f"{output}." in spec["output"] or f'"type":"{output}"}}.' in spec["output"]


def callback_body(
    spec: dict[str, Any], values: dict[str, Any], changed: str, built: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The request for `spec` with `values` keyed 'id.property' (missing ones None) and `changed` as the trigger, on
    a page where the parts of pattern types `built` are built."""

    # A pattern id names the components built when the analyst comes to them (the date picker, the tables, the
    # evidence graphs): a list, empty on a page just opened, of the one {"type", "index": 0} once built.
    def output(part: str) -> Any:
        component, prop = part.rsplit(".", 1)
        if not component.startswith("{"):
            return {"id": component, "property": prop}
        kind = json.loads(component)["type"]
        return [{"id": {"index": 0, "type": kind}, "property": prop}] if kind in built else []

    outputs = [output(part) for part in spec["output"].strip(".").split("...")]

    def props(items: list[dict[str, str]]) -> list[Any]:
        return [
            [] if item["id"].startswith("{") else {**item, "value": values.get(f"{item['id']}.{item['property']}")}
            for item in items
        ]

    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": props(spec["inputs"]),
        "changedPropIds": [changed],
        "state": props(spec.get("state", [])),
    }


def layout_values(node: Any) -> dict[str, Any]:
    """Every prop the page's layout (Dash's JSON of components) sets on a component with a plain id, keyed
    'id.property': what the renderer holds before its first callbacks (the page holds the view's first answer)."""
    values: dict[str, Any] = {}
    if isinstance(node, list):
        for child in node:
            values |= layout_values(child)
    elif isinstance(node, dict) and isinstance(node.get("props"), dict):
        props = node["props"]
        if isinstance(props.get("id"), str):
            values |= {f"{props['id']}.{name}": value for name, value in props.items() if name != "children"}
        for value in props.values():
            values |= layout_values(value)
    return values


def server_callbacks(dependencies: list[dict[str, Any]], component: str) -> list[dict[str, Any]]:
    """Every server callback that a change of `component` fires (one of its inputs)."""
    return [
        spec
        for spec in dependencies
        if not spec.get("clientside_function") and any(item["id"] == component for item in spec["inputs"])
    ]


def cascade(
    post: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None],
    dependencies: list[dict[str, Any]],
    values: dict[str, Any],
    changed: str,
    depth: int = 1,
    after: str = "",
) -> None:
    """What Dash's renderer does when `changed` ('id.prop', holding `values`) moves: `post(spec, body)` every
    server callback it feeds but the one that wrote it (`after`), then, `depth` times, the callbacks fed by what
    those answered (`post` returns the answer's JSON, or None)."""
    component = changed.rsplit(".", 1)[0]
    for spec in server_callbacks(dependencies, component):
        if spec["output"] == after:
            continue
        answer = post(spec, callback_body(spec, values, changed))
        if depth == 0 or answer is None:
            continue
        for target, props in answer.get("response", {}).items():
            for prop, value in props.items():
                cascade(post, dependencies, {f"{target}.{prop}": value}, f"{target}.{prop}", depth - 1, spec["output"])
