"""The chat tells citizens they are talking to an AI system (EU AI Act Art. 50(1)), in the assistant's languages:
validation requires the notice in prod (invariant ``chat_discloses_ai``), the stack renders it as an Open WebUI
banner nobody can dismiss (``WEBUI_BANNERS``, checked against open_webui 0.12.4 ``config.py`` ``BannerModel``),
the plan rule ``chat-discloses-ai`` holds the plan to it, and ``sovereign report`` lists it with the article."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.kubernetes.chat import AiNoticeSpec
from components.kubernetes.chat_pod import ai_notice_banners
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.plan.report import build_report, render_report_markdown
from sovereign.policies import PolicyContext, ResourceView
from tests.config.helpers import AS_OF, CONFIG_DIR, DELETE, edit, merged, messages
from tests.plan.test_plan import _context, _views
from tests.policies.shipped import rule_failures, shipped_plans

RULE = "chat-discloses-ai"
NOTICE = "assistant.chat.ai_notice"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def test_accepts_the_shipped_notices() -> None:
    for code in ("de", "fr", "gb", "in", "jp", "kr", "no", "br", "ae", "au"):
        assert [m for m in messages(merged(code)) if "ai_notice" in m] == [], code


def test_rejects_a_prod_chat_without_the_notice() -> None:
    [found] = [m for m in messages(edit(merged("de"), {NOTICE: DELETE})) if "ai_notice" in m]
    assert "must tell citizens they are talking to an AI system" in found and "Art. 50(1)" in found


def test_a_staging_chat_may_go_without_it() -> None:
    staging = edit(merged("de", "staging"), {NOTICE: DELETE})
    assert [m for m in messages(staging) if "ai_notice" in m] == []


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ({f"{NOTICE}.texts.tr": DELETE}, "no text for tr (the assistant serves de, en, tr)"),
        ({f"{NOTICE}.texts.en": "TODO TODO TODO TODO TODO TODO"}, "texts.en"),
        (
            {f"{NOTICE}.texts.en": "You are talking to an AI: see [the notice](https://x.example)."},
            "holds a link",
        ),
        ({f"{NOTICE}.texts.de": "Sie sprechen mit einem KI-System <b>jetzt</b>, bitte prüfen."}, "markup"),
    ],
)
def test_rejects_a_notice_that_says_nothing_or_misses_a_language(
    edits: dict[str, Any], expected: str
) -> None:
    found = [m for m in messages(edit(merged("de"), edits)) if "ai_notice" in m]
    assert found and any(expected in m for m in found), found


def test_rejects_a_notice_page_without_https() -> None:
    with pytest.raises(ValidationError, match="notice_url"):
        COUNTRY_CONFIG.validate_python(
            edit(merged("de"), {f"{NOTICE}.notice_url": "http://www.de.gov.example/n"})
        )


def test_the_banner_is_open_webuis_shape_in_every_language() -> None:
    notice = AiNoticeSpec(
        "https://www.de.gov.example/assistant/notice",
        {"de-DE": "Sie sprechen mit einem KI-System.", "en": "You are talking to an AI system."},
    )
    [banner] = json.loads(ai_notice_banners(notice, "de-DE"))
    # open_webui 0.12.4 config.py BannerModel: every field it requires, nothing it would reject.
    assert set(banner) == {"id", "type", "title", "content", "dismissible", "timestamp", "i18n"}
    assert banner["dismissible"] is False and isinstance(banner["timestamp"], int)
    assert (
        banner["content"] == "Sie sprechen mit einem KI-System. <https://www.de.gov.example/assistant/notice>"
    )
    # The front end tries the user's locale, then its base language: keys are base languages.
    assert set(banner["i18n"]) == {"de", "en"}
    assert banner["i18n"]["en"]["content"].endswith("<https://www.de.gov.example/assistant/notice>")


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    return shipped_plans("de-prod", "fr-prod")


def fails(ctx: PolicyContext, views: list[ResourceView]) -> list[str]:
    return rule_failures(RULE, ctx, views)


def _edit_chat_env(views: list[ResourceView], change: Any) -> list[ResourceView]:
    out, edited = [], 0
    for original in views:
        v = original
        containers = (v.get("spec.template.spec.containers") or []) if v.type == DEPLOYMENT else []
        if any(e.get("name") == "WEBUI_BANNERS" for c in containers for e in c.get("env") or []):
            props = copy.deepcopy(dict(v.props))
            for c in props["spec"]["template"]["spec"]["containers"]:
                if any(e.get("name") == "WEBUI_BANNERS" for e in c.get("env") or []):
                    c["env"] = change({e["name"]: e.get("value") for e in c["env"]}) or []
                    c["env"] = [{"name": k, "value": val} for k, val in c["env"].items()]
            v, edited = dataclasses.replace(v, props=props), edited + 1
        out.append(v)
    assert edited == 1
    return out


@pytest.mark.parametrize("stack", ["de-prod", "fr-prod"])
def test_the_shipped_stacks_disclose_it(plans, stack: str) -> None:
    assert fails(_context(plans[stack]), _views(plans[stack])) == []


def _banner_edit(key: str, value: Any):
    def change(env: dict[str, Any]) -> dict[str, Any]:
        banners = json.loads(env["WEBUI_BANNERS"])
        if key == "i18n.br":
            del banners[0]["i18n"]["br"]
        else:
            banners[0][key] = value
        return {**env, "WEBUI_BANNERS": json.dumps(banners)}

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda env: {k: v for k, v in env.items() if k != "WEBUI_BANNERS"},
            "no banner that users cannot dismiss",
        ),
        (_banner_edit("dismissible", True), "no banner that users cannot dismiss"),
        (
            _banner_edit("content", "Welcome to the assistant"),
            "links https://www.fr.gov.example/assistant/notice",
        ),
        (_banner_edit("i18n.br", None), "no text with the link for br"),
        (lambda env: {**env, "ENABLE_PERSISTENT_CONFIG": "True"}, "banners saved in the database win"),
    ],
)
def test_rejects_a_plan_whose_chat_hides_that_it_is_an_ai(plans, change, expected: str) -> None:
    document = plans["fr-prod"]
    messages_ = fails(_context(document), _edit_chat_env(_views(document), change))
    assert any(expected in m for m in messages_), messages_


def test_the_report_lists_it_with_the_article(plans) -> None:
    from sovereign.config.loader import load_country, load_register

    document = plans["de-prod"]
    register, _ = load_register(CONFIG_DIR)
    assert register is not None
    config = load_country("de", "prod", config_dir=CONFIG_DIR, as_of=AS_OF)
    report = build_report(document, config, register, AS_OF)
    [notice, conversations] = report["ai_transparency"]
    assert notice["status"] == "pass" and "Art. 50(1)" in notice["serves"]
    assert "de, en, tr" in notice["value"]
    assert conversations["status"].startswith("partial") and "Art. 26(6)" in conversations["serves"]
    assert "## AI transparency" in render_report_markdown(report)
