"""BOSS over HTTP, for a real deployment (contract: tools/openapi.json, served by `hotline sim serve`)."""

from __future__ import annotations

from tools.base.http import HttpTransport
from tools.base.values import WriteResult, check_month, check_msisdn
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

SYS = "BOSS"


class HttpBossClient:
    """BOSS over HTTP (see `BossClient` for the contract)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.http = transport

    def _base(self, msisdn: str) -> str:
        return f"/boss/subscribers/{check_msisdn(msisdn, SYS)}"

    def get_subscriber(self, msisdn: str) -> Subscriber:
        """See `BossClient.get_subscriber`."""
        return self.http.get_model(self._base(msisdn), Subscriber)

    def get_product(self, product_id: str) -> Product:
        """See `BossClient.get_product`."""
        return self.http.get_model(f"/boss/products/{product_id}", Product)

    def list_products(self, kind: str | None = None) -> list[Product]:
        """See `BossClient.list_products`."""
        return self.http.get_list("/boss/products", Product, kind=kind)

    def list_subscriptions(self, msisdn: str, active_only: bool = True) -> list[Subscription]:
        """See `BossClient.list_subscriptions`."""
        return self.http.get_list(f"{self._base(msisdn)}/subscriptions", Subscription, active_only=active_only)

    def get_bill(self, msisdn: str, month: str) -> Bill:
        """See `BossClient.get_bill`."""
        return self.http.get_model(f"{self._base(msisdn)}/bills/{check_month(month, SYS)}", Bill)

    def get_data_usage(self, msisdn: str, month: str) -> DataUsage:
        """See `BossClient.get_data_usage`."""
        return self.http.get_model(f"{self._base(msisdn)}/usage/{check_month(month, SYS)}", DataUsage)

    def list_data_sessions(
        self, msisdn: str, start: str | None = None, end: str | None = None, limit: int = 200
    ) -> list[DataSession]:
        """See `BossClient.list_data_sessions`."""
        return self.http.get_list(f"{self._base(msisdn)}/sessions", DataSession, start=start, end=end, limit=limit)

    def list_payments(self, msisdn: str, limit: int = 20) -> list[Payment]:
        """See `BossClient.list_payments`."""
        return self.http.get_list(f"{self._base(msisdn)}/payments", Payment, limit=limit)

    def check_elastic_eligibility(self, msisdn: str, month: str) -> ElasticEligibility:
        """See `BossClient.check_elastic_eligibility`."""
        return self.http.get_model(f"{self._base(msisdn)}/elastic/{check_month(month, SYS)}", ElasticEligibility)

    def check_port_eligibility(self, msisdn: str) -> PortEligibility:
        """See `BossClient.check_port_eligibility`."""
        return self.http.get_model(f"{self._base(msisdn)}/porting", PortEligibility)

    def apply_elastic_package(self, msisdn: str, month: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.apply_elastic_package`."""
        path = f"{self._base(msisdn)}/elastic/{check_month(month, SYS)}/apply"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)

    def subscribe_data_pack(
        self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str
    ) -> WriteResult:
        """See `BossClient.subscribe_data_pack`."""
        body = {"actor": actor, "product_id": product_id}
        return self.http.post_model(f"{self._base(msisdn)}/data-packs", WriteResult, body, idempotency_key)

    def resume_service(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.resume_service`."""
        return self.http.post_model(f"{self._base(msisdn)}/resume", WriteResult, {"actor": actor}, idempotency_key)

    def unsubscribe_vas(self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.unsubscribe_vas`."""
        path = f"{self._base(msisdn)}/vas/{product_id}/unsubscribe"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)

    def reset_service_password(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.reset_service_password`."""
        path = f"{self._base(msisdn)}/password/reset"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)

    def enable_roaming(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.enable_roaming`."""
        path = f"{self._base(msisdn)}/roaming/enable"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)
