"""Pure Azure facts: confidential sizes and key identifiers."""

import pytest

HSM_KEY = "https://de-hsm.managedhsm.azure.net/keys/storage-cmk/0123456789abcdef0123456789abcdef"


def test_versionless_uri_of_an_hsm_key() -> None:
    from components.azure.catalogue import versionless_key_uri

    assert versionless_key_uri(HSM_KEY) == "https://de-hsm.managedhsm.azure.net/keys/storage-cmk"
    assert versionless_key_uri("https://v.vault.azure.net/keys/k") == "https://v.vault.azure.net/keys/k"
    with pytest.raises(ValueError, match="not a Key Vault or Managed HSM key identifier"):
        versionless_key_uri("https://v.vault.azure.net/secrets/s")


@pytest.mark.parametrize(
    ("vm_size", "confidential"),
    [
        ("Standard_DC4as_v5", True),
        ("Standard_DC8ads_v5", True),
        ("Standard_EC96iads_v5", True),
        ("Standard_DC16es_v5", True),
        ("Standard_EC128ieds_v5", True),
        ("Standard_NCC40ads_H100_v5", True),
        ("Standard_D4ads_v5", False),
        ("Standard_DC4s_v3", False),
        ("Standard_NC40ads_H100_v5", False),
    ],
)
def test_confidential_size_catalogue(vm_size: str, confidential: bool) -> None:
    from components.azure.catalogue import is_confidential_vm_sku

    assert is_confidential_vm_sku(vm_size) is confidential, vm_size
