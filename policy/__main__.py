"""Entry point of the policy pack. Builds the pack (which starts the analyzer's gRPC server): never import it.

The rules are in ``sovereign.policies`` so that the offline plan and the tests run them without this server.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from sovereign.policies.pack import build_policies

PolicyPack(name="sovereign-ai", enforcement_level=EnforcementLevel.MANDATORY, policies=build_policies())
