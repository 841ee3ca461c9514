"""The BOSS half of the HTTP contract, served over any `BossClient` (the simulator in `hotline sim serve`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from tools.base.contract import ActorBody, IdempotencyKey
from tools.base.values import WriteResult
from tools.boss.client import BossClient
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


class DataPackBody(ActorBody):
    """Order a data pack."""

    product_id: str = Field(min_length=1, description="Data pack product id")


def build_router(client: BossClient) -> APIRouter:
    """Routes under /boss that delegate to `client`."""
    r = APIRouter(prefix="/boss", tags=["BOSS"])
    base = "/subscribers/{msisdn}"

    @r.get(base, response_model=Subscriber)
    def get_subscriber(msisdn: str) -> Subscriber:
        return client.get_subscriber(msisdn)

    @r.get("/products", response_model=list[Product])
    def list_products(kind: str | None = None) -> list[Product]:
        return client.list_products(kind)

    @r.get("/products/{product_id}", response_model=Product)
    def get_product(product_id: str) -> Product:
        return client.get_product(product_id)

    @r.get(base + "/subscriptions", response_model=list[Subscription])
    def list_subscriptions(msisdn: str, active_only: bool = True) -> list[Subscription]:
        return client.list_subscriptions(msisdn, active_only)

    @r.get(base + "/bills/{month}", response_model=Bill)
    def get_bill(msisdn: str, month: str) -> Bill:
        return client.get_bill(msisdn, month)

    @r.get(base + "/usage/{month}", response_model=DataUsage)
    def get_data_usage(msisdn: str, month: str) -> DataUsage:
        return client.get_data_usage(msisdn, month)

    @r.get(base + "/sessions", response_model=list[DataSession])
    def list_data_sessions(
        msisdn: str, start: str | None = None, end: str | None = None, limit: Annotated[int, Query()] = 200
    ) -> list[DataSession]:
        return client.list_data_sessions(msisdn, start, end, limit)

    @r.get(base + "/payments", response_model=list[Payment])
    def list_payments(msisdn: str, limit: int = 20) -> list[Payment]:
        return client.list_payments(msisdn, limit)

    @r.get(base + "/elastic/{month}", response_model=ElasticEligibility)
    def check_elastic_eligibility(msisdn: str, month: str) -> ElasticEligibility:
        return client.check_elastic_eligibility(msisdn, month)

    @r.get(base + "/porting", response_model=PortEligibility)
    def check_port_eligibility(msisdn: str) -> PortEligibility:
        return client.check_port_eligibility(msisdn)

    @r.post(base + "/elastic/{month}/apply", response_model=WriteResult)
    def apply_elastic_package(msisdn: str, month: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.apply_elastic_package(msisdn, month, actor=body.actor, idempotency_key=key)

    @r.post(base + "/data-packs", response_model=WriteResult)
    def subscribe_data_pack(msisdn: str, body: DataPackBody, key: IdempotencyKey) -> WriteResult:
        return client.subscribe_data_pack(msisdn, body.product_id, actor=body.actor, idempotency_key=key)

    @r.post(base + "/resume", response_model=WriteResult)
    def resume_service(msisdn: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.resume_service(msisdn, actor=body.actor, idempotency_key=key)

    @r.post(base + "/vas/{product_id}/unsubscribe", response_model=WriteResult)
    def unsubscribe_vas(msisdn: str, product_id: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.unsubscribe_vas(msisdn, product_id, actor=body.actor, idempotency_key=key)

    @r.post(base + "/password/reset", response_model=WriteResult)
    def reset_service_password(msisdn: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.reset_service_password(msisdn, actor=body.actor, idempotency_key=key)

    @r.post(base + "/roaming/enable", response_model=WriteResult)
    def enable_roaming(msisdn: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.enable_roaming(msisdn, actor=body.actor, idempotency_key=key)

    return r
