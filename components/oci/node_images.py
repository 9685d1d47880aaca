"""Node pool helpers: shape classification, OKE node image choice, taints through cloud-init.

Pure functions (no resources). OKE managed node pools have no taint field: taints are registered by the
kubelet, through ``--register-with-taints`` passed to OKE's own init script in the instance's cloud-init
user data (the pattern of OKE's "custom cloud-init" documentation), after the root filesystem is grown to the
boot volume. Images come from the node pool options
OKE publishes per Kubernetes version; the newest matching Oracle Linux image wins, GPU images for GPU shapes.

Non-goals: custom images, Ubuntu images, self-managed nodes.
"""

import base64
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sovereign.catalogue import oke_credential_provider as ocp
from sovereign.catalogue.machines import require_machine_size
from sovereign.contracts import GPU_TAINT
from sovereign.types import Cloud

__all__ = [
    "GPU_TAINT",
    "GROW_ROOT_FS",
    "CredentialProviderInstall",
    "cloud_init_user_data",
    "is_arm_shape",
    "is_flex_shape",
    "is_gpu_shape",
    "select_node_image",
    "supports_pv_transit_encryption",
    "validate_taint",
]


_TAINT = re.compile(r"[A-Za-z0-9./_-]{1,253}(=[A-Za-z0-9._-]{0,63})?:(NoSchedule|PreferNoSchedule|NoExecute)")

# OKE's documented default start-up logic; custom scripts must keep it and may only add to it.
_OKE_INIT = (
    "#!/bin/bash\n"
    'curl --fail -H "Authorization: Bearer Oracle" -L0 '
    "http://169.254.169.254/opc/v2/instance/metadata/oke_init_script "
    "| base64 --decode >/var/run/oke-init.sh\n"
)


def is_gpu_shape(shape: str) -> bool:
    """From the machine catalogue, the one source of 'is GPU' (a shape not listed there is refused)."""
    return require_machine_size(Cloud.OCI, shape, "shape").gpus > 0


def is_flex_shape(shape: str) -> bool:
    return shape.endswith(".Flex")


def is_arm_shape(shape: str) -> bool:
    return ".A1." in shape or ".A2." in shape or shape.endswith((".A1", ".A2"))


def validate_taint(taint: str) -> str:
    if not _TAINT.fullmatch(taint):
        raise ValueError(
            f"taints: {taint!r} is not 'key[=value]:Effect' (Effect: NoSchedule, PreferNoSchedule, NoExecute)"
        )
    return taint


# OKE images keep the image's partition size whatever the boot volume size: grow the root filesystem to the
# volume before the kubelet starts pulling images. oci-growfs is Oracle Linux's tool for it ("/usr/libexec/
# oci-growfs [-y]", docs.oracle.com/en-us/iaas/oracle-linux/oci/oci-utilities-reference.htm); terraform-oci-oke
# runs the same guarded command on every worker (modules/workers/cloudinit.tf, bootcmd), and Oracle's Cluster API
# provider documents it next to oke-init.sh (oracle.github.io/cluster-api-provider-oci/managed/
# boot-volume-expansion.html).
GROW_ROOT_FS = "if [ -x /usr/libexec/oci-growfs ]; then /usr/libexec/oci-growfs -y; fi\n"


@dataclass(frozen=True)
class CredentialProviderInstall:
    """Where a node fetches Oracle's OCIR credential provider and what it must hash to
    (:mod:`sovereign.catalogue.oke_credential_provider`)."""

    url: str
    """Read-only pre-authenticated request URL of the staged binary, in the node's own region."""
    sha256: str
    """'sha256:<64 hex>' of that binary: the node refuses to start a kubelet with any other file."""
    registry_host: str
    """The only registry the kubelet asks the provider for credentials for, such as 'fra.ocir.io'."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"https://objectstorage\.[a-z0-9-]+\.[a-z0-9.]+/p/\S+", self.url):
            raise ValueError(
                f"credential provider url: {self.url!r} is not an Object Storage pre-authenticated request URL"
            )
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", self.sha256):
            raise ValueError(
                f"credential provider sha256: {self.sha256!r} (allowed: 'sha256:' + 64 hex digits)"
            )


def _install_credential_provider(install: CredentialProviderInstall) -> str:
    """Fetch, verify (``sha256sum -c`` fails the boot on any other file) and install the provider and its config.

    ``set -e`` semantics by hand: a node that cannot verify the binary stops before OKE's init script, so it
    never joins the cluster (a loud failure) instead of joining without the ability to pull the country's images.
    """
    binary = f"{ocp.BIN_DIR}/{ocp.PROVIDER_NAME}"
    digest = install.sha256.removeprefix("sha256:")
    return (
        f"curl --fail --silent --show-error --retry 10 --retry-connrefused -o {binary}.download "
        f"{shlex.quote(install.url)} || exit 1\n"
        f'echo "{digest}  {binary}.download" | sha256sum -c - || exit 1\n'
        f"install -m 0755 {binary}.download {binary} && rm -f {binary}.download\n"
        f"cat >{ocp.CONFIG_PATH} <<'SOVEREIGN_EOF'\n{ocp.provider_config(install.registry_host)}SOVEREIGN_EOF\n"
    )


def cloud_init_user_data(
    taints: Sequence[str], credential_provider: CredentialProviderInstall | None = None
) -> str:
    """Base64 cloud-init: grow the root filesystem, install the OCIR credential provider, then run OKE's init
    script (which must still run: custom scripts replace OKE's default one) with the taints registered by the
    kubelet and the provider's kubelet flags."""
    for taint in taints:
        validate_taint(taint)
    kubelet_args = [f"--register-with-taints={','.join(taints)}"] if taints else []
    install = ""
    if credential_provider is not None:
        install = _install_credential_provider(credential_provider)
        kubelet_args += [
            f"--image-credential-provider-bin-dir={ocp.BIN_DIR}",
            f"--image-credential-provider-config={ocp.CONFIG_PATH}",
        ]
    extra = f' --kubelet-extra-args "{" ".join(kubelet_args)}"' if kubelet_args else ""
    script = _OKE_INIT + GROW_ROOT_FS + install + f"bash /var/run/oke-init.sh{extra}\n"
    return base64.b64encode(script.encode()).decode()


def supports_pv_transit_encryption(shape: str) -> bool:
    """In-transit encryption needs paravirtualized attachments, which only VM shapes have: bare-metal shapes
    attach volumes over iSCSI (terraform-oci-oke modules/workers/locals.tf: "Bare metal instances must use iSCSI
    block volume attachments, not paravirtualized"; pv_transit_encryption only for '^VM' shapes)."""
    return shape.startswith("VM.")


def select_node_image(
    sources: Iterable[tuple[str, str]], *, kubernetes_version: str, gpu: bool, arm: bool = False
) -> str:
    """Pick the image id of the newest Oracle Linux OKE image for this version, GPU flavour, architecture.

    ``sources`` are (source name, image id) pairs from ``getNodePoolOption``; names look like
    ``Oracle-Linux-8.10-Gen2-GPU-2025.01.31-0-OKE-1.31.1-800``.
    """
    version = kubernetes_version.removeprefix("v")
    candidates = [
        (name, image_id)
        for name, image_id in sources
        if name.startswith("Oracle-Linux-")
        and f"-OKE-{version}-" in name
        and ("-GPU-" in name) == gpu
        and ("aarch64" in name) == arm
    ]
    if not candidates:
        kind = ("GPU " if gpu else "") + ("aarch64 " if arm else "")
        raise ValueError(
            f"node image: OKE publishes no Oracle Linux {kind}image for Kubernetes {kubernetes_version} "
            "in this region; pick a supported kubernetes_version or set the node pool's image_id"
        )
    return max(candidates, key=lambda c: _release(c[0]))[1]


_RELEASE = re.compile(r"-(\d{4})\.(\d{2})\.(\d{2})-(\d+)-OKE-[0-9.]+-(\d+)$")


def _release(source_name: str) -> tuple[int, ...]:
    """(year, month, day, respin, build) of an OKE image name; names sort wrongly as text (8.9 > 8.10)."""
    match = _RELEASE.search(source_name)
    return tuple(int(part) for part in match.groups()) if match else (0,)
