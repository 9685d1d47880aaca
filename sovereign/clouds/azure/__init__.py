"""Azure (AKS): the Azure country model, the invariants only Azure has, and Azure facts.

Imports nothing on its own; use ``sovereign.clouds.cloud_module(Cloud.AZURE, "settings")`` or import the
modules directly. No provider SDK is imported by any of them.
"""
