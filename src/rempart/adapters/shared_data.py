"""Where the real lists sit in the shared data directory, and how each is imported.

One entry per list: the source parser, the list name, and the files (globs relative to the data
directory). Used by `rempart demo`, the list tests and the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class ListFiles:
    source: str
    list_name: str
    globs: tuple[str, ...]
    note: str = ""
    as_of: date | None = None  # for files that carry no date of their own (SOURCES.md gives it)

    def paths(self, data_dir: Path) -> list[Path]:
        found: list[Path] = []
        for g in self.globs:
            found.extend(sorted(data_dir.glob(g)))
        return found


CATALOGUE: tuple[ListFiles, ...] = (
    ListFiles(
        "ofac",
        "ofac",
        (
            "ofac_sdn_2024-05-03_jackdwyer/sdn.csv",
            "ofac_sdn_alt_add_2026-06_mino6225/alt.csv",
            "ofac_sdn_alt_add_2026-06_mino6225/add.csv",
            "ofac_sdn_comments_2025-01_watchman/sdn_comments.csv",
        ),
        "2024-05 sdn.csv with the 2026-06 alt/add files: newer aliases and addresses whose entry is not "
        "in the 2024 sdn.csv are reported as orphans",
        date(2024, 5, 3),
    ),
    ListFiles(
        "ofac",
        "ofac_cons",
        ("ofac_consolidated_nonsdn_2025-12_watchman/cons_*.csv",),
        as_of=date(2025, 12, 1),
    ),
    ListFiles("un", "un", ("un_sc_consolidated_2026-02-27_watchman/UN_consolidated.xml",)),
    ListFiles("uk", "uk", ("uk_ofsi_conlist_2025-04-10_nadya-soto/UK_Sanctions_List.xlsx",)),
    ListFiles("uk", "uk_sl", ("uk_sanctions_list_derived_2026-05_covyr/*.csv",)),
    ListFiles(
        "eu",
        "eu",
        (
            "eu_journal_sanctions_consolidated_2026-08-21_opensanctions/*.csv",
            "eu_journal_sanctions_consolidated_2026-08-21_opensanctions/amendments/*.csv",
        ),
    ),
    ListFiles(
        "crypto",
        "ofac_crypto",
        (
            "ofac_crypto_addresses_2025-11-27_bob-teamone/*.json",
            "ofac_crypto_addresses_2026-08-20_thomasgregg/sanctioned-addresses.json",
        ),
        as_of=date(2026, 8, 20),
    ),
    ListFiles("crypto", "il_nbctf", ("il_nbctf_crypto_wallets_opensanctions/wallets.csv",)),
)
