"""How far an .xlsx may reach before :mod:`kam_xl.package` refuses it: :class:`PackageLimits`, settings from the
environment (``KAM_XL_<NAME>``). A module of its own so that pydantic-settings (≈ 8 MiB of a process's memory) is
imported only by a process that opens a workbook (``kam_xl.package.current_limits``), not by every process that
imports the package's reader — a ``generate --jobs`` worker writing new plans opens none.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kam_xl.package import ENV_PREFIX


class PackageLimits(BaseSettings):
    """How far an .xlsx may reach before it is refused; each is an environment variable ``KAM_XL_<NAME>``.

    The defaults admit the largest files kam_xl writes itself with room to spare (the data book and the
    controller of 10,000 accounts: see the figures in ``docs`` / the issue) and refuse what would take a
    run down: inflating gigabytes, allocating a sheet of 17 billion cells."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    max_file_mb: float = Field(100, gt=0, description="size of the .xlsx file itself")
    max_entries: int = Field(10_000, gt=0, description="entries (parts) in the zip archive")
    max_part_mb: float = Field(300, gt=0, description="inflated size of one part")
    max_total_mb: float = Field(1_000, gt=0, description="inflated size of all parts together")
    max_ratio: float = Field(200, gt=1, description="inflated / compressed size of one part over 1 MB")
    max_sheet_cells: int = Field(50_000_000, gt=0, description="rows × columns from A1 to a sheet's last cell")
    max_name_cells: int = Field(20_000_000, gt=0, description="cells a defined name spans")
