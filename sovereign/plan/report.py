"""The evidence an auditor asks for, from a stack's plan: controls, inventory, models, access.

Built from the same plan document the checks ran on, so the report cannot claim a control the plan did not
verify. Markdown for people, JSON for evidence tooling.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sovereign.clouds import cloud_module
from sovereign.config.invariants import INVARIANTS, cloud_invariants
from sovereign.config.schema import CountryConfig, ModelRegister
from sovereign.policies import ALL_RULES

__all__ = ["build_report", "render_report_markdown"]

_KEY_FIELDS = (
    "kmsKeyId",
    "diskEncryptionSetID",
    "keyUrl",
    "keyUri",
    "keyName",
    "keyIdentifier",
    "encryptionKeyId",
    "diskEncryptionSetId",
    "kms-key-id",
)


def _find_keys(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _KEY_FIELDS and isinstance(v, str) and v:
                found.append(v)
            else:
                _find_keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _find_keys(v, found)


def _region(resource: dict[str, Any], provider_regions: dict[str, str]) -> str | None:
    location = resource["inputs"].get("location")
    if isinstance(location, str):
        return location
    provider = resource.get("provider") or ""
    return provider_regions.get(provider.rsplit("::", 1)[0])


def _cloud_module(cloud: str, name: str) -> Any:
    """The cloud's ``naming`` / ``permissions`` module, or None where that cloud has none yet."""
    try:
        return cloud_module(cloud, name)
    except ModuleNotFoundError:
        return None


def _cloud_name(resource: dict[str, Any], naming: Any) -> str | None:
    """The name the cloud gives the resource: its explicit name input (the ``azure-names`` rule checked it)."""
    rule = naming.RULES.get(resource["type"]) if naming is not None else None
    if rule is None:
        return None
    value = resource["inputs"].get(rule.name_input)
    return value if isinstance(value, str) else f"(auto) {resource['name']} + 8 random characters"


def _deploying_identity(document: dict[str, Any], cloud: str) -> dict[str, Any] | None:
    """What `sovereign permissions` derives for the stack: the roles with scopes and the features to register."""
    permissions = _cloud_module(cloud, "permissions")
    if permissions is None:
        return None
    derived = permissions.derive(document["stack"], document["resources"]).to_json()
    return {k: derived[k] for k in ("roles", "features", "policies") if k in derived}


def build_report(
    document: dict[str, Any], config: CountryConfig, register: ModelRegister, as_of: dt.date
) -> dict[str, Any]:
    naming = _cloud_module(config.cloud.value, "naming")
    provider_regions = {
        r["urn"]: r["inputs"].get("location") or r["inputs"].get("region")
        for r in document["resources"]
        if r["type"].startswith("pulumi:providers:")
    }
    descriptions = {r.id: r.description for r in ALL_RULES}
    controls = [
        {
            "control": f"config:{check.__name__}",
            "source": "sovereign validate",
            "description": (check.__doc__ or "").strip().splitlines()[0],
            "status": "pass",
            "findings": [],
        }
        # The plan exists only for a valid config: every invariant held, the neutral ones and the cloud's.
        for check in (*INVARIANTS, *cloud_invariants(config))
    ]
    for rule_id, description in descriptions.items():
        checks = [c for c in document["checks"] if c["policy"] == rule_id]
        failures = [c for c in checks if c["status"] == "fail"]
        controls.append(
            {
                "control": f"policy:{rule_id}",
                "source": "sovereign plan",
                "description": description,
                "status": "fail" if failures else "pass",
                "findings": [{"urn": c["urn"], "message": c["message"]} for c in failures],
            }
        )
    inventory = []
    for r in document["resources"]:
        if not r["custom"] or r["type"].startswith("pulumi:providers:"):
            continue
        keys: list[str] = []
        _find_keys(r["inputs"], keys)
        inventory.append(
            {
                "urn": r["urn"],
                "type": r["type"],
                "name": r["name"],
                "cloud_name": _cloud_name(r, naming),
                "region": _region(r, provider_regions),
                "keys": sorted(set(keys)),
                "protect": r["protect"],
            }
        )
    models = []
    for d in config.assistant.deployments if config.assistant else []:
        record = register.find(d.model)
        if record is None:
            continue
        models.append(
            {
                "deployment": d.name,
                "model": record.id,
                "display_name": record.display_name,
                "capability_tier": record.capability_tier.value,
                "assessed_on": record.assessment.assessed_on.isoformat(),
                "expires_on": record.assessment.expires_on.isoformat(),
                "approvers": record.assessment.approvers,
                "assessment_report": record.assessment.report,
                "approved_countries": record.approved_countries,
                "weights": d.weights,
                "image": d.image,
                "languages": d.languages,
            }
        )
    access = {
        "admin_groups": [g.model_dump() for g in config.access.admin_groups],
        "break_glass_groups": [g.model_dump() for g in config.access.break_glass_groups],
        "operator_access_approvers": config.access.operator_access_approvers,
        "tenant_groups": [{"tenant": t.name, **t.group.model_dump()} for t in config.tenants],
    }
    return {
        "stack": document["stack"],
        "country": config.country,
        "display_name": config.display_name,
        "environment": config.environment.value,
        "cloud": config.cloud.value,
        "as_of": as_of.isoformat(),
        "regions": {"primary": config.regions.primary, "secondary": config.regions.secondary},
        "controls": controls,
        "inventory": inventory,
        "models": models,
        "access": access,
        "data_paths": _data_paths(config),
        "ai_transparency": _ai_transparency(config, controls),
        "deploying_identity": _deploying_identity(document, config.cloud.value),
        "summary": {
            "controls": len(controls),
            "controls_failed": sum(c["status"] == "fail" for c in controls),
            "resources": len(inventory),
        },
    }


def _ai_transparency(config: CountryConfig, controls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The settings that serve AI Act obligations, with the article each serves: evidence, not legal advice."""
    if config.assistant is None:
        return []
    notice = config.assistant.chat.ai_notice
    status = [c["status"] for c in controls if c.get("policy") == "chat-discloses-ai"]
    return [
        {
            "setting": "assistant.chat.ai_notice",
            "value": (
                f"banner users cannot dismiss, in {', '.join(sorted(notice.texts))}, linking {notice.notice_url}"
                if notice
                else "none"
            ),
            "serves": "EU AI Act Art. 50(1): people interacting with an AI system are informed of it",
            "checked_by": "invariant chat_discloses_ai, rule chat-discloses-ai",
            "status": "fail" if "fail" in status else ("pass" if notice else "not set"),
        },
        {
            "setting": "chat conversations (Open WebUI database on the chat's data volume)",
            "value": (
                f"kept in {config.regions.primary} on a volume encrypted with the country's key (encrypted "
                "StorageClass); no retention period: Open WebUI 0.12.4 has no setting that deletes old chats"
            ),
            "serves": "EU AI Act Art. 26(6) (deployers of high-risk systems keep the logs, at least six months) "
            "and GDPR Art. 5(1)(e) (no longer than necessary)",
            "checked_by": "rule customer-managed-encryption (the storage class), invariant data_stays_in_country",
            "status": "partial: minimum and maximum retention not enforced",
        },
    ]


def _data_paths(config: CountryConfig) -> list[dict[str, Any]]:
    """Where data and metadata go (sovereign.config.data_paths), each with its region and the control keeping it
    in the country; validation has already refused any that leaves."""
    from sovereign.config.data_paths import data_paths
    from sovereign.config.errors import format_path

    return [
        {
            "what": p.name,
            "destination": p.destination,
            "region": p.region,
            "country": p.country,
            "in_country": not p.leaves(config.country),
            "control": p.control,
            "setting": format_path(p.setting) if p.setting else None,
        }
        for p in data_paths(config)
    ]


def _data_path_row(p: dict[str, Any]) -> str:
    country = (p["country"] or "unknown") + ("" if p["in_country"] else " ❌")
    setting = f"`{p['setting']}`" if p["setting"] else "—"
    return f"| {p['what']} | {p['destination']} | {p['region'] or '—'} | {country} | {p['control']} | {setting} |"


def render_report_markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    out = [
        f"# Sovereignty evidence: {report['display_name']} (`{report['stack']}`)",
        "",
        f"Cloud `{report['cloud']}`, primary region `{report['regions']['primary']}`"
        + (f", secondary `{report['regions']['secondary']}`" if report["regions"]["secondary"] else "")
        + f". Evaluated as of {report['as_of']}. {s['controls'] - s['controls_failed']}/{s['controls']} controls pass.",
        "",
        "## Controls",
        "",
        "| control | status | what it ensures |",
        "|---|---|---|",
    ]
    for c in report["controls"]:
        out.append(
            f"| `{c['control']}` | {'✅ pass' if c['status'] == 'pass' else '❌ fail'} | {c['description']} |"
        )
        out += [f"|  | ↳ | `{f['urn']}`: {f['message']} |" for f in c["findings"]]
    out += ["", "## Models deployed", ""]
    if report["models"]:
        out += [
            "| deployment | model | tier | assessed | expires | approvers | weights |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {m['deployment']} | {m['display_name']} (`{m['model']}`) | {m['capability_tier']} | {m['assessed_on']} "
            f"| {m['expires_on']} | {', '.join(m['approvers'])} | `{m['weights'].split('@')[-1][:19]}…` |"
            for m in report["models"]
        ]
    else:
        out.append("No assistant deployed.")
    a = report["access"]
    out += ["", "## Access (groups only)", ""]
    out += [f"- admin group: {g['name']} `{g.get('object_id') or ''}`" for g in a["admin_groups"]]
    out += [f"- break-glass group: {g['name']} `{g.get('object_id') or ''}`" for g in a["break_glass_groups"]]
    out += [
        f"- tenant group ({t['tenant']}): {t['name']} `{t.get('object_id') or ''}`"
        for t in a["tenant_groups"]
    ]
    out.append(f"- operator access approvers: {', '.join(a['operator_access_approvers'])}")
    out += [
        "",
        "## Data paths",
        "",
        "Every place data or metadata goes, where it lies and what keeps it there (`sovereign validate` refuses a "
        "path outside the country: invariant `data_stays_in_country`).",
        "",
        "| what | destination | region | country | kept in-country by | decided by |",
        "|---|---|---|---|---|---|",
    ]
    out += [_data_path_row(p) for p in report.get("data_paths", [])]
    if report.get("ai_transparency"):
        out += [
            "",
            "## AI transparency",
            "",
            "The settings that serve AI Act obligations, with the article each serves (evidence, not legal advice).",
            "",
            "| setting | value | serves | checked by | status |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {t['setting']} | {t['value']} | {t['serves']} | {t['checked_by']} | {t['status']} |"
            for t in report["ai_transparency"]
        ]
    identity = report.get("deploying_identity")
    out += ["", "## Deploying identity (`sovereign permissions`)", ""]
    if identity is None:
        out.append(f"Not derived for {report['cloud']} stacks yet.")
    else:
        out += [f"- {g['role']} on `{g['scope']}`: {g['why']}" for g in identity.get("roles", [])]
        out += [f"- feature `{f['namespace']}/{f['name']}`: {f['why']}" for f in identity.get("features", [])]
        out += [
            f"- `{p['statement']}` (attached to {p['compartment']})" for p in identity.get("policies", [])
        ]
    out += [
        "",
        "## Inventory",
        "",
        "| resource | cloud name | type | region | customer keys | protected |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["inventory"]:
        keys = "<br/>".join(f"`{k[-60:]}`" for k in r["keys"]) or "—"
        cloud_name = f"`{r['cloud_name']}`" if r.get("cloud_name") else "—"
        out.append(
            f"| `{r['name']}` | {cloud_name} | `{r['type']}` | {r['region'] or '—'} | {keys} "
            f"| {'yes' if r['protect'] else 'no'} |"
        )
    return "\n".join(out) + "\n"
