"""Oracle Cloud (OKE): the OCI country model, the invariants only OCI has, and OCI facts.

Imports nothing on its own; use ``sovereign.clouds.cloud_module(Cloud.OCI, "settings")`` or import the
modules directly. No provider SDK is imported by any of them.
"""
