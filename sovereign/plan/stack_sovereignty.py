"""What the stack file, the project file and CI's backend say about state and secrets, held to the country file.

The country file declares its state backend and secrets provider (``sovereign.config.deployment``); Pulumi reads
them from elsewhere: the secrets provider from the stack file's ``secretsprovider``, the backend from
``PULUMI_BACKEND_URL``, else the project file's ``backend.url``, else the stored login (pulumi/pulumi v3.259
``pkg/workspace/creds.go``). Each of those is checked against the declaration here; ``sovereign validate`` reports
the stack and project files, ``sovereign ci backend-check`` CI's variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sovereign.config.errors import Problem
from sovereign.plan.stackfiles import StackFile

__all__ = ["backend_problem", "project_file_problems", "stack_config_problems", "stack_file_problems"]


def stack_file_problems(stack: StackFile, config: Any) -> list[Problem]:
    """The stack file's secrets provider is the one the country declares for that environment.

    Pulumi compares the provider string exactly (``pkg/secrets/cloud/manager.go`` ``NewCloudSecretsManager``: a
    different string makes a new data key), so the comparison here is exact too.
    """
    declared: str = config.deployment.secrets_provider.url
    written = stack.secrets_provider
    line = stack.lines.get("secretsprovider")
    where = f"{config.country}.yaml deployment.secrets_provider.url"
    if declared == "passphrase":
        if written in (None, "passphrase"):
            return []
        return [
            Problem(
                stack.path,
                line,
                "secretsprovider",
                f"is '{written}', but {where} is 'passphrase'",
                "run 'pulumi stack change-secrets-provider passphrase -s "
                f"{stack.name}' (it re-encrypts the secrets), or change the country's declaration",
            )
        ]
    problems = []
    if written != declared:
        got = (
            f"is '{written}'"
            if written is not None
            else (
                "is missing (Pulumi would use the passphrase, the state's manager or the backend's default)"
            )
        )
        problems.append(
            Problem(
                stack.path,
                line,
                "secretsprovider",
                f"{got}, but {where} is '{declared}'",
                f"set 'secretsprovider: {declared}' (new stack: 'pulumi stack init {stack.name} --secrets-provider "
                f"{declared}'; existing: 'pulumi stack change-secrets-provider {declared}', which re-encrypts)",
            )
        )
    if stack.encryption_salt:
        problems.append(
            Problem(
                stack.path,
                stack.lines.get("encryptionsalt"),
                "encryptionsalt",
                f"the stack's secrets are passphrase-encrypted, but {where} is '{declared}'",
                f"run 'pulumi stack change-secrets-provider {declared} -s {stack.name}' (it re-encrypts the secrets "
                "and removes the salt)",
            )
        )
    return problems


def project_file_problems(project_file: Path) -> list[Problem]:
    """The project file names no backend: it serves every country, and its ``backend.url`` is used wherever
    ``PULUMI_BACKEND_URL`` is unset, so every country's state would go to one place."""
    from sovereign.config.yamlfile import read_yaml

    document, problems = read_yaml(project_file)
    if document is None:
        return list(problems)
    data = document.data if isinstance(document.data, dict) else {}
    if "backend" not in data:
        return []
    return [
        Problem(
            project_file,
            document.line_of(("backend",))[1],
            "backend",
            f"names a backend ({data['backend']!r}) for every country of the project",
            "remove 'backend:'; each country's backend is its deployment.state_backend.url, given to Pulumi as "
            "PULUMI_BACKEND_URL (checked by 'sovereign ci backend-check')",
        )
    ]


def backend_problem(config: Any, url: str | None, source: Path) -> Problem | None:
    """CI's ``PULUMI_BACKEND_URL`` for the stack of ``config`` is the country's declared backend."""
    declared: str = config.deployment.state_backend.url
    if url == declared:
        return None
    got = f"is '{url}'" if url else "is not set (Pulumi would use the stored login, e.g. Pulumi Cloud)"
    return Problem(
        source,
        None,
        "PULUMI_BACKEND_URL",
        f"{got}, but {config.country}.yaml deployment.state_backend.url is '{declared}' (stack "
        f"{config.stack_name})",
        f"set the '{config.country}' environment's variable PULUMI_BACKEND_URL to '{declared}'",
    )


STACK_SECRETS = ("assistantApiKey", "chatOidcClientSecret", "chatSessionSecret")
"""Stack secrets the program requires (``stacks/assistant.py``: ``require_secret``)."""
_STACK_SETTINGS = ("country", "environment", "renamed", "logs-cluster-key-granted", *STACK_SECRETS)
"""Every ``sovereign-ai:`` key the program reads (``stacks/program.py``, ``assistant.py``, ``renames.py``,
``azure_platform.py``); any other is a typo the program would silently ignore."""


def stack_config_problems(stack: StackFile, config: Any) -> list[Problem]:
    """The stack file's ``config:`` says only what the program reads, in the form it reads it, so that
    ``sovereign validate`` refuses what the program would refuse (or silently ignore) at ``pulumi up``."""
    import json

    from sovereign.plan.stackfiles import PROJECT

    problems: list[Problem] = []

    def refuse(key: str, message: str, fix: str) -> None:
        problems.append(Problem(stack.path, stack.lines.get(f"config.{key}"), f"config.{key}", message, fix))

    for key in stack.config:
        namespace, _, name = key.partition(":")
        if namespace == PROJECT and name not in _STACK_SETTINGS:
            refuse(
                key,
                f"the program reads no '{name}' (known: {', '.join(_STACK_SETTINGS)})",
                "fix the name or remove it",
            )
        elif namespace not in (PROJECT, "pulumi"):
            # The program builds every provider itself, from the country file (default providers are disabled);
            # a provider key here is a default nobody reviews against the country file.
            refuse(
                key,
                f"'{namespace}' settings are not read: every provider is built from the country file",
                "remove it",
            )
    for name in STACK_SECRETS:
        key = f"{PROJECT}:{name}"
        if key in stack.config and key not in stack.secret_keys:
            refuse(
                key,
                "is a secret written in clear text, in git",
                f"remove it, rotate it, and set it with 'pulumi config set --secret {name} <value> -s {stack.name}'",
            )
    disabled = stack.config.get("pulumi:disable-default-providers")
    try:
        listed = json.loads(disabled) if disabled is not None else []
    except ValueError:
        listed = [disabled]
    if not isinstance(listed, list) or "*" not in listed:
        refuse(
            "pulumi:disable-default-providers",
            "does not disable every default provider: a resource without an explicit provider would go to the "
            "provider's default region",
            "set 'pulumi:disable-default-providers: [\"*\"]'",
        )
    granted = stack.config.get(f"{PROJECT}:logs-cluster-key-granted")
    if granted is not None:
        if config.cloud.value != "azure":
            refuse(
                f"{PROJECT}:logs-cluster-key-granted",
                "is an Azure setting (the log cluster's key)",
                "remove it",
            )
        elif granted not in ("true", "True", "false", "False"):
            # pulumi.Config.get_bool accepts only these four and raises ConfigTypeError on anything else (pulumi
            # 3.272.0, pulumi/config.py ``_get_bool``).
            refuse(
                f"{PROJECT}:logs-cluster-key-granted",
                f"is {granted!r}, not true or false",
                "write 'true' or 'false'",
            )
    renamed = stack.config.get(f"{PROJECT}:renamed")
    if renamed is not None:
        problems += _rename_problems(stack, renamed)
    return problems


def _rename_problems(stack: StackFile, raw: str) -> list[Problem]:
    """What ``stacks/renames.py`` ``_table`` refuses: a mapping of new name to a different, non-empty old name."""
    import json

    key = "sovereign-ai:renamed"
    line = stack.lines.get(f"config.{key}")
    fix = "write 'new-name: old-name' lines, e.g. 'de-prod-store-models: de-prod-store-weights'"
    try:
        table = json.loads(raw)
    except ValueError:
        table = raw
    if not isinstance(table, dict):
        return [Problem(stack.path, line, f"config.{key}", f"expected a mapping (got {table!r})", fix)]
    return [
        Problem(
            stack.path,
            line,
            f"config.{key}.{new}",
            f"expected a different, non-empty old name (got {old!r})",
            fix,
        )
        for new, old in table.items()
        if not (isinstance(old, str) and old and new) or new == old
    ]
