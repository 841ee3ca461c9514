"""The BOSS client interface. Implementations: `SimBossClient` (simulator) and `HttpBossClient`."""

from __future__ import annotations

from typing import Protocol

from tools.base.values import WriteResult
from tools.boss.data_model import (
    Bill,
    DataSession,
    DataUsage,
    ElasticEligibility,
    Payment,
    PortEligibility,
    Product,
    Subscriber,
    Subscription,
)


class BossClient(Protocol):
    """BOSS billing/CRM. Every read raises `RecordNotFound` for a missing record, never returns None."""

    def get_subscriber(self, msisdn: str) -> Subscriber:
        """The line's account, status and balance."""
        ...

    def get_product(self, product_id: str) -> Product:
        """A product from the catalogue."""
        ...

    def list_products(self, kind: str | None = None) -> list[Product]:
        """Products on sale (not retired), optionally of one kind."""
        ...

    def list_subscriptions(self, msisdn: str, active_only: bool = True) -> list[Subscription]:
        """Plans, packs and VAS the line holds."""
        ...

    def get_bill(self, msisdn: str, month: str) -> Bill:
        """The bill of a month, with items."""
        ...

    def get_data_usage(self, msisdn: str, month: str) -> DataUsage:
        """Data use in a month."""
        ...

    def list_data_sessions(
        self, msisdn: str, start: str | None = None, end: str | None = None, limit: int = 200
    ) -> list[DataSession]:
        """Data session records (详单), newest first, between two ISO times."""
        ...

    def list_payments(self, msisdn: str, limit: int = 20) -> list[Payment]:
        """Payments, newest first."""
        ...

    def check_elastic_eligibility(self, msisdn: str, month: str) -> ElasticEligibility:
        """Whether the month's overage can become an elastic pack, and the fee it saves."""
        ...

    def check_port_eligibility(self, msisdn: str) -> PortEligibility:
        """Whether the line can port out now (携号转网), each condition with the values checked."""
        ...

    def apply_elastic_package(self, msisdn: str, month: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Convert the month's overage into the elastic pack tier; refund the difference."""
        ...

    def subscribe_data_pack(
        self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str
    ) -> WriteResult:
        """Order a data pack, effective at once for the current month."""
        ...

    def resume_service(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Resume a suspended line (arrears must be paid first)."""
        ...

    def unsubscribe_vas(self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Cancel a VAS subscription."""
        ...

    def reset_service_password(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Reset the service password; the new one goes to the line by SMS."""
        ...

    def enable_roaming(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Turn on international roaming."""
        ...
