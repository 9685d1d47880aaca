"""Pulumi's entry point (``main: stacks/`` in Pulumi.yaml): ``pulumi preview -s de-prod`` runs this."""

from stacks.program import sovereign_program

sovereign_program()
