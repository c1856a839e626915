"""Quality gate: thresholds measured on a question set and recorded in the repo (evals/gate.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml


class GateError(ValueError):
    pass


def load_gate(path: Path | str) -> dict:
    """{'question_set', 'config', 'measured_on', 'measured', 'thresholds': {metric: minimum}}."""
    path = Path(path)
    if not path.is_file():
        raise GateError(f"{path}: no such gate file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GateError(f"{path}: not valid YAML") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("thresholds"), dict) or not raw["thresholds"]:
        raise GateError(f"{path}: expected a mapping with a non-empty 'thresholds' mapping")
    if not raw.get("measured_on"):
        raise GateError(f"{path}: record the date the thresholds were measured (measured_on)")
    for name, spec in (raw.get("sets") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("thresholds"), dict):
            raise GateError(f"{path}: sets.{name} needs a 'thresholds' mapping")
        for metric, value in spec["thresholds"].items():
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise GateError(f"{path}: threshold sets.{name}.{metric} must be a number in 0..1")
    for metric, value in raw["thresholds"].items():
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise GateError(f"{path}: threshold {metric} must be a number in 0..1")
    return raw


def check_gate(summary: dict, gate: dict) -> list[str]:
    """Messages for every metric below its threshold (or missing); empty when the gate passes."""
    failures = []
    for metric, minimum in gate["thresholds"].items():
        value = summary.get(metric)
        if value is None:
            failures.append(f"{metric} was not measured (threshold {minimum})")
        elif value < minimum:
            failures.append(f"{metric} = {value:.3f} is below the threshold {minimum} "
                            f"(measured {gate.get('measured', {}).get(metric, '?')} on {gate['measured_on']})")
    return failures


def check_set_gates(per_set: dict, config: str, gate: dict) -> list[str]:
    """The per-set thresholds (gate.yaml `sets:`, e.g. the near-miss set's refused rate) for the sets a run
    included; a set the run did not include is not checked."""
    failures = []
    for name, spec in (gate.get("sets") or {}).items():
        summary = (per_set.get(name) or {}).get(config)
        if summary is None:
            continue
        for metric, minimum in spec["thresholds"].items():
            value = summary.get(metric)
            if value is None:
                failures.append(f"{name}: {metric} was not measured (threshold {minimum})")
            elif value < minimum:
                failures.append(f"{name}: {metric} = {value:.3f} is below the threshold {minimum} "
                                f"(measured {spec.get('measured', {}).get(metric, '?')} on {gate['measured_on']})")
    return failures
