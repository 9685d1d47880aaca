"""Renames that keep the cloud resources: the stack config ``sovereign-ai:renamed`` maps new names to old ones.

Pulumi identifies a resource by its URN (stack, type, parent, name). A new name is a new URN, so the engine
would create a second resource and delete the first; for a vault, a key or a store that is data loss (in prod
the ``protect`` option stops the update instead). A rename listed in the stack file gives the renamed resource
an alias to its old name. Its children follow without being listed: they are named ``<name>-<role>`` (STYLE
rule 3), and the engine derives each child's old URN from the parent's alias by swapping that name prefix. So
one entry keeps a whole component, for example a store renamed in the country file::

    # stacks/Pulumi.de-prod.yaml, after renaming the store 'weights' to 'models' in country_configs/de.yaml
    config:
      sovereign-ai:renamed:
        de-prod-store-models: de-prod-store-weights   # new resource name: old resource name

Names are the Pulumi resource names that ``sovereign plan`` shows. Every entry must match a resource of the
stack, or the plan fails: a mistyped entry would otherwise protect nothing. After the first ``pulumi up`` with
the entry, the state holds the new URNs and the entry may be removed. A rename in the toolkit's own code (a role
suffix or a component type that changes for every stack) passes ``aliases=`` in that code instead.

Cloud-side names: an Azure store's account and endpoint names derive from its component name, so the stack
derives them from the old name of a renamed store (:func:`renamed_from`); for such a store keep the entry after
the first ``pulumi up``, or the names would follow the new name and the account be replaced. Other explicit
cloud names are inputs, and changing one is the provider's update or replacement, which ``sovereign diff``
shows property by property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

__all__ = ["RENAMED_KEY", "keep_renamed_resources", "renamed_from"]

RENAMED_KEY = "renamed"
"""Stack config key (``sovereign-ai:renamed``): a mapping of new resource name to old resource name."""


def _table(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    fix = "write 'new-name: old-name' lines, e.g. 'de-prod-store-models: de-prod-store-weights'"
    if not isinstance(value, Mapping):
        raise pulumi.RunError(f"sovereign-ai:{RENAMED_KEY}: expected a mapping (got {value!r}) — {fix}")
    table: dict[str, str] = {}
    for new, old in value.items():
        if not (isinstance(new, str) and isinstance(old, str) and new and old) or new == old:
            raise pulumi.RunError(
                f"sovereign-ai:{RENAMED_KEY}.{new}: expected a different, non-empty old name (got {old!r}) — {fix}"
            )
        table[new] = old
    return table


def renamed_from(stack_config: pulumi.Config) -> dict[str, str]:
    """The table itself, new name -> old name: components whose cloud names derive from their Pulumi name (an
    Azure store's account) keep deriving them from the old one, so the rename changes no cloud name either."""
    return _table(stack_config.get_object(RENAMED_KEY))


def keep_renamed_resources(stack_config: pulumi.Config) -> Callable[[], None]:
    """Alias every resource the table renames to its old name; call before declaring any resource.

    Returns the check to call once the program declared everything: it fails on entries that matched nothing.
    """
    table = _table(stack_config.get_object(RENAMED_KEY))
    matched: set[str] = set()

    def alias_old_name(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        old = table.get(args.name)
        if old is None:
            return None
        matched.add(args.name)
        # A legacy (SDK-side) stack transformation: it runs in this process, under the real engine and under
        # the offline plan's mocks alike (engine-side `transforms` do not run under mocks).
        extra = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=old)])
        return pulumi.ResourceTransformationResult(args.props, pulumi.ResourceOptions.merge(args.opts, extra))

    if table:
        pulumi.runtime.register_stack_transformation(alias_old_name)

    def check_every_entry_matched() -> None:
        unmatched = sorted(set(table) - matched)
        if unmatched:
            raise pulumi.RunError(
                f"sovereign-ai:{RENAMED_KEY}: no resource named {', '.join(repr(n) for n in unmatched)} in stack "
                f"{pulumi.get_stack()} — use a name that `sovereign plan` shows, or remove the entry"
            )

    return check_every_entry_matched
