"""Who the bot speaks for: the deployment's names and numbers that say() fills into every text.

Every text may name the company, the agent's id, the hotline or the gas emergency number, and
say() is called from about a hundred places, most of them deep inside rules that know nothing
of the deployment. Passing these five values down to each of them would thread them through
every signature, so each process's composition root (bot/runtime.py, actions/server.py,
bot/cli) installs them once at start-up instead, from its Settings. A process that forgot to
install them fails on its first text (BrandingNotInstalled) rather than speaking for a company
by a default written in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class BrandingNotInstalled(RuntimeError):
    """say() was called in a process whose composition root installed no Branding."""


class BrandingSource(Protocol):
    """Where the values come from (the Settings of bot/config.py, which the core does not read)."""

    company_name: str
    company_name_en: str
    agent_id: str
    hotline_phone: str
    gas_emergency_number: str


@dataclass(frozen=True)
class Branding:
    company_name: str
    company_name_en: str
    agent_id: str
    hotline_phone: str
    gas_emergency_number: str

    @classmethod
    def of(cls, source: BrandingSource) -> Branding:
        return cls(
            company_name=source.company_name,
            company_name_en=source.company_name_en,
            agent_id=source.agent_id,
            hotline_phone=source.hotline_phone,
            gas_emergency_number=source.gas_emergency_number,
        )

    def placeholders(self) -> dict[str, str]:
        """The values under the names the catalogs' texts use: {company}, {hotline}, ..."""
        return {
            "company": self.company_name,
            "company_en": self.company_name_en,
            "agent_id": self.agent_id,
            "hotline": self.hotline_phone,
            "gas_number": self.gas_emergency_number,
        }


_installed: Branding | None = None


def install_branding(branding: Branding) -> None:
    """Make `branding` what this process's texts say (once per process, at start-up)."""
    global _installed
    _installed = branding


def installed_branding() -> Branding:
    if _installed is None:
        raise BrandingNotInstalled(
            "No Branding installed in this process: its composition root must call install_branding() at start-up."
        )
    return _installed
