"""The README names every plan rule: a rule that fails a user's plan must be one they can look up."""

from __future__ import annotations

from pathlib import Path

from sovereign.policies import ALL_RULES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_rule_id_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [r.id for r in ALL_RULES if f"`{r.id}`" not in text]
    assert not missing, f"README.md does not name these rules: {missing}"
