"""Issue 15: the same principal written differently counts once, and the model register holds against edits.

Identity cases edit the shipped country files in memory (``tests.config.helpers``) or on disk in a temporary
config folder, where the problem must name the file, the line, the setting and the fix. Register cases edit a
copy of the shipped ``models.yaml`` the way a careless or hostile editor would.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sovereign.config.identity import email_identity, entra_object_id, oci_group_name
from sovereign.config.loader import load_country, load_register, validate_files
from sovereign.config.register_checks import MAX_ASSESSMENT_VALIDITY_DAYS
from sovereign.plan.diff import diff_documents, render_diff_markdown
from sovereign.plan.document import deployed_models
from sovereign.rules.models import REGISTER_APPROVAL_FIELDS, model_clearance
from sovereign.types import ModelTier
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged, messages

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<path>\S+): (?P<what>.+) — (?P<fix>.+)$")

DE_ADMIN_ID = "d26a3cde-2fea-b515-c3fc-03f4111bb14f"
FR_ADMIN_OCID = "ocid1.group.oc1..aaaaaaaafrplatformadminsplaceholder"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("_defaults.yaml", "models.yaml", "de.yaml", "fr.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[nth - 1]


def _problems(config_dir: Path, name: str = "de.yaml") -> list[str]:
    _, problems = validate_files([config_dir / name], config_dir=config_dir, as_of=AS_OF)
    return [str(p) for p in problems]


def _one(found: list[str], *needles: str) -> str:
    hits = [m for m in found if all(n in m for n in needles)]
    assert hits, f"nothing mentioning {needles}; got {found}"
    return hits[0]


def _located(problem: str, file: Path, line: int, path: str) -> re.Match[str]:
    m = LINE.match(problem)
    assert m, problem
    assert (m["file"], int(m["line"]), m["path"]) == (str(file), line, path), problem
    return m


# --- identity: normal forms -----------------------------------------------------------------------------------


def test_identity_normal_forms() -> None:
    assert email_identity(" DPO@Gov.Example ") == email_identity("dpo@gov.example")
    assert email_identity("\uff24\uff30\uff2f@gov.example") == "dpo@gov.example"  # full-width letters (NFKC)
    # Provider conventions are not folded: sub-addresses and dots may be other people.
    assert email_identity("dpo+ai@gov.example") != email_identity("dpo@gov.example")
    assert email_identity("d.po@gov.example") != email_identity("dpo@gov.example")
    assert entra_object_id("{D26A3CDE-2FEA-B515-C3FC-03F4111BB14F}") == DE_ADMIN_ID
    assert oci_group_name("fr-platform-admins") == oci_group_name("Default/FR-Platform-Admins")
    assert oci_group_name("Ops/fr-platform-admins") != oci_group_name("fr-platform-admins")


# --- identity: rejections --------------------------------------------------------------------------------------


def test_rejects_azure_break_glass_that_is_the_admin_group_under_another_name() -> None:
    data = edit(
        merged("de"),
        {"access.break_glass_groups.0": {"name": "de-emergency-access", "object_id": DE_ADMIN_ID}},
    )
    msg = _one(
        messages(data), "access.break_glass_groups[0].object_id", "same group as access.admin_groups[0]"
    )
    assert f"entra:{DE_ADMIN_ID}" in msg and "dedicated" in msg


def test_rejects_oci_break_glass_that_is_the_admin_group_by_domain_prefix_and_case() -> None:
    data = edit(merged("fr"), {"access.break_glass_groups.0.name": "Default/FR-Platform-Admins"})
    _one(messages(data), "access.break_glass_groups[0].name", "same group as access.admin_groups[0]")


def test_rejects_oci_break_glass_with_the_admin_groups_ocid() -> None:
    data = edit(merged("fr"), {"access.break_glass_groups.0.ocid": FR_ADMIN_OCID})
    msg = _one(messages(data), "access.break_glass_groups[0].ocid", "same group as access.admin_groups[0]")
    assert f"(ocid:{FR_ADMIN_OCID})" in msg


def test_rejects_tenant_group_that_is_the_admin_group() -> None:
    data = edit(merged("de"), {"tenants.0.group.object_id": DE_ADMIN_ID})
    msg = _one(messages(data), "tenants[0].group.object_id", "same group as access.admin_groups[0]")
    assert "medtech-berlin" in msg


def test_rejects_two_tenants_sharing_one_group() -> None:
    data = merged("de")
    data = edit(data, {"tenants.1.group.object_id": data["tenants"][0]["group"]["object_id"]})
    _one(
        messages(data),
        "tenants[1].group.object_id",
        "same group as tenants[0].group (tenant 'medtech-berlin')",
    )


def test_rejects_oci_tenant_group_that_is_the_break_glass_group() -> None:
    data = edit(merged("fr"), {"tenants.0.group.name": "default/fr-break-glass"})
    _one(messages(data), "tenants[0].group.name", "same group as access.break_glass_groups[0]")


def test_rejects_operator_approver_listed_twice_in_another_spelling() -> None:
    data = edit(
        merged("de"),
        {
            "access.operator_access_approvers": [
                "Security-Officer@Gov.example",
                "security-officer@gov.example",
            ]
        },
    )
    found = messages(data)
    _one(found, "operator_access_approvers[1]", "same person as 'Security-Officer@Gov.example'")
    _one(found, "fewer than two distinct approvers for operator access (1 distinct")


def test_rejects_operator_approver_in_full_width_letters() -> None:
    twin = "\uff53ecurity-officer@gov.example"  # a full-width 's'
    data = edit(merged("fr"), {"access.operator_access_approvers": ["security-officer@gov.example", twin]})
    _one(messages(data), "operator_access_approvers[1]", "same person")


def test_rejects_approver_with_trailing_space_at_its_line(config_dir: Path) -> None:
    de = config_dir / "de.yaml"
    _replace(
        de,
        "operator_access_approvers: [security-officer@gov.example, platform-lead@gov.example]",
        "operator_access_approvers: [security-officer@gov.example, 'Security-Officer@gov.example ']",
    )
    problem = _one(_problems(config_dir), "operator_access_approvers[1]")
    assert f"{de}:{_line_of(de, 'operator_access_approvers')}:" in problem


@pytest.mark.parametrize(
    ("code", "old", "new", "path"),
    [
        # Azure: a UPN in the admin group's display name (the object id may then be the person's own).
        (
            "de",
            "- name: de-platform-admins",
            "- name: jane.doe@de.gov.example",
            "access.admin_groups[0].name",
        ),
        (
            "de",
            "- name: de-break-glass",
            "- name: oncall@de.gov.example",
            "access.break_glass_groups[0].name",
        ),
        ("de", "name: tenant-medtech-berlin", "name: cto@medtech-berlin.example", "tenants[0].group.name"),
        # OCI: the name pattern refuses '@' too, but now says why and what to do.
        (
            "fr",
            "- name: fr-break-glass",
            "- name: jean.dupont@fr.gov.example",
            "access.break_glass_groups[0].name",
        ),
        ("fr", "name: tenant-legaltech-lyon", "name: Default/ceo@legaltech.example", "tenants[0].group.name"),
    ],
)
def test_rejects_a_person_where_a_group_is_expected(
    config_dir: Path, code: str, old: str, new: str, path: str
) -> None:
    file = config_dir / f"{code}.yaml"
    _replace(file, old, new)
    problem = _one(_problems(config_dir, file.name), path)
    m = _located(problem, file, _line_of(file, new.removeprefix("- ")), path)
    assert "not a group" in m["what"] and "Value error" not in m["what"]
    assert m["fix"] == "create a group, put the person in it, and name the group here"


# --- identity: accepted ----------------------------------------------------------------------------------------


def test_accepts_genuinely_different_groups() -> None:
    # OCI: the same group name in another identity domain, with its own OCID, is another group.
    fr = edit(merged("fr"), {"access.break_glass_groups.0.name": "Ops/fr-platform-admins"})
    assert not [m for m in messages(fr) if "same group" in m]
    # Azure: a display name is a label; another object id is another group, whatever it is called.
    de = edit(merged("de"), {"access.break_glass_groups.0.name": "de-platform-admins"})
    assert not [m for m in messages(de) if "same group" in m]
    # Sub-addresses are not folded: two addresses, two approvers.
    de = edit(merged("de"), {"access.operator_access_approvers": ["dpo@gov.example", "dpo+ai@gov.example"]})
    assert not [m for m in messages(de) if "approver" in m]


def test_shipped_files_validate() -> None:
    configs, problems = validate_files(config_dir=CONFIG_DIR, as_of=AS_OF)
    assert not problems, [str(p) for p in problems]
    assert configs


# --- register integrity ----------------------------------------------------------------------------------------

LLAMA_ASSESSMENT = "      assessed_on: 2026-05-04\n      expires_on: 2027-11-30\n"


def _register_problems(config_dir: Path) -> list[str]:
    register, problems = load_register(config_dir, as_of=AS_OF)
    assert register is None, "the register must be refused"
    # `sovereign validate` reports the same problems (and checks no country against a refused register).
    assert set(problems) <= set(
        validate_files([config_dir / "de.yaml"], config_dir=config_dir, as_of=AS_OF)[1]
    )
    return [str(p) for p in problems]


def test_rejects_a_second_record_under_an_existing_model_id(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    text = models.read_text(encoding="utf-8")
    start = text.index("  - id: llama-3.3-70b-instruct")
    record = text[start : text.index("  - id: mistral-small-3.1-24b-instruct")]
    # A copy appended at the end that quietly approves the model for one more country.
    models.write_text(
        text + record.replace("approved_countries: [de, gb]", "approved_countries: [de, gb, fr]")
    )
    problem = _one(_register_problems(config_dir), "already the id of models[0]")
    appended = f"models[{text.count('  - id: ')}].id"  # the copy's index: after every shipped record
    m = _located(problem, models, _line_of(models, "- id: llama-3.3-70b-instruct", nth=2), appended)
    assert "merge the two records" in m["fix"]


def test_rejects_a_duplicated_key_in_a_record(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, LLAMA_ASSESSMENT, LLAMA_ASSESSMENT + "      expires_on: 2030-12-31\n")
    problem = _one(_register_problems(config_dir), "duplicate key", "expires_on")
    assert f"{models}:{_line_of(models, 'expires_on: 2030-12-31')}:" in problem
    assert "a key may appear once" in problem


def test_rejects_one_approver_written_twice(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(
        models,
        "approvers: [ai-risk-board@gov.example, dpo@gov.example]",
        "approvers: [DPO@gov.example, dpo@gov.example]",
    )
    found = _register_problems(config_dir)
    line = _line_of(models, "approvers: [DPO@gov.example")
    _located(
        _one(found, "same person as 'DPO@gov.example'"), models, line, "models[0].assessment.approvers[1]"
    )
    _one(found, "fewer than two distinct approvers for the assessment of 'llama-3.3-70b-instruct'")


def test_rejects_expiry_before_assessment(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, LLAMA_ASSESSMENT, "      assessed_on: 2026-05-04\n      expires_on: 2025-11-30\n")
    problem = _one(_register_problems(config_dir), "before it was assessed on 2026-05-04")
    _located(problem, models, _line_of(models, "expires_on: 2025-11-30"), "models[0].assessment.expires_on")


def test_rejects_an_assessment_valid_for_decades(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, LLAMA_ASSESSMENT, "      assessed_on: 2026-05-04\n      expires_on: 2099-12-31\n")
    problem = _one(_register_problems(config_dir), f"at most {MAX_ASSESSMENT_VALIDITY_DAYS} days")
    _located(problem, models, _line_of(models, "expires_on: 2099-12-31"), "models[0].assessment.expires_on")


def test_rejects_an_assessment_signed_after_the_validation_date(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, LLAMA_ASSESSMENT, "      assessed_on: 2026-12-01\n      expires_on: 2027-11-30\n")
    problem = _one(_register_problems(config_dir), f"after the validation date {AS_OF}")
    _located(problem, models, _line_of(models, "assessed_on: 2026-12-01"), "models[0].assessment.assessed_on")


@pytest.mark.parametrize("country", ["xx", "uk", "EU"])
def test_rejects_a_country_that_is_no_iso_code(config_dir: Path, country: str) -> None:
    models = config_dir / "models.yaml"
    _replace(models, "approved_countries: [de, gb]", f"approved_countries: [de, {country}]")
    problem = _one(_register_problems(config_dir), "models[0].approved_countries[1]")
    assert f"{models}:{_line_of(models, f'approved_countries: [de, {country}]')}:" in problem


def test_rejects_a_country_listed_twice(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, "approved_countries: [de, gb]", "approved_countries: [de, gb, de]")
    _one(_register_problems(config_dir), "models[0].approved_countries[2]", "'de' is listed twice")


def test_rejects_an_unknown_tier(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    _replace(models, "capability_tier: high", "capability_tier: moderate")
    problem = _one(
        _register_problems(config_dir), "models[0].capability_tier", "'low', 'medium', 'high' or 'critical'"
    )
    assert f"{models}:{_line_of(models, 'capability_tier: moderate')}:" in problem


def test_accepts_the_longest_allowed_validity_and_distinct_approvers(config_dir: Path) -> None:
    models = config_dir / "models.yaml"
    # 2026-05-04 + 731 days = 2028-05-04; two genuinely different people.
    _replace(models, LLAMA_ASSESSMENT, "      assessed_on: 2026-05-04\n      expires_on: 2028-05-04\n")
    _replace(
        models,
        "approvers: [ai-risk-board@gov.example, dpo@gov.example]",
        "approvers: [DPO@gov.example, ciso@gov.example]",
    )
    register, problems = load_register(config_dir, as_of=AS_OF)
    assert register is not None, [str(p) for p in problems]
    assert not _problems(config_dir)


def test_the_gate_refuses_one_person_signing_twice() -> None:
    refusals = model_clearance(
        model_id="m",
        tier=ModelTier.LOW,
        assessed_on=AS_OF,
        expires_on=AS_OF,
        approved_countries=["de"],
        approved_weights_digest="sha256:" + "0" * 64,
        deployed_weights_digest="sha256:" + "0" * 64,
        country="de",
        as_of=AS_OF,
        confidential_gpu=False,
        approvers=["DPO@gov.example", "dpo@gov.example"],
    )
    assert [r.aspect for r in refusals] == ["approvers"]


# --- a changed approval is a sovereignty change in `sovereign diff` ------------------------------------------


def _document(register_edit: dict[str, object]) -> dict[str, object]:
    config = load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    record = register.find("llama-3.3-70b-instruct")
    assert record is not None
    assessment = record.assessment.model_copy(
        update={k: v for k, v in register_edit.items() if k != "countries"}
    )
    changed = record.model_copy(
        update={
            "assessment": assessment,
            "approved_countries": register_edit.get("countries", record.approved_countries),
        }
    )
    edited = register.model_copy(update={"models": [changed if m is record else m for m in register.models]})
    return {
        "stack": "de-prod",
        "resources": [],
        "checks": [],
        "models": [m.model_dump() for m in deployed_models(config, edited)],
    }


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"approvers": ["ai-risk-board@gov.example", "intern@gov.example"]}, "models.approvers[1]"),
        ({"expires_on": AS_OF.replace(year=2028, month=5, day=1)}, "models.expires_on"),
        ({"countries": ["de", "gb", "fr"]}, "models.approved_countries[2]"),
    ],
)
def test_diff_reports_a_changed_approval_as_sovereignty_relevant(
    change: dict[str, object], path: str
) -> None:
    before, after = _document({}), _document(change)
    diff = diff_documents("de-prod", before, after)
    changes = diff.sovereignty_changes["models.yaml#llama-3.3-70b-instruct"]
    assert path in {c.path for c in changes}
    assert "Sovereignty-relevant changes" in render_diff_markdown([diff], "main")


def test_diff_of_an_unchanged_or_reordered_register_is_empty_and_the_report_link_is_not_sovereign() -> None:
    before = _document({})
    reordered = _document(
        {"approvers": ["dpo@gov.example", "ai-risk-board@gov.example"], "countries": ["gb", "de"]}
    )
    assert diff_documents("de-prod", before, reordered).empty
    moved = _document({"report": "https://risk.gov.example/archive/llama"})
    diff = diff_documents("de-prod", before, moved)
    assert diff.changed and not diff.sovereignty_changes


def test_the_document_carries_every_field_the_gate_clears_by() -> None:
    from sovereign.plan.contract import PlanModel

    assert set(REGISTER_APPROVAL_FIELDS) <= set(PlanModel.model_fields)
