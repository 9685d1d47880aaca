"""Country configuration: schema, layered loading, sovereignty invariants, rendering of new countries.

Imports no provider SDK: ``sovereign validate`` stays fast and runs anywhere.
"""

from sovereign.config.errors import ConfigError, Problem, Violation
from sovereign.config.loader import (
    country_files,
    default_config_dir,
    load_country,
    load_register,
    validate_files,
)
from sovereign.config.schema import (
    COUNTRY_CONFIG,
    AzureCountry,
    CountryConfig,
    ModelRecord,
    ModelRegister,
    OciCountry,
)

__all__ = [
    "COUNTRY_CONFIG",
    "AzureCountry",
    "ConfigError",
    "CountryConfig",
    "ModelRecord",
    "ModelRegister",
    "OciCountry",
    "Problem",
    "Violation",
    "country_files",
    "default_config_dir",
    "load_country",
    "load_register",
    "validate_files",
]
